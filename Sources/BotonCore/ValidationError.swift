/// A rejected input, described for the three people who meet it.
///
/// - `field` names the input that was wrong (`cedula`, `telefono`, `subcircuito`, …), so a form can put the
///   message next to that field and a JSON API can name it.
/// - `reason` is a stable machine code (`length`, `check_digit`, …) that clients and tests can switch on.
/// - `mensaje` is the Spanish (Ecuador) sentence a citizen or operator reads.
///
/// Every validator in the domain throws a concrete error type conforming to this protocol.
public protocol ValidationError: Error, Sendable, CustomStringConvertible {
    var field: String { get }
    var reason: String { get }
    var mensaje: String { get }
}

extension ValidationError {
    public var description: String { "\(field): \(reason): \(mensaje)" }
}
