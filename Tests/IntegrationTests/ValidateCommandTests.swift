import Testing

@Suite struct ValidateCommandTests {
    @Test(arguments: [
        ("099 123 4567", "+593991234567 celular"),
        ("0991234567", "+593991234567 celular"),
        ("02-234-5678", "+59322345678 fijo"),
        ("(02) 2345678", "+59322345678 fijo"),
        ("+593 99 123 4567", "+593991234567 celular"),
        ("593991234567", "+593991234567 celular"),
    ])
    func phoneLinesPeopleType(input: String, expected: String) throws {
        let r = try Boton.run(["validate", "telefono", input])
        #expect(r.status == 0)
        #expect(r.stdout == expected + "\n")
    }

    @Test func aBadPhoneLineExitsOneWithTheReasonOnStderr() throws {
        let r = try Boton.run(["validate", "telefono", "12345"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("telefono: "))
    }

    @Test func cedula() throws {
        let ok = try Boton.run(["validate", "cedula", "1710034065"])
        #expect(ok.status == 0 && ok.stdout == "1710034065\n")
        let bad = try Boton.run(["validate", "cedula", "1710034066"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("cedula: check_digit: "))
        let province = try Boton.run(["validate", "cedula", "9910034065"])
        #expect(province.status == 1 && province.stderr.hasPrefix("cedula: province: "))
    }

    @Test func pasaporteNeedsANationality() throws {
        let ok = try Boton.run(["validate", "pasaporte", "ab123456", "--nacionalidad", "PER"])
        #expect(ok.status == 0 && ok.stdout == "AB123456 PE\n")
        let missing = try Boton.run(["validate", "pasaporte", "AB123456"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("missing --nacionalidad"))
    }

    @Test func helpOnEveryCommand() throws {
        for path in [[], ["serve"], ["validate"], ["validate", "cedula"], ["db"], ["db", "migrate"], ["territory"],
                     ["territory", "locate"], ["territory", "import"], ["territory", "check"]] {
            let r = try Boton.run(path + ["--help"])
            #expect(r.status == 0, "boton \(path) --help")
            #expect(r.stdout.contains("USAGE: boton"), "boton \(path) --help")
        }
        let unknown = try Boton.run(["territory", "frobnicate"])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown subcommand 'frobnicate'"))
    }
}
