import BotonCore
import Glibc
import BotonEnrollment
import BotonRepository
import BotonRuntime

/// `boton operator add`: console accounts for UPC officers, distrito supervisors and administrators.
let operatorCommand = Command(
    "operator", summary: "Operator accounts of the console (officers, supervisors, administrators).",
    subcommands: [
        Command("add", summary: "Create an operator account; the password is read from standard input.",
                details: """
                The password (at least 12 characters) is read from standard input: typed twice without echo on a \
                terminal, or the first line of a pipe (--password-stdin says so explicitly, for scripts). It is \
                stored as PBKDF2-HMAC-SHA256 with 600000 rounds and a random salt. --rol operador_upc needs --upc \
                (the distrito is taken from it); supervisor_distrito needs --distrito; administrador neither.
                """,
                options: CommonOptions.store + [
                    .init("--usuario", value: "USER", help: "Login name: 3-32 of a-z, 0-9, '.', '_', '-'.",
                          required: true),
                    .init("--nombre", value: "NAME", help: "Name shown in histories, e.g. 'Andrade' or 'Luis Andrade'.",
                          required: true),
                    .init("--grado", value: "RANK", help: "Rank shown before the name, e.g. 'Sbte.' (histories read "
                          + "'Sbte. Andrade')."),
                    .init("--rol", value: "ROLE", help: "operador_upc, supervisor_distrito or administrador.",
                          required: true),
                    .init("--upc", value: "CODE", help: "The officer's UPC, e.g. UPC-17D04C01S01 (operador_upc)."),
                    .init("--distrito", value: "CODE", help: "The supervisor's distrito, e.g. 17D04."),
                    .init("--password-stdin", help: "Read the password from the first line of standard input."),
                ]) { args in
            let roleText = args.value("--rol")!
            guard let role = OperatorRole(rawValue: roleText) else {
                throw UsageError(path: args.path, message: "--rol es operador_upc, supervisor_distrito o "
                                 + "administrador (se recibió «\(roleText)»)")
            }
            let context = try CommandContext(args)
            let store = try context.openStore(migrate: false)
            try context.requireCurrentSchema(store)
            let password = try readPassword(fromPipe: args.flag("--password-stdin") || isatty(0) == 0)
            do {
                let identity = try OperatorAccounts(store: store).add(
                    username: args.value("--usuario")!, displayName: args.value("--nombre")!,
                    rank: args.value("--grado"), role: role,
                    upc: args.value("--upc"), district: args.value("--distrito"), password: password,
                    at: SystemClock.now())
                print("operador: \(identity.id) \(identity.username) (\(identity.role.rawValue))"
                      + (identity.upcCode.map { " upc=\($0)" } ?? "")
                      + (identity.districtCode.map { " distrito=\($0)" } ?? ""))
                return 0
            } catch let error as OperatorAccountError {
                let option = ["usuario": "--usuario", "nombre": "--nombre", "grado": "--grado", "upc": "--upc",
                              "distrito": "--distrito", "contrasena": "contraseña"][error.field ?? ""]
                throw CommandFailure((option.map { "\($0): " } ?? "") + error.mensaje
                                     + (error.detail.map { " (\($0))" } ?? ""))
            }
        },
        Command("unlock", summary: "Lift the sign-in waits of an account after too many wrong passwords (audited).",
                details: """
                For the account's owner who called in: the count of wrong passwords is cleared, which lifts at once \
                (on the running server's next attempt) the wait of every address that failed too often for this \
                account, instead of after its wait (at most http.login_throttle_max_s); the audit log records who \
                did it (--por).
                """,
                options: CommonOptions.store + [
                    .init("--usuario", value: "USER", help: "The locked account.", required: true),
                    .init("--por", value: "USER", help: "Who lifts it (an administrador's account).", required: true),
                ]) { args in
            let context = try CommandContext(args)
            let store = try context.openStore(migrate: false)
            try context.requireCurrentSchema(store)
            let actor = try administrator(args, store)
            let username = args.value("--usuario")!
            do throws(OperatorAccountError) {
                let wasLocked = try OperatorAccounts(store: store).unlock(username: username, by: actor,
                                                                          at: SystemClock.now())
                print(wasLocked ? "desbloqueada: \(username)" : "sin cambios: \(username) no estaba bloqueada")
                return 0
            } catch {
                throw CommandFailure("--usuario: " + error.mensaje)
            }
        },
        Command("list", summary: "List the accounts: username, rank and name, role, scope, state.",
                details: """
                One line per account, by username, tab-separated: id, usuario, name as histories show it (rank and \
                name), rol, scope (UPC, distrito or nacional), state (activa, deshabilitada, or con N intentos \
                fallidos).
                """,
                options: CommonOptions.store) { args in
            let context = try CommandContext(args)
            let store = try context.openStore(migrate: false)
            try context.requireCurrentSchema(store)
            let records: [OperatorRecord]
            do throws(OperatorAccountError) { records = try OperatorAccounts(store: store).list() } catch {
                throw CommandFailure(error.mensaje + (error.detail.map { " (\($0))" } ?? ""))
            }
            if records.isEmpty { print("No hay cuentas de operador. Cree una con «boton operator add».") }
            for r in records {
                let scope = r.upcCode ?? r.districtCode.map { "distrito \($0)" } ?? "nacional"
                let state = r.disabledAt != nil ? "deshabilitada"
                    : r.failedLogins > 0 ? "activa, \(r.failedLogins) intento\(r.failedLogins == 1 ? "" : "s") fallido\(r.failedLogins == 1 ? "" : "s")"
                    : "activa"
                print([String(r.id ?? 0), r.username, r.shownName, r.role.rawValue, scope, state].joined(separator: "\t"))
            }
            return 0
        },
        enableCommand(false),
        enableCommand(true),
        Command("reset-password", summary: "Set a new password for an account whose owner forgot it (audited).",
                details: """
                The new password is read like operator add's (standard input, or typed twice on a terminal). The \
                account's sessions end and its count of wrong passwords is cleared; the audit log records who did \
                it (--por).
                """,
                options: CommonOptions.store + [
                    .init("--usuario", value: "USER", help: "The account.", required: true),
                    .init("--por", value: "USER", help: "Who does it (an administrador's account).", required: true),
                    .init("--password-stdin", help: "Read the password from the first line of standard input."),
                ]) { args in
            let context = try CommandContext(args)
            let store = try context.openStore(migrate: false)
            try context.requireCurrentSchema(store)
            let actor = try administrator(args, store)
            let password = try readPassword(fromPipe: args.flag("--password-stdin") || isatty(0) == 0)
            let username = args.value("--usuario")!
            do throws(OperatorAccountError) {
                try OperatorAccounts(store: store).resetPassword(username: username, password: password, by: actor,
                                                                 at: SystemClock.now())
            } catch {
                throw CommandFailure((error.field == "contrasena" ? "contraseña: " : "--usuario: ") + error.mensaje)
            }
            print("contraseña restablecida: \(username.lowercased()); sus sesiones se cerraron")
            return 0
        },
    ])

/// `boton operator disable` / `enable`.
private func enableCommand(_ enable: Bool) -> Command {
    Command(enable ? "enable" : "disable",
            summary: enable ? "Enable a disabled account again (audited)."
                : "Disable an account: its sessions end at once and it cannot sign in (audited).",
            details: "The account and its history stay; the audit log records who did it (--por).",
            options: CommonOptions.store + [
                .init("--usuario", value: "USER", help: "The account.", required: true),
                .init("--por", value: "USER", help: "Who does it (an administrador's account).", required: true),
            ]) { args in
        let context = try CommandContext(args)
        let store = try context.openStore(migrate: false)
        try context.requireCurrentSchema(store)
        let actor = try administrator(args, store)
        let username = args.value("--usuario")!.lowercased()
        if !enable, actor == "operador:\((try? store.operatorRecord(username: username))??.id ?? -1)" {
            throw CommandFailure("--usuario: un administrador no puede deshabilitar su propia cuenta")
        }
        do throws(OperatorAccountError) {
            let changed = try OperatorAccounts(store: store).setEnabled(enable, username: username, by: actor,
                                                                        at: SystemClock.now())
            print(changed ? "\(enable ? "habilitada" : "deshabilitada"): \(username)"
                  : "sin cambios: \(username) ya estaba \(enable ? "habilitada" : "deshabilitada")")
            return 0
        } catch {
            throw CommandFailure("--usuario: " + error.mensaje)
        }
    }
}

/// The `--por` account as an audit actor (`operador:N`): it must be an enabled administrador.
private func administrator(_ args: ParsedArguments, _ store: any StoreConnection) throws -> String {
    let actorName = args.value("--por")!.trimmingCharacters(in: .whitespaces).lowercased()
    guard let actor = try store.operatorRecord(username: actorName), let actorID = actor.id,
          actor.role == .administrador, actor.disabledAt == nil else {
        throw CommandFailure("--por: «\(actorName)» no es una cuenta de administrador habilitada")
    }
    return "operador:\(actorID)"
}

/// The first line of standard input, or — on a terminal — the password typed twice without echo.
private func readPassword(fromPipe: Bool) throws -> String {
    if fromPipe {
        guard let line = readLine(strippingNewline: true) else {
            throw CommandFailure("contraseña: la entrada estándar está vacía; pase la contraseña por una tubería, por "
                                 + "ejemplo 'printf %s\\\\n \"$CLAVE\" | boton operator add … --password-stdin'")
        }
        return line.hasSuffix("\r") ? String(line.dropLast()) : line
    }
    let first = try promptWithoutEcho("Contraseña: ")
    let second = try promptWithoutEcho("Repita la contraseña: ")
    guard first == second else { throw CommandFailure("contraseña: las contraseñas no coinciden") }
    return first
}

private func promptWithoutEcho(_ prompt: String) throws -> String {
    printToStandardError(prompt)
    var saved = termios()
    let isTerminal = tcgetattr(0, &saved) == 0
    if isTerminal {
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &quiet)
    }
    defer {
        if isTerminal {
            tcsetattr(0, TCSANOW, &saved)
            printToStandardError("\n")
        }
    }
    guard let line = readLine(strippingNewline: true) else { throw CommandFailure("contraseña: no se ingresó nada") }
    return line
}
