import BotonNet
import BotonTestSupport
import Foundation

/// A browser as the integration tests need one: a keep-alive connection, a cookie jar fed by `Set-Cookie`, forms
/// posted URL-encoded with the page's CSRF token, JSON bodies.
final class WebClient {
    let http: HTTPTestClient
    /// name → value, as the server last set them (a `Max-Age=0` cookie is removed).
    var cookies: [String: String] = [:]
    /// Every `Set-Cookie` value of the last response.
    private(set) var lastSetCookies: [String] = []

    /// `source`: the local address to connect from (127.0.0.2 is a second client address on loopback).
    init(port: Int, tls: TLSContext? = nil, source: String? = nil) throws {
        http = try HTTPTestClient(port: port, tls: tls, source: source)
    }

    @discardableResult
    func request(_ method: String, _ target: String, headers: [String: String] = [:], body: [UInt8] = []) throws
        -> TestResponse
    {
        var headers = headers
        if !cookies.isEmpty {
            headers["Cookie"] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        let response = try http.request(method, target, headers: headers, body: body)
        lastSetCookies = response.headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1)
        for cookie in lastSetCookies {
            let pair = cookie.split(separator: ";")[0]
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            if cookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return response
    }

    @discardableResult
    func get(_ target: String, headers: [String: String] = [:]) throws -> TestResponse {
        try request("GET", target, headers: headers)
    }

    /// POSTs `fields` as `application/x-www-form-urlencoded`, in order.
    @discardableResult
    func postForm(_ target: String, _ fields: [(String, String)], headers: [String: String] = [:]) throws
        -> TestResponse
    {
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return try request("POST", target, headers: headers, body: Array(Self.formEncode(fields).utf8))
    }

    @discardableResult
    func postJSON(_ target: String, _ object: Any, method: String = "POST", headers: [String: String] = [:]) throws
        -> TestResponse
    {
        var headers = headers
        headers["Content-Type"] = "application/json"
        return try request(method, target, headers: headers,
                           body: Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
    }

    /// GETs a page and returns its CSRF token (the hidden `csrf` field).
    func csrfToken(from target: String) throws -> String {
        let page = try get(target)
        guard let token = Self.csrf(in: page.text) else {
            throw WebClientError("no CSRF field on \(target) (status \(page.status))")
        }
        return token
    }

    /// The value of the first hidden `csrf` field of a page.
    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([0-9a-f]{32}\.[0-9a-f]{32})""#, options: .regularExpression)
        else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    static func formEncode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }
}

struct WebClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A citizen's data for the tests: a valid form at a place of the bundled territory.
struct Applicant {
    var cedula = "1710034065"
    var phone = "099 123 4567"
    /// Quito (UPC-17D04C01S01) by default.
    var latitude = "-0.2202"
    var longitude = "-78.5123"
    var names = "María José"
    var surnames = "Pérez Andrade"

    static let quitoUPC = "UPC-17D04C01S01"
    /// Guayaquil, UPC-09D03C01S01 (another zona).
    static let guayaquil = (latitude: "-2.1894", longitude: "-79.8862", upc: "UPC-09D03C01S01")

    /// The HTML form's fields (without the CSRF token).
    var fields: [(String, String)] {
        [("tipo_documento", "cedula"), ("numero_documento", cedula), ("nacionalidad", ""), ("nombres", names),
         ("apellidos", surnames), ("fecha_nacimiento", "1985-04-23"), ("telefono", phone),
         ("correo", "maria.perez@correo.ec"), ("direccion_domicilio", "Av. Amazonas N34-12 y Av. República"),
         ("domicilio_latitud", latitude), ("domicilio_longitud", longitude), ("direccion_trabajo", ""),
         ("trabajo_latitud", ""), ("trabajo_longitud", ""),
         ("contacto_1_nombre", "Luis Pérez"), ("contacto_1_telefono", "098 765 4321"),
         ("contacto_2_nombre", "Ana Andrade"), ("contacto_2_telefono", "02 234 5678"),
         ("contacto_3_nombre", "Jorge Ortiz"), ("contacto_3_telefono", "+593 98 111 2233"),
         ("consentimiento_datos", "si"), ("politica_uso", "si")]
    }

    /// The JSON API's body.
    var json: [String: Any] {
        ["tipo_documento": "cedula", "numero_documento": cedula, "nombres": names, "apellidos": surnames,
         "fecha_nacimiento": "1985-04-23", "telefono": phone, "correo": "maria.perez@correo.ec",
         "direccion_domicilio": "Av. Amazonas N34-12 y Av. República",
         "domicilio_latitud": Double(latitude)!, "domicilio_longitud": Double(longitude)!,
         "contactos": [["nombre": "Luis Pérez", "telefono": "098 765 4321"],
                       ["nombre": "Ana Andrade", "telefono": "02 234 5678"],
                       ["nombre": "Jorge Ortiz", "telefono": "+593 98 111 2233"]],
         "consentimiento_datos": true, "politica_uso": true]
    }
}

/// The password of every operator the web tests create.
let officerPassword = "clave-de-prueba-123"

/// Creates an `operador_upc` account with `boton operator add` (the production 600,000 PBKDF2 rounds).
func addOfficer(_ db: String, _ username: String, upc: String) throws {
    let result = try Boton.run(["operator", "add", "--database", db, "--usuario", username, "--nombre",
                                "Sbte. \(username.capitalized)", "--rol", "operador_upc", "--upc", upc,
                                "--password-stdin"], stdin: officerPassword + "\n")
    guard result.status == 0 else { throw WebClientError("operator add failed: \(result.stderr)") }
}

extension TestResponse {
    /// A JSON object's member (`a.b` walks into objects).
    func value(_ path: String) throws -> Any? {
        var current: Any? = try json()
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    func string(_ path: String) throws -> String? { try value(path) as? String }
}

/// The server's `/metrics` text, from its metrics listener.
func metricsText(_ server: Server) throws -> String {
    let response = try HTTPTestClient(port: server.metricsPort).request("GET", "/metrics")
    guard response.status == 200 else { throw WebClientError("/metrics answered \(response.status)") }
    return response.text
}
