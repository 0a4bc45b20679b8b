import BotonTestSupport
import Testing
@testable import BotonCore

@Suite struct EnrollmentInputTests {
    // MARK: Dates

    @Test func civilDatesRoundTripThroughDayNumbers() throws {
        #expect(CivilDate(year: 1970, month: 1, day: 1)!.daysSince1970 == 0)
        #expect(CivilDate(year: 2000, month: 3, day: 1)!.daysSince1970 == 11_017)
        #expect(CivilDate(year: 1969, month: 12, day: 31)!.daysSince1970 == -1)
        // Every day from 1900 to 2100 maps to the next day number, and back through an instant.
        var expected = CivilDate(year: 1900, month: 1, day: 1)!.daysSince1970
        for year in 1900...2100 {
            for month in 1...12 {
                for day in 1...31 {
                    guard let d = CivilDate(year: year, month: month, day: day) else { continue }
                    #expect(d.daysSince1970 == expected)
                    let noonInEcuador = Timestamp(secondsSince1970: Int64(expected) * 86_400 + 17 * 3600)
                    #expect(CivilDate.ecuador(noonInEcuador) == d)
                    expected += 1
                }
            }
        }
    }

    @Test func ecuadorsDateIsFiveHoursBehindUTC() {
        // 2026-01-01T03:00Z is still 31 December in Quito.
        let t = Timestamp(secondsSince1970: Int64(CivilDate(year: 2026, month: 1, day: 1)!.daysSince1970) * 86_400 + 3 * 3600)
        #expect(CivilDate.ecuador(t).description == "2025-12-31")
        #expect(CivilDate(t, utcOffsetSeconds: 0).description == "2026-01-01")
        #expect(CivilDate(year: 2026, month: 3, day: 7)!.ecuadorianFormat == "07/03/2026")
    }

    @Test func isoDatesMustExist() {
        #expect((try? CivilDate(iso: "2024-02-29"))?.description == "2024-02-29")
        #expect(throws: CivilDate.ParseFailure.nonexistent) { try CivilDate(iso: "2023-02-29") }
        #expect(throws: CivilDate.ParseFailure.nonexistent) { try CivilDate(iso: "2024-04-31") }
        #expect(throws: CivilDate.ParseFailure.nonexistent) { try CivilDate(iso: "2024-13-01") }
        #expect(throws: CivilDate.ParseFailure.format) { try CivilDate(iso: "29/02/2024") }
        #expect(throws: CivilDate.ParseFailure.format) { try CivilDate(iso: "2024-2-29") }
        #expect(throws: CivilDate.ParseFailure.format) { try CivilDate(iso: "２０２４-02-29") }
    }

    @Test func birthDatesAreRealPastAndAtMost120YearsAgo() throws {
        let today = CivilDate(year: 2026, month: 5, day: 10)!
        #expect(try BirthDate("1985-04-23", today: today).age(on: today) == 41)
        #expect(try BirthDate("2026-05-10", today: today).age(on: today) == 0)
        #expect(try BirthDate("1905-05-11", today: today).age(on: today) == 120)  // 121 tomorrow
        #expect(throws: BirthDateError(.age)) { try BirthDate("1905-05-10", today: today) }  // 121 today
        #expect(throws: BirthDateError(.future)) { try BirthDate("2026-05-11", today: today) }
        #expect(throws: BirthDateError(.nonexistent)) { try BirthDate("1990-02-30", today: today) }
        #expect(throws: BirthDateError(.format)) { try BirthDate("23-04-1985", today: today) }
        #expect(throws: BirthDateError(.empty)) { try BirthDate("  ", today: today) }
        // Born on 29 February: a year older on 1 March of a common year.
        let leap = try BirthDate("2000-02-29", today: today)
        #expect(leap.age(on: CivilDate(year: 2001, month: 2, day: 28)!) == 0)
        #expect(leap.age(on: CivilDate(year: 2001, month: 3, day: 1)!) == 1)
    }

    // MARK: Names and e-mail

    @Test func namesAreNormalizedAndChecked() throws {
        #expect(try PersonName("  María   José ", field: .nombres).text == "María José")
        #expect(try PersonName("Ñañez-O'Neill Jr.", field: .apellidos).text == "Ñañez-O'Neill Jr.")
        #expect(try PersonName("Pe\u{301}rez", field: .apellidos).text == "Pe\u{301}rez")  // combining accent
        #expect(throws: PersonNameError(.empty, field: .nombres)) { try PersonName(" \t", field: .nombres) }
        #expect(throws: PersonNameError(.characters, field: .apellidos)) { try PersonName("Pérez 2", field: .apellidos) }
        #expect(throws: PersonNameError(.characters, field: .contacto)) { try PersonName("--", field: .contacto) }
        #expect(throws: PersonNameError(.length, field: .nombres)) {
            try PersonName(String(repeating: "a", count: 101), field: .nombres)
        }
        #expect(PersonNameError(.characters, field: .contacto).mensaje.hasPrefix("El nombre del contacto solo puede"))
    }

    @Test func emailsHaveBasicSyntax() throws {
        #expect(try EmailAddress(" Ana.Perez+boton@Correo.GOB.ec ").text == "Ana.Perez+boton@correo.gob.ec")
        for bad in ["ana", "ana@", "@correo.ec", "ana@correo", "ana@@correo.ec", "ana perez@correo.ec",
                    ".ana@correo.ec", "ana..p@correo.ec", "ana@-correo.ec", "ana@correo.e", "ana@correo.123",
                    "ana@correo..ec", "añá@correo.ec"] {
            #expect(throws: EmailAddressError(.syntax), "\(bad)") { try EmailAddress(bad) }
        }
        #expect(throws: EmailAddressError(.empty)) { try EmailAddress("") }
    }

    // MARK: Número de trámite

    @Test func tramiteNumbersCarryADammCheckDigit() throws {
        #expect(Damm.checkDigit([5, 7, 2]) == 4)  // the published example
        let n = TramiteNumber(year: 2026, sequence: 123)!
        #expect(n.text == "BS-2026-000123-\(n.checkDigit)")
        for typed in [n.text, n.text.lowercased(), "BS 2026 123 \(n.checkDigit)", "bs2026000123\(n.checkDigit)",
                      " BS-2026-000123 - \(n.checkDigit) "] {
            #expect(try TramiteNumber(typed) == n, "\(typed)")
        }
        #expect(TramiteNumber(year: 2026, sequence: 1_234_567)!.text.hasPrefix("BS-2026-1234567-"))
        #expect(throws: TramiteNumberError(.format)) { try TramiteNumber("2026-000123-1") }
        #expect(throws: TramiteNumberError(.format)) { try TramiteNumber("BS-2026-000123") }
        #expect(throws: TramiteNumberError(.format)) { try TramiteNumber("BS-26-000123-1") }
        #expect(throws: TramiteNumberError(.format)) { try TramiteNumber("BS-2026-0001#3-1") }
    }

    @Test func everySingleDigitTypoAndAdjacentSwapIsCaught() throws {
        let n = TramiteNumber(year: 2026, sequence: 4_071)!
        let digits = Array(n.text.filter(\.isNumber))
        for i in digits.indices {
            for d in "0123456789" where d != digits[i] {
                var typo = digits
                typo[i] = d
                #expect(throws: TramiteNumberError.self) { try TramiteNumber("BS" + String(typo)) }
            }
            if i + 1 < digits.count, digits[i] != digits[i + 1] {
                var swapped = digits
                swapped.swapAt(i, i + 1)
                #expect(throws: TramiteNumberError.self) { try TramiteNumber("BS" + String(swapped)) }
            }
        }
    }

    // MARK: Activation code

    @Test func activationCodesRoundTripAndCatchTypos() throws {
        #expect(ActivationCode.crc16(Array("123456789".utf8)) == 0x29B1)  // CRC-16/CCITT-FALSE check value
        var rng = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let id = (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let secret = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let code = ActivationCode(deviceID: id, secret: secret)
            let text = code.text
            #expect(text.count == 80 + 15)
            #expect(text.split(separator: "-").map(\.count) == Array(repeating: 5, count: 16))
            #expect(try ActivationCode(text) == code)
            #expect(try ActivationCode(text.lowercased().replacingOccurrences("-", " ")) == code)
            // Every single-character substitution at a few positions is refused.
            for position in [0, 7, 40, 94] {
                var chars = Array(text)
                guard chars[position] != "-" else { continue }
                chars[position] = chars[position] == "A" ? "B" : "A"
                #expect(throws: ActivationCodeError(.check)) { try ActivationCode(String(chars)) }
            }
        }
        #expect(throws: ActivationCodeError(.length)) { try ActivationCode("ABCDE-12345") }
        #expect(throws: ActivationCodeError(.characters)) { try ActivationCode("UUUUU") }
        #expect(!"\(ActivationCode(deviceID: Array(repeating: 1, count: 16), secret: Array(repeating: 2, count: 32)))"
            .contains("2"))
    }

    @Test func crockfordAliasesReadAsDigits() throws {
        let code = ActivationCode(deviceID: Array(repeating: 0, count: 16), secret: Array(repeating: 0x42, count: 32))
        let text = code.text
        let aliased = String(text.map { $0 == "0" ? "O" : ($0 == "1" ? "l" : $0) })
        #expect(try ActivationCode(aliased) == code)
    }
}

extension String {
    fileprivate func replacingOccurrences(_ a: Character, _ b: Character) -> String {
        String(map { $0 == a ? b : $0 })
    }
}
