/// What a device or gateway frame asks for. The raw value is the Spanish name used in logs and metrics; the
/// byte on the wire is ``wireValue``.
public enum FrameKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// 1 — an emergency: the button was pressed.
    case alerta
    /// 2 — a test alert: same path, marked as a test, never counted as an emergency.
    case prueba
    /// 3 — the citizen cancels the alert in progress.
    case cancelacion
    /// 4 — a position update for the alert in progress.
    case posicion
    /// 5 — a keep-alive: the device is enrolled and reachable.
    case latido
    /// 6 — a carrier gateway reports a call from a registered line to the short code 135.
    case gateway
    /// 7 — the citizen confirms, from the enrolled device, the baja they asked for online (the número de trámite
    /// and document alone only ask for it). Answered ``AckStatus/aceptada`` when it gave the button de baja (the
    /// device's credential is revoked: its later frames are ``RejectReason/dadaDeBaja``), or
    /// ``AckStatus/rechazada`` with ``RejectReason/sinSolicitud`` when no baja of this device was asked for.
    case baja

    /// The kind byte (offset 3).
    public var wireValue: UInt8 {
        switch self {
        case .alerta: 1
        case .prueba: 2
        case .cancelacion: 3
        case .posicion: 4
        case .latido: 5
        case .gateway: 6
        case .baja: 7
        }
    }

    /// Nil for any byte that is not a device or gateway frame kind (including the server's own 0x80 and 0x81).
    public init?(wireValue: UInt8) {
        switch wireValue {
        case 1: self = .alerta
        case 2: self = .prueba
        case 3: self = .cancelacion
        case 4: self = .posicion
        case 5: self = .latido
        case 6: self = .gateway
        case 7: self = .baja
        default: return nil
        }
    }

    /// True for the six kinds a device sends (all but ``gateway``).
    public var isDeviceKind: Bool { self != .gateway }

    /// The exact size of a frame of this kind: 68 bytes for device frames, 72 for gateway frames.
    public var frameLength: Int { self == .gateway ? GatewayFrame.length : DeviceFrame.length }
}

/// The outcome the server reports in an ``Acknowledgement`` (offset 4). Raw values are the Spanish names used
/// in logs and metrics.
public enum AckStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// 0 — stored durably. The client stops sending this frame.
    case aceptada
    /// 1 — this exact frame was already stored (a retransmission). The client stops sending it.
    case duplicada
    /// 2 — the server is overloaded and did not store it. The client retries with backoff.
    case ocupadoReintente = "ocupado_reintente"
    /// 3 — refused; ``Acknowledgement/reason`` says why.
    case rechazada

    /// The status byte.
    public var wireValue: UInt8 {
        switch self {
        case .aceptada: 0
        case .duplicada: 1
        case .ocupadoReintente: 2
        case .rechazada: 3
        }
    }

    public init?(wireValue: UInt8) {
        switch wireValue {
        case 0: self = .aceptada
        case 1: self = .duplicada
        case 2: self = .ocupadoReintente
        case 3: self = .rechazada
        default: return nil
        }
    }
}

/// Why a frame was refused (offset 5 of an ``Acknowledgement`` or ``ShortRejection``). Raw values are the Spanish
/// names used in logs and metrics.
public enum RejectReason: String, Sendable, Hashable, CaseIterable, Codable {
    /// 0 — no rejection (every status but ``AckStatus/rechazada``).
    case ninguna
    /// 1 — the MAC does not match the enrolled secret.
    case clave
    /// 2 — the client timestamp is outside the replay window, or the sequence number was already used for a
    /// different frame.
    case ventana
    /// 3 — the device or gateway id is not enrolled (or a gateway's was revoked). Normally in a ``ShortRejection``.
    case desconocido
    /// 4 — the frame could not be parsed.
    case malformada
    /// 5 — a ``FrameKind/baja`` with no pending baja request for the device's enrollment: nothing was changed
    /// and the button keeps working. (The citizen first asks for the baja online, then confirms it.)
    case sinSolicitud = "sin_solicitud"
    /// 6 — the device was switched off: its credential was revoked (the citizen's baja, confirmed from the button or
    /// by the UPC, or the line registered again with another device). Only in an authenticated
    /// ``Acknowledgement`` signed with the device's own key, and only for a frame whose MAC verifies, so the phone
    /// can believe it and tell its owner that the button no longer sends alerts.
    case dadaDeBaja = "dada_de_baja"

    /// The reason byte.
    public var wireValue: UInt8 {
        switch self {
        case .ninguna: 0
        case .clave: 1
        case .ventana: 2
        case .desconocido: 3
        case .malformada: 4
        case .sinSolicitud: 5
        case .dadaDeBaja: 6
        }
    }

    public init?(wireValue: UInt8) {
        switch wireValue {
        case 0: self = .ninguna
        case 1: self = .clave
        case 2: self = .ventana
        case 3: self = .desconocido
        case 4: self = .malformada
        case 5: self = .sinSolicitud
        case 6: self = .dadaDeBaja
        default: return nil
        }
    }
}
