import BotonCore
import BotonHTTP
import BotonRepository
import Foundation
import BotonEnrollment

/// A refusal of the API that is not the service's: bad body, no session, no CSRF header.
struct APIFailure: Error {
    let status: HTTPStatus
    let code: String
    let mensaje: String
}

/// The JSON API `/api/v1/…`: every step of enrollment, over the same ``EnrollmentService`` as the pages. Documented
/// with examples in the DocC article *API*.
///
/// - Bodies are JSON (`Content-Type: application/json`, else 415): a page on another site cannot send one
///   without a CORS preflight, which this server never grants, so the citizens' endpoints need no CSRF token.
/// - Officers authenticate with the `boton_sesion` cookie from `POST /api/v1/sesiones`; their state-changing calls
///   also need `X-CSRF-Token` (the `csrf` of the sign-in answer, bound to the session) with the `boton_csrf`
///   cookie: 403 otherwise. No session: 401.
/// - Refusals are `{"error": code, "mensaje": "…"}` (plus `"errores": {campo: mensaje}` for a form), with the
///   status of the ``EnrollmentError`` kind: 404, 403, 409, 422, 503.
extension EnrollmentWeb {
    static let csrfHeader = "X-CSRF-Token"

    typealias APIHandler = @Sendable (HTTPRequest, RouteParameters, OfficerSession) throws -> HTTPResponse

    func installAPI(into router: inout Router) {
        router.post("/api/v1/enrolamientos", formLimiter.limiting(api { [self] request, _ in
            let (form, _) = try Self.jsonForm(try Self.jsonObject(request))
            let submitted = try withService { (service) throws(EnrollmentError) in try service.submitOnline(form, at: clock()) }
            logger.info("enrollment_submitted", ["tramite": submitted.tramite, "upc": submitted.upcCode,
                                                 "channel": "en_linea", "via": "api"])
            return try Self.json(APIJSON.Submitted(submitted), status: .created)
        }, refusal: Self.rateLimitJSON))
        router.get("/api/v1/enrolamientos/estado", statusLimiter.limiting(api { [self] request, _ in
            let tramite = request.query("tramite") ?? "", document = request.query("documento") ?? ""
            guard !tramite.trimmed.isEmpty, !document.trimmed.isEmpty else { throw Self.notFoundFailure }
            if let wait = attemptWait(tramite: tramite, document: document) { return try Self.attemptsJSON(wait: wait) }
            guard let view = try withService({ (service) throws(EnrollmentError) in
                try service.status(tramite: tramite, document: document)
            }) else {
                recordWrongPair(tramite: tramite, document: document)
                throw Self.notFoundFailure
            }
            return try Self.json(APIJSON.Status(view))
        }, refusal: Self.rateLimitJSON))
        router.post("/api/v1/enrolamientos/:tramite/baja", statusLimiter.limiting(api { [self] request, parameters in
            let body = try Self.jsonObject(request)
            let tramite = parameters["tramite"] ?? "", document = body["documento"]?.text ?? ""
            guard !document.trimmed.isEmpty else { throw Self.notFoundFailure }
            if let wait = attemptWait(tramite: tramite, document: document) { return try Self.attemptsJSON(wait: wait) }
            let view: EnrollmentStatusView
            do throws(EnrollmentError) {
                view = try withService { (service) throws(EnrollmentError) in try service.requestBaja(tramite: tramite, document: document, at: clock()) }
            } catch {
                if error.kind == .notFound {
                    recordWrongPair(tramite: tramite, document: document)
                    throw Self.notFoundFailure
                }
                throw error
            }
            logger.info("enrollment_baja_requested", ["tramite": view.tramite, "channel": "api"])
            // Accepted, not done: the baja waits for the button's or the UPC's confirmation.
            return try Self.json(APIJSON.Status(view), status: .accepted)
        }, refusal: Self.rateLimitJSON))

        router.post("/api/v1/sesiones", loginLimiter.limiting(api { [self] request, _ in
            let body = try Self.jsonObject(request)
            switch authenticate(username: body["usuario"]?.text ?? "", password: body["contrasena"]?.text ?? "",
                                request: request) {
            case .success(let (session, cookie)):
                let (token, csrfCookie) = try csrf.token(for: request, session: session.csrfBinding)
                var response = try Self.json(APIJSON.Session(session, csrf: token), status: .created)
                response.headers.add(name: "Set-Cookie", value: cookie)
                if let csrfCookie { response.headers.add(name: "Set-Cookie", value: csrfCookie) }
                return response
            case .failure(let error):
                var response = try Self.json(
                    APIJSON.Failure(error: error.kind == .locked ? "demasiados_intentos" : error.kind == .unauthorized
                                        ? "credenciales" : error.kind.rawValue, mensaje: error.mensaje, errores: nil),
                    status: Self.status(for: error))
                if let wait = retryAfter(error) { response.headers.replace(name: "Retry-After", value: String(wait)) }
                return response
            }
        }, refusal: Self.rateLimitJSON))
        router.get("/api/v1/sesiones/actual", officerAPI { [self] request, _, session in
            let (token, cookie) = try csrf.token(for: request, session: session.csrfBinding)
            var response = try Self.json(APIJSON.Session(session, csrf: token))
            if let cookie { response.headers.add(name: "Set-Cookie", value: cookie) }
            return response
        })
        router.delete("/api/v1/sesiones/actual", officerAPI { [self] request, _, session in
            do throws(StoreError) { try store.withConnection { (connection) throws(StoreError) in try sessions.signOut(session, store: connection, at: clock()) } } catch {
                throw EnrollmentError.storage(error)
            }
            logger.info("officer_signed_out", ["operator": String(session.identity.id), "via": "api"])
            var response = HTTPResponse(status: .noContent)
            response.headers.add(name: "Set-Cookie", value: sessions.expiredCookie(secure: request.isSecure))
            return response
        })

        router.get("/api/v1/oficial/enrolamientos", officerAPI { [self] _, _, session in
            try Self.json(APIJSON.List(solicitudes: try withService { (service) throws(EnrollmentError) in try service.pending(for: session.identity) }.map(APIJSON.Summary.init)))
        })
        router.post("/api/v1/oficial/enrolamientos", officerAPI { [self] request, _, session in
            let (form, values) = try Self.jsonForm(try Self.jsonObject(request))
            let submitted = try withService { (service) throws(EnrollmentError) in try service.createInPerson(
                form,
                usagePolicyExplained: EnrollmentFormPage.ticked(values[EnrollmentForm.Field.politicaExplicada.rawValue]),
                by: session.identity, at: clock()) }
            logger.info("enrollment_submitted", ["tramite": submitted.tramite, "upc": submitted.upcCode,
                                                 "channel": "presencial", "operator": String(session.identity.id),
                                                 "via": "api"])
            return try Self.json(APIJSON.Submitted(submitted), status: .created)
        })
        router.get("/api/v1/oficial/enrolamientos/:tramite", officerAPI { [self] _, parameters, session in
            try Self.json(APIJSON.Detail(try withService { (service) throws(EnrollmentError) in try service.detail(parameters["tramite"] ?? "", for: session.identity,
                                                              at: clock()) }))
        })
        router.post("/api/v1/oficial/enrolamientos/:tramite/contactos", officerAPI { [self] request, parameters, session in
            let body = try Self.jsonObject(request)
            guard let result = ContactResult(rawValue: body["resultado"]?.text ?? "") else {
                throw APIFailure(status: .unprocessableContent, code: "resultado",
                                 mensaje: "El resultado del contacto es uno de: "
                                     + ContactResult.allCases.map(\.rawValue).joined(separator: ", ") + ".")
            }
            let summary = try withService { (service) throws(EnrollmentError) in try service.recordContact(parameters["tramite"] ?? "", result: result,
                                                      note: body["nota"]?.text, by: session.identity, at: clock()) }
            return try Self.json(APIJSON.Summary(summary))
        })
        router.post("/api/v1/oficial/enrolamientos/:tramite/verificar", officerAPI { [self] request, parameters, session in
            _ = try Self.jsonObject(request, allowEmpty: true)
            return try Self.json(APIJSON.Summary(try withService { (service) throws(EnrollmentError) in try service.verify(parameters["tramite"] ?? "", by: session.identity,
                                                                      at: clock()) }))
        })
        router.post("/api/v1/oficial/enrolamientos/:tramite/rechazar", officerAPI { [self] request, parameters, session in
            let body = try Self.jsonObject(request)
            return try Self.json(APIJSON.Summary(try withService { (service) throws(EnrollmentError) in try service.reject(parameters["tramite"] ?? "",
                                                                      reason: body["motivo"]?.text ?? "",
                                                                      by: session.identity, at: clock()) }))
        })
        router.post("/api/v1/oficial/enrolamientos/:tramite/registrar", officerAPI { [self] request, parameters, session in
            _ = try Self.jsonObject(request, allowEmpty: true)
            let registration = try withService { (service) throws(EnrollmentError) in try service.register(parameters["tramite"] ?? "", by: session.identity, at: clock()) }
            logger.info("enrollment_registered", ["tramite": registration.summary.tramite,
                                                  "operator": String(session.identity.id),
                                                  "line_kind": registration.line.kind.rawValue, "via": "api"])
            return try Self.json(APIJSON.Registered(registration))
        })
        router.post("/api/v1/oficial/enrolamientos/:tramite/confirmar-prueba", officerAPI { [self] request, parameters, session in
            _ = try Self.jsonObject(request, allowEmpty: true)
            let summary = try store.withConnection({ (connection) throws(EnrollmentError) in
                try Self.confirmTest(parameters["tramite"] ?? "", by: session.identity, at: clock(),
                                     connection: connection, logger: logger, routing: routing)
            }, unavailable: { EnrollmentError.storage($0) })
            return try Self.json(APIJSON.Summary(summary))
        })
        router.post("/api/v1/oficial/enrolamientos/:tramite/confirmar-baja", officerAPI { [self] request, parameters, session in
            _ = try Self.jsonObject(request, allowEmpty: true)
            return try Self.json(APIJSON.Summary(try withService { (service) throws(EnrollmentError) in
                try service.confirmBaja(parameters["tramite"] ?? "", by: session.identity, at: clock())
            }))
        })
        router.post("/api/v1/oficial/enrolamientos/:tramite/rechazar-baja", officerAPI { [self] request, parameters, session in
            let body = try Self.jsonObject(request)
            return try Self.json(APIJSON.Summary(try withService { (service) throws(EnrollmentError) in
                try service.rejectBaja(parameters["tramite"] ?? "", reason: body["motivo"]?.text ?? "",
                                       by: session.identity, at: clock())
            }))
        })
    }

    // MARK: Wrappers

    /// Turns the service's refusals and ``APIFailure``s into JSON answers.
    func api(_ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> HTTPResponse) -> RouteHandler {
        { [self] request, parameters in
            do {
                return try handler(request, parameters)
            } catch let error as EnrollmentError {
                log(error, route: request.path)
                return try Self.json(APIJSON.Failure(error: error.code, mensaje: error.mensaje,
                                                     errores: error.form?.messages),
                                     status: Self.status(for: error.kind))
            } catch let failure as APIFailure {
                return try Self.json(APIJSON.Failure(error: failure.code, mensaje: failure.mensaje, errores: nil),
                                     status: failure.status)
            }
        }
    }

    /// An officer's endpoint: 401 without a live session; for anything but GET, 403 without the session's CSRF
    /// token in `X-CSRF-Token` (and the `boton_csrf` cookie).
    func officerAPI(_ handler: @escaping APIHandler) -> RouteHandler {
        api { [self] request, parameters in
            let session: OfficerSession?
            do throws(StoreError) {
                session = try store.withConnection { (connection) throws(StoreError) in try sessions.current(request, store: connection, at: clock()) }
            } catch {
                throw EnrollmentError.storage(error)
            }
            guard let session else {
                let had = sessions.hasCookie(request)
                throw APIFailure(status: .unauthorized, code: had ? "sesion_vencida" : "sin_sesion",
                                 mensaje: had ? "Su sesión terminó. Inicie sesión de nuevo."
                                     : "Inicie sesión para usar este servicio.")
            }
            if request.method != .get && request.method != .head {
                guard csrf.verify(request, submitted: request.header(Self.csrfHeader), session: session.csrfBinding) else {
                    logger.info("csrf_refused", ["route": request.path, "operator": String(session.identity.id)])
                    throw APIFailure(status: .forbidden, code: "csrf",
                                     mensaje: "Falta el encabezado \(Self.csrfHeader) de esta sesión, o no corresponde.")
                }
            }
            return try handler(request, parameters, session)
        }
    }

    // MARK: Bodies and answers

    static let notFoundFailure = APIFailure(status: .notFound, code: "tramite_not_found", mensaje: notFoundMessage)

    /// The body as a JSON object (`allowEmpty`: no body is `{}`).
    static func jsonObject(_ request: HTTPRequest, allowEmpty: Bool = false) throws -> [String: JSONValue] {
        if allowEmpty && request.body.isEmpty { return [:] }
        guard let type = request.header("Content-Type")?.lowercased(),
              type.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) == "application/json" else {
            throw APIFailure(status: .unsupportedMediaType, code: "tipo_contenido",
                             mensaje: "El cuerpo debe ser JSON (Content-Type: application/json).")
        }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(request.body)) else {
            throw APIFailure(status: .badRequest, code: "json_invalido", mensaje: "El cuerpo no es un objeto JSON válido.")
        }
        return object
    }

    /// A form body in JSON: the page's field names, `contactos` as a list of `{nombre, telefono}` (exactly what
    /// was sent: fewer than three is reported as such), booleans for the checkboxes. Returns the form and the
    /// flat values (for `politica_explicada`).
    static func jsonForm(_ object: [String: JSONValue]) throws -> (form: EnrollmentForm, values: [String: String]) {
        var values: [String: String] = [:]
        var contacts: [EnrollmentForm.Contact]?
        for (key, value) in object {
            if key == EnrollmentForm.Field.contactos.rawValue {
                guard case .array(let list) = value else {
                    throw APIFailure(status: .badRequest, code: "json_invalido",
                                     mensaje: "«contactos» es una lista de objetos {\"nombre\": …, \"telefono\": …}.")
                }
                contacts = try list.map { item in
                    guard case .object(let contact) = item else {
                        throw APIFailure(status: .badRequest, code: "json_invalido",
                                         mensaje: "Cada contacto es un objeto {\"nombre\": …, \"telefono\": …}.")
                    }
                    return .init(name: contact["nombre"]?.text ?? "", phone: contact["telefono"]?.text ?? "")
                }
            } else if let text = value.text {
                values[key] = text
            }
        }
        var form = EnrollmentFormPage.form(values)
        if let contacts {
            form.contacts = contacts
        } else if !values.keys.contains(where: { $0.hasPrefix("contacto_") }) {
            form.contacts = []
        }
        return (form, values)
    }

    static func json<Value: Encodable>(_ value: Value, status: HTTPStatus = .ok) throws -> HTTPResponse {
        var response = try HTTPResponse.json(value, status: status)
        response.headers.replace(name: "Cache-Control", value: "no-store")
        return response
    }

    static func rateLimitJSON(wait: Int) -> HTTPResponse {
        (try? json(APIJSON.Failure(error: "demasiadas_solicitudes",
                                   mensaje: "Demasiadas solicitudes desde su conexión. Intente de nuevo en \(Spanish.wait(seconds: wait)).",
                                   errores: nil), status: .tooManyRequests)) ?? .status(.tooManyRequests)
    }
}
