import BotonHTTP
import BotonWebKit

/// Guesses of a número de trámite and its document, limited per trámite and per document whatever the address
/// (the per-address limiter alone lets a script spread over many addresses step through the sequential trámites):
/// before the status page or the baja looks a pair up, both keys must have a guess left (``attemptWait(tramite:document:)``);
/// a wrong pair takes one from both (``recordWrongPair(tramite:document:)``). Settings
/// `http.tramite_attempts_burst` and `http.tramite_attempts_per_hour`.
extension EnrollmentWeb {
    /// The limiter's keys: the trámite and the document as typed, upper case, letters and digits only (so that
    /// `bs-2026-000123-4` and `BS 2026 000123 4` are one key).
    static func attemptKeys(tramite: String, document: String) -> [String] {
        func key(_ text: String) -> String {
            String(text.uppercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0" ... "9").contains($0) }
                .map(Character.init))
        }
        return ["tramite:" + key(tramite), "documento:" + key(document)]
    }

    private var attemptClock: Double { Double(clock().millisecondsSince1970) / 1000 }

    /// Nil when both the trámite and the document have a guess left, else the seconds until both have.
    func attemptWait(tramite: String, document: String) -> Int? {
        let now = attemptClock
        let waits = Self.attemptKeys(tramite: tramite, document: document).compactMap { attemptLimiter.wait($0, now: now) }
        guard let wait = waits.max() else { return nil }
        logger.warning("tramite_attempts_exceeded", ["retry_after_s": String(wait)])
        return wait
    }

    /// A wrong pair counts against both its trámite and its document.
    func recordWrongPair(tramite: String, document: String) {
        let now = attemptClock
        for key in Self.attemptKeys(tramite: tramite, document: document) { _ = attemptLimiter.take(key, now: now) }
    }

    static func attemptsMessage(wait: Int) -> String {
        let minutes = max(1, (wait + 59) / 60)
        return "Hubo demasiados intentos con ese número de trámite o ese número de documento. Por seguridad, espere "
            + (minutes == 1 ? "un minuto" : "\(minutes) minutos") + " e intente de nuevo. Si no tiene a mano su número "
            + "de trámite, acérquese con su documento a cualquier Unidad de Policía Comunitaria."
    }

    /// 429 with `Retry-After` for a page.
    static func attemptsPage(wait: Int, body: String = "", cookies: [String]) -> HTTPResponse {
        var response = page("Demasiados intentos", HTML.alert(attemptsMessage(wait: wait)) + body,
                            status: .tooManyRequests, cookies: cookies)
        response.headers.replace(name: "Retry-After", value: String(wait))
        return response
    }

    /// 429 with `Retry-After` for the API: `{"error": "demasiados_intentos", …}`.
    static func attemptsJSON(wait: Int) throws -> HTTPResponse {
        var response = try json(APIJSON.Failure(error: "demasiados_intentos", mensaje: attemptsMessage(wait: wait),
                                                errores: nil), status: .tooManyRequests)
        response.headers.replace(name: "Retry-After", value: String(wait))
        return response
    }
}
