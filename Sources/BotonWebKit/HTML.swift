import BotonHTTP
import Foundation

/// Building blocks of the Spanish pages: the layout and accessible form controls. Every value is escaped here;
/// callers pass plain text. No inline script or style (the Content-Security-Policy forbids both).
public enum HTML {
    public static func escape(_ text: String) -> String { HTMLEscaping.escapeText(text) }
    public static func attribute(_ text: String) -> String { HTMLEscaping.escapeAttribute(text) }

    /// Changes at every start of the service: assets are cached for an hour, so a page served after a deploy names
    /// its stylesheet and scripts with a new query and browsers fetch the new ones instead of running old code.
    public static let assetVersion = String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36)

    /// A whole page: `title` in the tab and as the heading, `body` already HTML, `scripts` from /static, `nav`
    /// (already HTML) under the site header — the officers' pages put their menu and sign-out form there.
    public static func page(title: String, body: String, scripts: [String] = [], nav: String = "") -> String {
        """
        <!doctype html>
        <html lang="es-EC">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) — Botón de Seguridad</title>
        <link rel="stylesheet" href="/static/estilo.css?v=\(assetVersion)">
        <link rel="icon" href="/static/icono.svg" type="image/svg+xml">
        </head>
        <body>
        <a class="saltar" href="#contenido">Saltar al contenido</a>
        <header class="sitio"><a href="/registro">Botón de Seguridad · Policía Nacional del Ecuador</a></header>
        \(nav)
        <main id="contenido">
        <h1>\(escape(title))</h1>
        \(body)
        </main>
        <footer class="sitio"><a href="/registro">Solicitar el botón</a> · <a href="/quejas">Presentar una queja</a> · <a href="/transparencia">Transparencia</a></footer>
        \(scripts.map { "<script src=\"/static/\(attribute($0))?v=\(assetVersion)\" defer></script>" }.joined(separator: "\n"))
        </body>
        </html>
        """
    }

    /// Field errors, keyed by field name, in the order the fields appear.
    public struct Errors {
        public var entries: [(field: String, message: String)] = []
        /// Error key → the id of the control the summary's link moves to, when it is not the key itself (a
        /// position's error goes to its latitude input).
        public var anchors: [String: String] = [:]
        public init(entries: [(field: String, message: String)] = [], anchors: [String: String] = [:]) {
            self.entries = entries
            self.anchors = anchors
        }
        public subscript(field: String) -> String? { entries.first { $0.field == field }?.message }
        public var isEmpty: Bool { entries.isEmpty }
        public func anchor(_ field: String) -> String { anchors[field] ?? field }
    }

    /// The list of errors at the top of a form, each a link to its field (focus moves there).
    public static func errorSummary(_ errors: Errors) -> String {
        guard !errors.isEmpty else { return "" }
        let items = errors.entries.map {
            "<li><a href=\"#\(attribute(errors.anchor($0.field)))\">\(escape($0.message))</a></li>"
        }
        return """
        <div class="resumen-errores" role="alert" tabindex="-1" id="errores">
        <h2>Revise los siguientes datos</h2>
        <ul>\(items.joined())</ul>
        </div>
        """
    }

    /// The opening of a field: its label (marked optional when it is), its help and its error, and the ids that
    /// describe the control.
    private static func fieldHead(_ name: String, label: String, errors: Errors, help: String?, required: Bool)
        -> (html: String, described: [String])
    {
        var described: [String] = []
        var html = "<div class=\"campo\">\n<label for=\"\(attribute(name))\">\(escape(label))"
        if !required { html += " <span class=\"ayuda\">(opcional)</span>" }
        html += "</label>\n"
        if let help {
            html += "<p class=\"ayuda\" id=\"\(attribute(name))_ayuda\">\(escape(help))</p>\n"
            described.append("\(name)_ayuda")
        }
        if let message = errors[name] {
            html += "<p class=\"error\" id=\"\(attribute(name))_error\">\(escape(message))</p>\n"
            described.append("\(name)_error")
        }
        return (html, described)
    }

    /// A labelled input; an error is shown under it and linked with `aria-describedby`. `sharedError` is the key
    /// of an error shown once for a group of inputs (a position's latitude and longitude): the input is then
    /// marked invalid and described by that message instead of showing its own.
    public static func input(_ name: String, label: String, value: String = "", errors: Errors, type: String = "text",
                      help: String? = nil, required: Bool = false, autocomplete: String? = nil,
                      extra: String = "", sharedError: String? = nil) -> String
    {
        var (html, described) = fieldHead(name, label: label, errors: errors, help: help, required: required)
        if let sharedError, errors[sharedError] != nil { described.insert("\(sharedError)_error", at: 0) }
        html += "<input id=\"\(attribute(name))\" name=\"\(attribute(name))\" type=\"\(attribute(type))\" "
            + "value=\"\(attribute(value))\""
        if required { html += " required" }
        if let autocomplete { html += " autocomplete=\"\(attribute(autocomplete))\"" }
        if errors[name] != nil || sharedError.map({ errors[$0] != nil }) == true { html += " aria-invalid=\"true\"" }
        if !described.isEmpty { html += " aria-describedby=\"\(attribute(described.joined(separator: " ")))\"" }
        if !extra.isEmpty { html += " " + extra }
        return html + ">\n</div>\n"
    }

    /// A select with its options (value, label); the current value is selected.
    public static func select(_ name: String, label: String, options: [(String, String)], value: String, errors: Errors)
        -> String
    {
        var html = "<div class=\"campo\">\n<label for=\"\(attribute(name))\">\(escape(label))</label>\n"
        if let message = errors[name] {
            html += "<p class=\"error\" id=\"\(attribute(name))_error\">\(escape(message))</p>\n"
        }
        html += "<select id=\"\(attribute(name))\" name=\"\(attribute(name))\""
        if errors[name] != nil { html += " aria-invalid=\"true\" aria-describedby=\"\(attribute(name))_error\"" }
        html += ">\n"
        for (optionValue, optionLabel) in options {
            html += "<option value=\"\(attribute(optionValue))\"\(optionValue == value ? " selected" : "")>"
                + "\(escape(optionLabel))</option>\n"
        }
        return html + "</select>\n</div>\n"
    }

    /// A checkbox with its label on the right; an error is linked like an input's.
    public static func checkbox(_ name: String, label: String, checked: Bool, errors: Errors) -> String {
        var html = "<div class=\"campo\">\n"
        if let message = errors[name] {
            html += "<p class=\"error\" id=\"\(attribute(name))_error\">\(escape(message))</p>\n"
        }
        html += "<label class=\"opcion\"><input type=\"checkbox\" id=\"\(attribute(name))\" name=\"\(attribute(name))\" "
            + "value=\"si\"\(checked ? " checked" : "")"
        if errors[name] != nil { html += " aria-invalid=\"true\" aria-describedby=\"\(attribute(name))_error\"" }
        return html + "> <span>\(escape(label))</span></label>\n</div>\n"
    }

    /// A labelled multi-line text field; an error is shown under the label and linked like an input's.
    public static func textarea(_ name: String, label: String, value: String = "", errors: Errors, help: String? = nil,
                         required: Bool = false, rows: Int = 3) -> String
    {
        var (html, described) = fieldHead(name, label: label, errors: errors, help: help, required: required)
        html += "<textarea id=\"\(attribute(name))\" name=\"\(attribute(name))\" rows=\"\(rows)\""
        if required { html += " required" }
        if errors[name] != nil { html += " aria-invalid=\"true\"" }
        if !described.isEmpty { html += " aria-describedby=\"\(attribute(described.joined(separator: " ")))\"" }
        return html + ">\(escape(value))</textarea>\n</div>\n"
    }

    /// The message of an error shown once for a group of controls, with the id `input(…, sharedError:)`
    /// points to.
    public static func groupError(_ key: String, _ errors: Errors) -> String {
        guard let message = errors[key] else { return "" }
        return "<p class=\"error\" id=\"\(attribute(key))_error\">\(escape(message))</p>\n"
    }

    /// A notice box (`role="status"`): a success or the next step.
    public static func notice(_ text: String, kind: String = "aviso") -> String {
        "<div class=\"\(attribute(kind))\" role=\"status\"><p>\(escape(text))</p></div>\n"
    }

    /// A refusal that is not about a field (`role="alert"`).
    public static func alert(_ text: String) -> String {
        "<div class=\"resumen-errores\" role=\"alert\"><p>\(escape(text))</p></div>\n"
    }

    public static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(attribute(name))\" value=\"\(attribute(value))\">"
    }
}
