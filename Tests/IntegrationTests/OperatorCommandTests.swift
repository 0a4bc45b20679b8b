import BotonStoreFixtures
import Foundation
import Testing

@Suite struct OperatorCommandTests {
    @Test func addsAnOperatorWithThePasswordFromStandardInput() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let base = ["operator", "add", "--database", db]
        let added = try Boton.run(base + ["--usuario", "Andrade", "--nombre", "Sbte. Andrade", "--rol", "operador_upc",
                                          "--upc", "UPC-17D04C01S01", "--password-stdin"],
                                  stdin: "una-clave-muy-larga\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout == "operador: 1 andrade (operador_upc) upc=UPC-17D04C01S01 distrito=17D04\n")
        // A pipe is read without --password-stdin too.
        let supervisor = try Boton.run(base + ["--usuario", "vera", "--nombre", "Mayor Vera", "--rol",
                                               "supervisor_distrito", "--distrito", "17D04"],
                                       stdin: "otra-clave-muy-larga\r\n")
        #expect(supervisor.stdout == "operador: 2 vera (supervisor_distrito) distrito=17D04\n")

        let taken = try Boton.run(base + ["--usuario", "andrade", "--nombre", "X", "--rol", "administrador"],
                                  stdin: "una-clave-muy-larga\n")
        #expect(taken.status == 1)
        #expect(taken.stderr == "boton: --usuario: Ya existe un operador con el usuario «andrade».\n")
        let short = try Boton.run(base + ["--usuario", "perez", "--nombre", "X", "--rol", "administrador"],
                                  stdin: "corta\n")
        #expect(short.stderr == "boton: contraseña: La contraseña debe tener al menos 12 caracteres.\n")
        let empty = try Boton.run(base + ["--usuario", "perez", "--nombre", "X", "--rol", "administrador"], stdin: "")
        #expect(empty.status == 1 && empty.stderr.contains("la entrada estándar está vacía"))
        let role = try Boton.run(base + ["--usuario", "perez", "--nombre", "X", "--rol", "jefe"], stdin: "x\n")
        #expect(role.status == 64 && role.stderr.contains("--rol es operador_upc, supervisor_distrito o administrador"))

        // What is stored: PBKDF2 parameters, never the password; and the audit row.
        if TestBackend.isPostgreSQL {
            #expect(try sqliteColumn(db, "SELECT username || ' ' || role || ' ' || password_rounds || ' ' "
                                     + "|| length(password_salt) || ' ' || length(password_hash) FROM operator ORDER BY id")
                    == ["andrade operador_upc 600000 16 32", "vera supervisor_distrito 600000 16 32"])
            #expect(try sqlite(db, "SELECT count(*) FROM operator WHERE position('clave'::bytea in password_hash) > 0")
                    == "0")
            #expect(try sqliteColumn(db, "SELECT actor || ' ' || action || ' ' || subject FROM audit_log ORDER BY id")
                    == ["sistema crear_operador operador:1", "sistema crear_operador operador:2"])
            return
        }
        let check = try Boton.runPython("""
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            print(c.execute("SELECT username, role, password_rounds, length(password_salt), length(password_hash) "
                            "FROM operator ORDER BY id").fetchall())
            print(c.execute("SELECT count(*) FROM operator WHERE instr(password_hash, 'clave') > 0").fetchone()[0])
            print(c.execute("SELECT actor, action, subject FROM audit_log ORDER BY id").fetchall())
            """, db)
        #expect(check == """
            [('andrade', 'operador_upc', 600000, 16, 32), ('vera', 'supervisor_distrito', 600000, 16, 32)]
            0
            [('sistema', 'crear_operador', 'operador:1'), ('sistema', 'crear_operador', 'operador:2')]

            """)
    }
}

extension Boton {
    /// Runs a Python 3 script with `arguments`; returns its standard output.
    static func runPython(_ script: String, _ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
