import Foundation
import Testing
import BotonCore

@Suite struct CedulaTests {
    @Test(arguments: [
        ("1714307103", "1714307103"), ("171430710-3", "1714307103"), ("17 1430 7103", "1714307103"),
        (" 1710034065\t", "1710034065"), ("1710034065\n", "1710034065"), ("１７１００３４０６５", "1710034065"),
        ("0102030400", "0102030400"), ("3000000004", "3000000004"),
    ])
    func accepts(input: String, number: String) throws {
        #expect(try Cedula(input).number == number)
    }

    @Test(arguments: [
        ("", CedulaError.Reason.length), ("171430710", .length), ("17143071033", .length), ("17-14", .length),
        ("171.430.710-3", .characters), ("171430710O", .characters), ("1714 307\t103", .characters), ("abc", .characters),
        ("0014307103", .province), ("2514307103", .province), ("9914307103", .province), ("3114307103", .province),
        ("1774307103", .thirdDigit), ("1794307103", .thirdDigit),
        ("1714307104", .checkDigit), ("1710034066", .checkDigit),
    ])
    func rejects(input: String, reason: CedulaError.Reason) {
        #expect(throws: CedulaError(reason)) { try Cedula(input) }
        do {
            _ = try Cedula(input)
        } catch {
            #expect(error.field == "cedula")
            #expect(error.reason == reason.rawValue)
            #expect(!error.mensaje.isEmpty && error.mensaje.contains("cédula"))
        }
    }

    @Test func everyReasonHasItsOwnSpanishMessage() {
        let messages = CedulaError.Reason.allCases.map { CedulaError($0).mensaje }
        #expect(Set(messages).count == CedulaError.Reason.allCases.count)
        #expect(CedulaError(.checkDigit).description.hasPrefix("cedula: check_digit: "))
    }

    @Test func checkDigitCompletesNineDigits() throws {
        #expect(Cedula.checkDigit(for: [1, 7, 1, 4, 3, 0, 7, 1, 0]) == 3)
        #expect(Cedula.checkDigit(for: [1, 7, 1, 0, 0, 3, 4, 0, 6]) == 5)
        #expect(try Cedula("1714307103").provinceCode == "17")
    }

    @Test func codableAsPlainString() throws {
        let c = try Cedula("171430710-3")
        let data = try JSONEncoder().encode([c])
        #expect(String(decoding: data, as: UTF8.self) == "[\"1714307103\"]")
        #expect(try JSONDecoder().decode([Cedula].self, from: data) == [c])
        #expect(throws: (any Error).self) { try JSONDecoder().decode([Cedula].self, from: Data("[\"1714307104\"]".utf8)) }
    }
}
