import Testing
import BotonCore

@Suite struct PasaporteTests {
    @Test func normalizesNumberAndNationality() throws {
        let p = try Pasaporte(number: "  ab12345 ", nationality: "pe")
        #expect(p.number == "AB12345")
        #expect(p.nationality.alpha2 == "PE")
        #expect(p.nationality.nombre == "Perú")
        #expect(try Pasaporte(number: "X1234", nationality: "COL").nationality.alpha2 == "CO")
        #expect(try Pasaporte(number: String(repeating: "9", count: 20), nationality: " ve ").nationality.alpha2 == "VE")
    }

    @Test(arguments: [
        ("", "PE", PasaporteError.Reason.length, "pasaporte"),
        ("   ", "PE", .length, "pasaporte"),
        ("AB12", "PE", .length, "pasaporte"),
        (String(repeating: "A", count: 21), "PE", .length, "pasaporte"),
        ("AB-12345", "PE", .characters, "pasaporte"),
        ("AB 12345", "PE", .characters, "pasaporte"),
        ("ÑA12345", "PE", .characters, "pasaporte"),
        ("AB12345", "XX", .nationality, "nacionalidad"),
        ("AB12345", "Perú", .nationality, "nacionalidad"),
        ("AB12345", "", .nationality, "nacionalidad"),
        ("AB12345", "PERU", .nationality, "nacionalidad"),
    ])
    func rejects(number: String, nationality: String, reason: PasaporteError.Reason, field: String) {
        do {
            _ = try Pasaporte(number: number, nationality: nationality)
            Issue.record("accepted \(number) / \(nationality)")
        } catch {
            #expect(error.kind == reason)
            #expect(error.reason == reason.rawValue)
            #expect(error.field == field)
            #expect(!error.isEcuadorian)
            #expect(!error.mensaje.isEmpty)
        }
    }

    @Test(arguments: ["EC", "ec", "ECU"])
    func ecuadoriansMustUseTheirCedula(code: String) {
        do {
            _ = try Pasaporte(number: "AB12345", nationality: code)
            Issue.record("accepted Ecuadorian passport")
        } catch {
            #expect(error.reason == "nationality")
            #expect(error.field == "nacionalidad")
            #expect(error.isEcuadorian)
            #expect(error.mensaje.contains("cédula"))
        }
    }

    @Test func lengthMessageStatesTheRange() {
        #expect(PasaporteError(.length).mensaje.contains("entre 5 y 20"))
    }
}

@Suite struct CountryTests {
    @Test func fullISOList() {
        #expect(Country.all.count == 249)
        #expect(Set(Country.all.map(\.alpha2)).count == 249)
        #expect(Set(Country.all.map(\.alpha3)).count == 249)
        let upper = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars)
        for c in Country.all {
            #expect(c.alpha2.unicodeScalars.count == 2 && c.alpha2.unicodeScalars.allSatisfy(upper.contains), "\(c.alpha2)")
            #expect(c.alpha3.unicodeScalars.count == 3 && c.alpha3.unicodeScalars.allSatisfy(upper.contains), "\(c.alpha3)")
            #expect(!c.nombre.isEmpty)
            #expect(Country(code: c.alpha2) == c && Country(code: c.alpha3.lowercased()) == c)
        }
    }

    @Test func spanishNames() {
        #expect(Country(code: "US")?.nombre == "Estados Unidos")
        #expect(Country(code: "DEU")?.nombre == "Alemania")
        #expect(Country(code: "VE")?.nombre == "Venezuela")
        #expect(Country.ecuador.alpha3 == "ECU")
        #expect(Country(code: "ZZ") == nil && Country(code: "E") == nil && Country(code: "ECUA") == nil)
    }
}

@Suite struct IdentityDocumentTests {
    @Test func keysAndKinds() throws {
        let c = IdentityDocument.cedula(try Cedula("1710034065"))
        let p = IdentityDocument.pasaporte(try Pasaporte(number: "ab12345", nationality: "PER"))
        #expect(c.kind == .cedula && c.kind.rawValue == "cedula")
        #expect(p.kind == .pasaporte && p.kind.rawValue == "pasaporte")
        #expect(c.key == "cedula:1710034065")
        #expect(p.key == "pasaporte:PE:AB12345")
        #expect(IdentityDocument(key: c.key) == c)
        #expect(IdentityDocument(key: p.key) == p)
    }

    @Test(arguments: ["", "cedula", "cedula:", "cedula:1710034066", "cedula:171003406-5", "pasaporte:PE",
                      "pasaporte:PER:AB12345", "pasaporte:pe:AB12345", "pasaporte:PE:ab12345", "pasaporte:EC:AB12345",
                      "dni:PE:AB12345", "cedula:1710034065:x"])
    func rejectsMalformedKeys(key: String) {
        #expect(IdentityDocument(key: key) == nil)
    }
}
