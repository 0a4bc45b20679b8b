/// An e-mail address, checked for basic syntax only (whether it receives mail is another matter):
///
/// - one `@`; surrounding whitespace removed; at most 254 characters;
/// - local part of 1–64 ASCII characters from the RFC 5322 *atext* set and dots, not starting or ending with a
///   dot and without two dots together (quoted local parts are not accepted);
/// - domain of at least two labels of ASCII letters, digits and hyphens (not at a label's ends), each 1–63
///   long, the last one at least two letters. The domain is lower-cased.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    public init(_ input: String) throws(EmailAddressError) {
        let trimmed = input.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw EmailAddressError(.empty) }
        let u = Array(trimmed.utf8)
        guard u.count <= 254, let at = u.firstIndex(of: UInt8(ascii: "@")),
              u.lastIndex(of: UInt8(ascii: "@")) == at else { throw EmailAddressError(.syntax) }
        let local = u[..<at], domain = u[(at + 1)...]
        let atext = Set("!#$%&'*+/=?^_`{|}~-".utf8)
        func isAlnum(_ c: UInt8) -> Bool {
            (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
        }
        guard (1...64).contains(local.count), local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."),
              local.allSatisfy({ isAlnum($0) || atext.contains($0) || $0 == UInt8(ascii: ".") }),
              !zip(local, local.dropFirst()).contains(where: { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") })
        else { throw EmailAddressError(.syntax) }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw EmailAddressError(.syntax) }
        for label in labels {
            guard (1...63).contains(label.count), label.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") }),
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { throw EmailAddressError(.syntax) }
        }
        let tld = labels.last!
        guard tld.count >= 2, tld.allSatisfy({ !(0x30...0x39).contains($0) && $0 != UInt8(ascii: "-") }) else {
            throw EmailAddressError(.syntax)
        }
        let lowerDomain = domain.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
        text = String(decoding: Array(local) + [UInt8(ascii: "@")] + lowerDomain, as: UTF8.self)
    }

    public var description: String { text }
}

/// Why an e-mail address was rejected. `field` is `correo`.
public struct EmailAddressError: ValidationError, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        case empty, syntax
    }
    public let kind: Reason
    public init(_ kind: Reason) { self.kind = kind }
    public var field: String { "correo" }
    public var reason: String { kind.rawValue }
    public var mensaje: String {
        switch kind {
        case .empty: return "Ingrese su correo electrónico."
        case .syntax: return "El correo electrónico no es válido. Escríbalo completo, por ejemplo nombre@dominio.com."
        }
    }
}
