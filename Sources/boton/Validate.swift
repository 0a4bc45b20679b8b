import BotonCore
import Glibc
import BotonRuntime

/// `boton validate cedula|pasaporte|telefono VALUE`: the normalized value on stdout and exit 0, or the reason on
/// stderr and exit 1.
let validateCommand = Command(
    "validate", summary: "Check an identity document or a phone line and print its normalized form.",
    subcommands: [
        Command("cedula", summary: "Validate an Ecuadorian cédula (10 digits, province, check digit).",
                positionals: [("VALUE", "The cédula, as typed (spaces and dashes are allowed).")]) { args in
            report { () throws(CedulaError) in try Cedula(args.positionals[0]).number }
        },
        Command("pasaporte", summary: "Validate a foreign passport number and its nationality (ISO 3166-1).",
                positionals: [("VALUE", "The passport number.")],
                options: [.init("--nacionalidad", value: "PAIS", help: "Nationality, ISO 3166-1 alpha-2 or alpha-3.",
                                required: true)]) { args in
            report { () throws(PasaporteError) in
                let p = try Pasaporte(number: args.positionals[0], nationality: args.value("--nacionalidad")!)
                return "\(p.number) \(p.nationality.alpha2)"
            }
        },
        Command("telefono", summary: "Validate an Ecuadorian phone line and print it in E.164 with its kind.",
                details: "Prints '+593991234567 celular' or '+59322345678 fijo'.",
                positionals: [("VALUE", "The line as people type it: '099 123 4567', '(02) 2345678', '+593 99 …'.")]) {
            args in
            report { () throws(PhoneLineError) in
                let line = try PhoneLine(args.positionals[0])
                return "\(line.e164) \(line.kind.rawValue)"
            }
        },
    ])

private func report<E: ValidationError>(_ body: () throws(E) -> String) -> Int32 {
    do {
        print(try body())
        return 0
    } catch {
        printToStandardError("\(error.field): \(error.reason): \(error.mensaje)\n")
        return 1
    }
}
