import Foundation
import Glibc
import Testing
@testable import BotonWebKit
@testable import BotonRuntime

@Suite struct ConfigurationTests {
    @Test func theShippedFileIsTheDefaults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var shipped = try Configuration.load(path: root.appendingPathComponent("Config/boton.conf").path)
        shipped.baseDirectory = "."
        #expect(shipped == Configuration())
    }

    @Test func parsesSectionsCommentsAndResolvesPathsAgainstTheFile() throws {
        var c = try Configuration.parse("""
            # comment
            [store]
            path = data/x.sqlite   # trailing comment
            [http]
            port = 9090
            connection_threads = 3
            health_interval_ms = 1000
            [log]
            level = debug
            """)
        c.baseDirectory = "/etc/boton"
        #expect(c.http.port == 9090)
        #expect(c.http.connectionThreads == 3)
        #expect(c.http.healthIntervalMilliseconds == 1000)
        #expect(c.log.level == .debug)
        #expect(c.databasePath == "/etc/boton/data/x.sqlite")
        c.store.path = "/var/lib/boton.sqlite"
        #expect(c.databasePath == "/var/lib/boton.sqlite")
    }

    /// Issue 15, item 10: the console's base tiles, and the one host its page's CSP then allows images from.
    @Test func theMapTilesURLAndItsHostAsACSPSource() throws {
        #expect(Configuration().console.mapTilesURL == "" && Configuration().console.mapTilesSource == nil)
        let c = try Configuration.parse("[console]\nmap_tiles_url = https://tile.openstreetmap.org/{z}/{x}/{y}.png\n")
        #expect(c.console.mapTilesSource == "https://tile.openstreetmap.org")
        let s = try Configuration.parse("[console]\nmap_tiles_url = http://{s}.mapas.local:8081/t/{z}/{x}/{y}.png\n")
        #expect(s.console.mapTilesSource == "http://*.mapas.local:8081")
        #expect(Configuration().console.leafletDirectory == "/usr/share/javascript/leaflet")
    }

    @Test func theStoreBackendAndItsConnectionString() throws {
        let c = try Configuration.parse("""
            [store]
            backend = postgresql
            postgresql = host=db1,db2 dbname=boton target_session_attrs=read-write
            """)
        #expect(c.store.backend == .postgresql)
        #expect(c.store.postgresql == "host=db1,db2 dbname=boton target_session_attrs=read-write")
        #expect(try Configuration.parse("[store]\nbackend = sqlite\n").store.backend == .sqlite)
        // A "#" inside a value (a password) is the value's; one after a space starts a comment.
        let hashed = try Configuration.parse("""
            [store]   # the database
            backend = postgresql  # several nodes
            postgresql = postgresql://boton:pa#ss@db1/boton?sslmode=require #pa#ss is not a comment's start
            """)
        #expect(hashed.store.postgresql == "postgresql://boton:pa#ss@db1/boton?sslmode=require")
        #expect(try Configuration.parse("[store]\n#backend = postgresql\n").store.backend == .sqlite)
        var d = Configuration()
        try d.set("store.backend", "postgresql")
        #expect(throws: ConfigurationError.self) { try d.validate() }
        try d.set("store.postgresql", "postgresql://boton@db1/boton")
        try d.validate()
    }

    @Test(arguments: [
        ("[nope]\n", 1, "unknown section [nope]"),
        ("[http]\nport = eighty\n", 2, "http.port = eighty: expected a whole number"),
        ("[http]\nport = 70000\n", 2, "must be between 0 and 65535"),
        ("[http]\nport = 1\nport = 2\n", 3, "http.port is set twice"),
        ("[http]\nhealth_interval_ms = 5\n", 2, "must be between 10 and 60000"),
        ("[ingest]\nstalled_commit_ms = 50\n", 2, "must be between 100 and 600000"),
        ("port = 1\n", 1, "port is outside any [section]"),
        ("[http]\njust words\n", 2, "expected key = value"),
        ("[log]\nlevel = loud\n", 2, "expected debug, info, warning or error"),
        ("[territory]\nfallback_radius_m = -1\n", 2, "expected metres"),
        ("[store\n", 1, "must end with ]"),
        ("[store]\nbackend = oracle\n", 2, "store.backend = oracle: expected sqlite or postgresql"),
        ("[store]\npath = x\nbackend = postgresql\n", 3, "store.backend = postgresql needs store.postgresql"),
        ("[store]\npostgresql =\n", 2, "must not be empty"),
        ("[console]\nmap_tiles_url = tiles.example.org/{z}/{x}/{y}.png\n", 2, "expected an http(s) URL template"),
        ("[console]\nmap_tiles_url = https://tiles.example.org/mapa.png\n", 2, "with {z}, {x} and {y}"),
        ("[console]\nmap_tiles_url = https://evil.org\"; script-src */{z}/{x}/{y}\n", 2, "expected an http(s) URL"),
    ])
    func badLinesAreNamed(text: String, line: Int, reason: String) {
        #expect {
            _ = try Configuration.parse(text, file: "t.conf")
        } throws: { error in
            guard let e = error as? ConfigurationError else { return false }
            return e.line == line && e.description.hasPrefix("t.conf:\(line): ") && e.reason.contains(reason)
        }
    }
}

@Suite struct CommandLineParserTests {
    static let leaf = Command("locate", summary: "Locate.", positionals: [("[FILE]", "optional")],
                              options: [.init("--lat", value: "LAT", help: "lat"), .init("--stats", help: "flag"),
                                        .init("--need", value: "X", help: "needed", required: true)]) { _ in 7 }
    static let root = Command("boton", summary: "Root.", subcommands: [
        Command("territory", summary: "Territory.", subcommands: [leaf]),
    ])

    @Test func parsesOptionsFlagsAndPositionals() throws {
        guard case .run(let action, let args) = try CommandLineParser.parse(
            ["territory", "locate", "--lat=-0.5", "--stats", "--need", "x", "f.csv"], root: Self.root) else {
            Issue.record("expected run"); return
        }
        #expect(try action(args) == 7)
        #expect(try args.double("--lat") == -0.5)
        #expect(args.flag("--stats"))
        #expect(args.value("--need") == "x")
        #expect(args.positionals == ["f.csv"])
        #expect(args.path == ["boton", "territory", "locate"])
    }

    @Test func negativeNumbersAsValuesAndDoubleDash() throws {
        guard case .run(_, let args) = try CommandLineParser.parse(
            ["territory", "locate", "--lat", "-78.5", "--need", "y", "--", "--weird-file"], root: Self.root) else {
            Issue.record("expected run"); return
        }
        #expect(args.value("--lat") == "-78.5")
        #expect(args.positionals == ["--weird-file"])
    }

    @Test func helpAnywhere() throws {
        guard case .help(let text) = try CommandLineParser.parse(["territory", "locate", "--help"], root: Self.root)
        else { Issue.record("expected help"); return }
        #expect(text.contains("USAGE: boton territory locate --need X [options] [FILE]"))
        #expect(text.contains("--stats"))
        guard case .help(let top) = try CommandLineParser.parse([], root: Self.root) else {
            Issue.record("expected help"); return
        }
        #expect(top.contains("territory"))
    }

    @Test(arguments: [
        (["territory", "nope"], "unknown subcommand 'nope'"),
        (["territory", "locate", "--need", "x", "--bogus"], "unknown option --bogus"),
        (["territory", "locate", "--need"], "--need needs a value"),
        (["territory", "locate"], "missing --need"),
        (["territory", "locate", "--need", "x", "a", "b"], "unexpected argument(s): b"),
        (["territory", "locate", "--need", "x", "--stats=yes"], "--stats takes no value"),
    ])
    func usageErrorsSayWhatIsWrong(arguments: [String], message: String) {
        #expect {
            _ = try CommandLineParser.parse(arguments, root: Self.root)
        } throws: { error in
            (error as? UsageError)?.message.contains(message) == true
        }
    }

    @Test func badNumbersAreUsageErrors() throws {
        guard case .run(_, let args) = try CommandLineParser.parse(
            ["territory", "locate", "--lat", "north", "--need", "x"], root: Self.root) else {
            Issue.record("expected run"); return
        }
        #expect(throws: UsageError.self) { _ = try args.double("--lat") }
    }
}

@Suite struct LoggerTests {
    @Test func oneLinePerEventInOneWrite() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let logger = Logger(level: .info, fileDescriptor: fds[1]).with("ctx", "a b")
        logger.debug("oculto", [:])
        #expect(!logger.isEnabled(.debug) && logger.isEnabled(.warning))
        logger.info("evento", ["k": "v=1", "n": "2", "ñ": "año"])
        close(fds[1])
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let n = read(fds[0], &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0 ..< n]
        }
        let line = String(decoding: bytes, as: UTF8.self)
        #expect(line.hasSuffix(" level=info event=evento ctx=\"a b\" k=\"v=1\" n=2 ñ=año\n"))
        let ts = try #require(line.split(separator: " ").first)
        #expect(ts.count == "ts=2026-11-21T17:42:00.123Z".count && ts.hasPrefix("ts=20") && ts.hasSuffix("Z"))
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test func quotesOnlyWhatNeedsIt() {
        #expect(Logger.quote("plain") == "plain")
        #expect(Logger.quote("two words") == "\"two words\"")
        #expect(Logger.quote("a=b") == "\"a=b\"")
        #expect(Logger.quote("say \"hi\"\n") == "\"say \\\"hi\\\"\\n\"")
        #expect(Logger.quote("") == "\"\"")
        // The access log's duration field: two decimals, to the nearest hundredth, without Foundation.
        #expect(WebMetrics.milliseconds(.milliseconds(1)) == "1.00")
        #expect(WebMetrics.milliseconds(.microseconds(1_234)) == "1.23")
        #expect(WebMetrics.milliseconds(.microseconds(1_236)) == "1.24")
        #expect(WebMetrics.milliseconds(.microseconds(50)) == "0.05")
        #expect(WebMetrics.milliseconds(.seconds(12) + .microseconds(3_996)) == "12004.00")
        #expect(WebMetrics.milliseconds(.zero) == "0.00")
    }
}
