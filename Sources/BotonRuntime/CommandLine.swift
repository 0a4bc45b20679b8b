/// A command of the `boton` tool: a name, its help, its options and positionals, and either subcommands or an
/// action. `boton` is a tree of these; `CommandLineParser` walks it.
public struct Command: Sendable {
    public struct Option: Sendable {
        public let name: String
        /// `nil` for a flag that takes no value.
        public let valueName: String?
        public let help: String
        public let required: Bool
        public init(_ name: String, value: String? = nil, help: String, required: Bool = false) {
            self.name = name
            self.valueName = value
            self.help = help
            self.required = required
        }
    }

    public typealias Action = @Sendable (ParsedArguments) throws -> Int32

    public let name: String
    public let summary: String
    public let details: String
    /// Positional arguments in order; a name in brackets (`[FILE]`) is optional and may only follow required ones.
    public let positionals: [(name: String, help: String)]
    public let options: [Option]
    public let subcommands: [Command]
    public let action: Action?

    public init(_ name: String, summary: String, details: String = "",
                positionals: [(name: String, help: String)] = [], options: [Option] = [],
                subcommands: [Command] = [], action: Action? = nil) {
        self.name = name
        self.summary = summary
        self.details = details
        self.positionals = positionals
        self.options = options
        self.subcommands = subcommands
        self.action = action
    }

    /// The `--help` text of this command, `path` being the words that lead to it (`boton territory locate`).
    public func help(path: [String]) -> String {
        let full = path.joined(separator: " ")
        var usage = "USAGE: \(full)"
        if !subcommands.isEmpty { usage += " <subcommand>" }
        for o in options where o.required { usage += " \(o.name) \(o.valueName ?? "")".trimmingSuffix() }
        if options.contains(where: { !$0.required }) { usage += " [options]" }
        for p in positionals { usage += " \(p.name)" }
        var text = "\(summary)\n\n\(usage)\n"
        if !details.isEmpty { text += "\n\(details)\n" }
        if !positionals.isEmpty {
            text += "\nARGUMENTS:\n"
            for p in positionals { text += "  \(p.name.padded(22)) \(p.help)\n" }
        }
        let all = options + [Option("--help", help: "Show this help.")]
        text += "\nOPTIONS:\n"
        for o in all {
            let left = o.valueName.map { "\(o.name) \($0)" } ?? o.name
            text += "  \(left.padded(22)) \(o.help)\(o.required ? " (required)" : "")\n"
        }
        if !subcommands.isEmpty {
            text += "\nSUBCOMMANDS:\n"
            for s in subcommands { text += "  \(s.name.padded(22)) \(s.summary)\n" }
            text += "\nSee '\(full) <subcommand> --help' for the options of each.\n"
        }
        return text
    }
}

/// What the parser found for the command it reached.
public struct ParsedArguments: Sendable {
    public let path: [String]
    public let positionals: [String]
    private let values: [String: [String]]
    private let flags: Set<String>

    init(path: [String], positionals: [String], values: [String: [String]], flags: Set<String>) {
        self.path = path
        self.positionals = positionals
        self.values = values
        self.flags = flags
    }

    public func flag(_ name: String) -> Bool { flags.contains(name) }
    public func value(_ name: String) -> String? { values[name]?.last }
    public func values(_ name: String) -> [String] { values[name] ?? [] }

    public func double(_ name: String) throws(UsageError) -> Double? {
        guard let text = value(name) else { return nil }
        guard let v = Double(text), v.isFinite else {
            throw UsageError(path: path, message: "\(name) expects a number, got '\(text)'")
        }
        return v
    }

    public func int(_ name: String) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let v = Int(text) else {
            throw UsageError(path: path, message: "\(name) expects a whole number, got '\(text)'")
        }
        return v
    }
}

/// The command line was not understood. `message` says what was wrong; the caller prints it with a pointer to
/// `--help`, and exits 64 (EX_USAGE).
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public let path: [String]
    public let message: String
    public init(path: [String], message: String) {
        self.path = path
        self.message = message
    }
    public var description: String {
        "\(path.joined(separator: " ")): \(message)\nSee '\(path.joined(separator: " ")) --help'."
    }
}

/// What to do after parsing.
public enum ParseOutcome: Sendable {
    case run(Command.Action, ParsedArguments)
    case help(String)
}

/// Walks the command tree over `arguments` (without the program name).
///
/// Options are `--name value` or `--name=value`, flags are `--name`; `--` ends options; `--help` or `-h`
/// anywhere prints the help of the deepest command reached. Unknown options, missing values, missing required
/// options and surplus or missing positionals are `UsageError`s that name the command.
public enum CommandLineParser {
    /// Parses `arguments` against `root` and runs the chosen command: help goes to standard output (status 0), a
    /// usage error to standard error (status 64), any other failure to standard error as `PROGRAM: …` (status 1).
    /// Returns the status for `exit`.
    public static func run(_ arguments: [String], root: Command) -> Int32 {
        do {
            switch try parse(arguments, root: root) {
            case .help(let text):
                print(text, terminator: "")
                return 0
            case .run(let action, let parsed):
                return try action(parsed)
            }
        } catch let error as UsageError {
            printToStandardError("\(error)\n")
            return 64
        } catch {
            printToStandardError("\(root.name): \(error)\n")
            return 1
        }
    }

    public static func parse(_ arguments: [String], root: Command) throws(UsageError) -> ParseOutcome {
        var command = root
        var path = [root.name]
        var rest = arguments[...]
        // Descend through subcommands.
        while !command.subcommands.isEmpty {
            guard let word = rest.first else {
                return .help(command.help(path: path))
            }
            if word == "--help" || word == "-h" || word == "help" { return .help(command.help(path: path)) }
            guard let next = command.subcommands.first(where: { $0.name == word }) else {
                let names = command.subcommands.map(\.name).joined(separator: ", ")
                throw UsageError(path: path, message: "unknown subcommand '\(word)' (expected one of: \(names))")
            }
            command = next
            path.append(word)
            rest = rest.dropFirst()
        }
        var values: [String: [String]] = [:]
        var flags = Set<String>()
        var positionals: [String] = []
        var optionsEnded = false
        while let word = rest.first {
            rest = rest.dropFirst()
            if !optionsEnded && word == "--" { optionsEnded = true; continue }
            if !optionsEnded && (word == "--help" || word == "-h") { return .help(command.help(path: path)) }
            if !optionsEnded && word.hasPrefix("--") {
                var name = word
                var inline: String?
                if let eq = word.firstIndex(of: "=") {
                    name = String(word[..<eq])
                    inline = String(word[word.index(after: eq)...])
                }
                guard let option = command.options.first(where: { $0.name == name }) else {
                    throw UsageError(path: path, message: "unknown option \(name)")
                }
                if option.valueName == nil {
                    if inline != nil { throw UsageError(path: path, message: "\(name) takes no value") }
                    flags.insert(name)
                } else if let inline {
                    values[name, default: []].append(inline)
                } else if let next = rest.first {
                    values[name, default: []].append(next)
                    rest = rest.dropFirst()
                } else {
                    throw UsageError(path: path, message: "\(name) needs a value (\(option.valueName!))")
                }
                continue
            }
            positionals.append(word)
        }
        for option in command.options where option.required && values[option.name] == nil {
            throw UsageError(path: path, message: "missing \(option.name) \(option.valueName ?? "")")
        }
        if positionals.count > command.positionals.count {
            let extra = positionals[command.positionals.count...].joined(separator: " ")
            throw UsageError(path: path, message: "unexpected argument(s): \(extra)")
        }
        let required = command.positionals.filter { !$0.name.hasPrefix("[") }.count
        if positionals.count < required {
            throw UsageError(path: path, message: "missing \(command.positionals[positionals.count].name)")
        }
        guard let action = command.action else { return .help(command.help(path: path)) }
        return .run(action, ParsedArguments(path: path, positionals: positionals, values: values, flags: flags))
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
    func trimmingSuffix() -> String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
