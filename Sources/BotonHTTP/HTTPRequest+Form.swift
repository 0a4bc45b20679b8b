extension HTTPRequest {
    /// The fields of an `application/x-www-form-urlencoded` body, in order, decoded (`+` is a space).
    ///
    /// Nil when the Content-Type is not `application/x-www-form-urlencoded` (parameters such as
    /// `charset=utf-8` are allowed; any charset other than UTF-8 is refused), or when a name or value has a
    /// malformed `%` escape or is not UTF-8. Callers answer nil with 400 (or 415 for the wrong type).
    public var formFields: [FormField]? {
        guard let contentType = header("Content-Type") else { return nil }
        let parts = contentType.split(separator: ";")
        guard let mediaType = parts.first,
              ASCII.trimmingBlanks(mediaType).lowercased() == "application/x-www-form-urlencoded"
        else { return nil }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, ASCII.trimmingBlanks(pair[0]).lowercased() == "charset" else { continue }
            let charset = ASCII.trimmingBlanks(pair[1]).lowercased().filter { $0 != "\"" }
            guard charset == "utf-8" || charset == "utf8" else { return nil }
        }
        return PercentDecoding.formFields(body)
    }
}
