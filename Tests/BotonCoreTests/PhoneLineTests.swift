import Foundation
import Testing
import BotonCore

@Suite struct PhoneLineTests {
    @Test(arguments: [
        ("099 123 4567", "+593991234567", PhoneLineKind.celular, "099 123 4567", "+593 99 123 4567"),
        ("0991234567", "+593991234567", .celular, "099 123 4567", "+593 99 123 4567"),
        ("+593 99 123 4567", "+593991234567", .celular, "099 123 4567", "+593 99 123 4567"),
        ("593991234567", "+593991234567", .celular, "099 123 4567", "+593 99 123 4567"),
        ("00593 99 123 4567", "+593991234567", .celular, "099 123 4567", "+593 99 123 4567"),
        ("(+593) 99-123-4567", "+593991234567", .celular, "099 123 4567", "+593 99 123 4567"),
        ("099.123.4567", "+593991234567", .celular, "099 123 4567", "+593 99 123 4567"),
        ("0964012345", "+593964012345", .celular, "096 401 2345", "+593 96 401 2345"),
        ("02-234-5678", "+59322345678", .fijo, "(02) 234-5678", "+593 2-234-5678"),
        ("(02) 2345678", "+59322345678", .fijo, "(02) 234-5678", "+593 2-234-5678"),
        ("+593 2 234 5678", "+59322345678", .fijo, "(02) 234-5678", "+593 2-234-5678"),
        ("04 256 7890", "+59342567890", .fijo, "(04) 256-7890", "+593 4-256-7890"),
        ("+593 0 2 234 5678", "+59322345678", .fijo, "(02) 234-5678", "+593 2-234-5678"),
    ])
    func accepts(input: String, e164: String, kind: PhoneLineKind, national: String, international: String) throws {
        let line = try PhoneLine(input)
        #expect(line.e164 == e164)
        #expect(line.kind == kind)
        #expect(line.nationalFormat == national)
        #expect(line.internationalFormat == international)
        #expect(try PhoneLine(line.e164) == line)
        #expect(try PhoneLine(line.nationalFormat) == line)
    }

    @Test(arguments: [
        ("", PhoneLineError.Reason.empty), ("   ", .empty), ("+", .empty), ("(-)", .empty),
        ("099 123 4567 ext 2", .characters), ("099/123/4567", .characters), ("099+1234567", .characters),
        ("+ +593991234567", .characters), ("O99 123 4567", .characters), ("０９９１２３４５６７", .characters),
        ("+1 202 555 0123", .country), ("+51 987 654 321", .country), ("0051 987654321", .country),
        ("+999 1234 5678", .country), ("+0991234567", .country), ("00991234567", .country),
        ("099 123 456", .length), ("099 123 45678", .length), ("02 234 567", .length), ("911", .length),
        ("2345678", .length), ("+593", .length), (String(repeating: "9", count: 18), .length),
        ("094 123 4567", .prefix), ("092 123 4567", .prefix), ("02 123 4567", .prefix), ("08 123 4567", .prefix),
        ("0933 123 456", .prefix), ("0965 123 456", .prefix),
        ("1800 123 456", .service), ("1800 123 4567", .service), ("1700 123 456", .service),
        ("02 890 1234", .service), ("101", .service),
    ])
    func rejects(input: String, reason: PhoneLineError.Reason) {
        do {
            let line = try PhoneLine(input)
            Issue.record("accepted \(input.debugDescription) as \(line)")
        } catch {
            #expect(error.kind == reason, "\(input.debugDescription)")
            #expect(error.reason == reason.rawValue)
            #expect(error.field == "telefono")
            #expect(!error.mensaje.isEmpty)
        }
    }

    @Test func missingAreaCodeGetsItsOwnMessage() {
        do {
            _ = try PhoneLine("234 5678")
            Issue.record("accepted a 7-digit number")
        } catch {
            #expect(error.kind == .length && error.missingAreaCode)
            #expect(error.mensaje.contains("código de provincia"))
        }
        #expect(PhoneLineError(.length).mensaje != PhoneLineError(.length, missingAreaCode: true).mensaje)
    }

    @Test func overlongInputIsRejected() {
        let padded = String(repeating: " ", count: 250) + "0991234567"
        #expect(throws: PhoneLineError(.length)) { try PhoneLine(padded) }
        #expect(throws: Never.self) { try PhoneLine(String(repeating: " ", count: 230) + "0991234567") }
    }

    @Test func codableAsE164() throws {
        let line = try PhoneLine("099 123 4567")
        let data = try JSONEncoder().encode([line])
        #expect(String(decoding: data, as: UTF8.self) == "[\"+593991234567\"]")
        #expect(try JSONDecoder().decode([PhoneLine].self, from: data) == [line])
    }

    @Test func kindRawValues() {
        #expect(PhoneLineKind.fijo.rawValue == "fijo" && PhoneLineKind.celular.rawValue == "celular")
    }
}
