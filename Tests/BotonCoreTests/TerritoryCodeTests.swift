import Testing
import BotonCore

@Suite struct TerritoryCodeTests {
    @Test func parsesAndDerivesParents() throws {
        let s = try SubcircuitCode("06D01C06S02")
        #expect(s.rawValue == "06D01C06S02")
        #expect(s.circuit == (try CircuitCode("06D01C06")))
        #expect(s.district == (try DistrictCode("06D01")))
        #expect(s.subzone == (try SubzoneCode("06")))
        #expect(s.circuit.district.subzone.rawValue == "06")
        #expect(try DistrictCode("17D05").subzone.rawValue == "17")
        #expect(try CircuitCode("24D02C01").subzone.rawValue == "24")
        #expect(s.description == "06D01C06S02")
    }

    @Test func zones() throws {
        #expect(try ZoneCode("ZONA 6").number == 6)
        #expect(try ZoneCode("Zona 9").number == 9)
        #expect(try ZoneCode("1").number == 1)
        #expect(try ZoneCode(number: 8).description == "ZONA 8")
        #expect(try ZoneCode(number: 1) < (try ZoneCode(number: 2)))
    }

    @Test func upc() throws {
        let s = try SubcircuitCode("09D02C03S01")
        #expect(UPCCode(serving: s).rawValue == "UPC-09D02C03S01")
        #expect(try UPCCode("UPC-09D02C03S01") == UPCCode(serving: s))
    }

    @Test func ordering() throws {
        #expect(try SubcircuitCode("06D01C06S02") < (try SubcircuitCode("06D01C06S10")))
        #expect(try DistrictCode("06D01") < (try DistrictCode("17D01")))
    }

    static func reject(_ make: () throws(TerritoryCodeError) -> Void, field: String, kind: TerritoryCodeError.Reason) {
        do {
            try make()
            Issue.record("accepted (expected \(field) \(kind))")
        } catch {
            #expect(error.field == field)
            #expect(error.kind == kind)
            #expect(error.reason == kind.rawValue)
            #expect(!error.mensaje.isEmpty)
        }
    }

    @Test(arguments: [
        ("06D01C06S0", TerritoryCodeError.Reason.length), ("06D01C06S023", .length), ("", .length),
        ("06d01C06S02", .format), ("06D01X06S02", .format), ("0AD01C06S02", .format), ("06D01C06SAB", .format),
        ("06D01C06S00", .number), ("06D00C06S02", .number), ("06D01C00S02", .number),
        ("00D01C06S02", .province), ("25D01C06S02", .province), ("99D01C06S02", .province),
    ])
    func subcircuitRejections(input: String, kind: TerritoryCodeError.Reason) {
        Self.reject({ () throws(TerritoryCodeError) in _ = try SubcircuitCode(input) }, field: "subcircuito", kind: kind)
    }

    @Test func otherLevelsRejections() {
        Self.reject({ () throws(TerritoryCodeError) in _ = try DistrictCode("06D1") }, field: "distrito", kind: .length)
        Self.reject({ () throws(TerritoryCodeError) in _ = try DistrictCode("06C01") }, field: "distrito", kind: .format)
        Self.reject({ () throws(TerritoryCodeError) in _ = try DistrictCode("06D00") }, field: "distrito", kind: .number)
        Self.reject({ () throws(TerritoryCodeError) in _ = try DistrictCode("30D01") }, field: "distrito", kind: .province)
        Self.reject({ () throws(TerritoryCodeError) in _ = try CircuitCode("06D01C6") }, field: "circuito", kind: .length)
        Self.reject({ () throws(TerritoryCodeError) in _ = try CircuitCode("06D01S06") }, field: "circuito", kind: .format)
        Self.reject({ () throws(TerritoryCodeError) in _ = try CircuitCode("06D01C00") }, field: "circuito", kind: .number)
        Self.reject({ () throws(TerritoryCodeError) in _ = try CircuitCode("26D01C01") }, field: "circuito", kind: .province)
        Self.reject({ () throws(TerritoryCodeError) in _ = try SubzoneCode("6") }, field: "subzona", kind: .length)
        Self.reject({ () throws(TerritoryCodeError) in _ = try SubzoneCode("0A") }, field: "subzona", kind: .format)
        Self.reject({ () throws(TerritoryCodeError) in _ = try SubzoneCode("00") }, field: "subzona", kind: .province)
        Self.reject({ () throws(TerritoryCodeError) in _ = try SubzoneCode("25") }, field: "subzona", kind: .province)
        Self.reject({ () throws(TerritoryCodeError) in _ = try ZoneCode("ZONA X") }, field: "zona", kind: .format)
        Self.reject({ () throws(TerritoryCodeError) in _ = try ZoneCode("") }, field: "zona", kind: .format)
        Self.reject({ () throws(TerritoryCodeError) in _ = try ZoneCode("ZONA 10") }, field: "zona", kind: .zone)
        Self.reject({ () throws(TerritoryCodeError) in _ = try ZoneCode("0") }, field: "zona", kind: .zone)
        Self.reject({ () throws(TerritoryCodeError) in _ = try ZoneCode("+6") }, field: "zona", kind: .format)
        Self.reject({ () throws(TerritoryCodeError) in _ = try ZoneCode("ZONA6") }, field: "zona", kind: .format)
        Self.reject({ () throws(TerritoryCodeError) in _ = try ZoneCode("ZONA 006") }, field: "zona", kind: .format)
        Self.reject({ () throws(TerritoryCodeError) in _ = try ZoneCode(number: 0) }, field: "zona", kind: .zone)
        Self.reject({ () throws(TerritoryCodeError) in _ = try UPCCode("09D02C03S01") }, field: "upc", kind: .format)
        Self.reject({ () throws(TerritoryCodeError) in _ = try UPCCode("UPC-09D02C03S00") }, field: "upc", kind: .number)
        Self.reject({ () throws(TerritoryCodeError) in _ = try UPCCode("UPC-99D02C03S01") }, field: "upc", kind: .province)
        Self.reject({ () throws(TerritoryCodeError) in _ = try UPCCode("UPC-09D02") }, field: "upc", kind: .length)
    }

    @Test func messagesNameTheLevelAndInput() {
        let e = TerritoryCodeError(field: "distrito", kind: .province, input: "30D01")
        #expect(e.mensaje.contains("distrito") && e.mensaje.contains("30D01"))
        #expect(TerritoryCodeError(field: "zona", kind: .zone, input: "10").mensaje.contains("1 a la 9"))
        #expect(e.description.hasPrefix("distrito: province: "))
    }
}
