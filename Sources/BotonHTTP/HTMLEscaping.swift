/// Escaping for text interpolated into HTML.
public enum HTMLEscaping {
    /// For element content: `&` `<` `>` `"` `'` become `&amp;` `&lt;` `&gt;` `&quot;` `&#39;`.
    public static func escapeText(_ text: String) -> String { escape(text) }

    /// For a quoted attribute value (always quote attributes): the same five characters.
    /// Not safe for unquoted attributes, URLs in `href`/`src` (check the scheme), or inside `<script>`.
    public static func escapeAttribute(_ value: String) -> String { escape(value) }

    private static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
