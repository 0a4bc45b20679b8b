import BotonHTTP
import Testing

@Suite struct FormAndCookieTests {
    func post(_ body: String, contentType: String? = "application/x-www-form-urlencoded") throws -> HTTPRequest {
        var headers: HTTPHeaders = ["Host": "a"]
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        return try HTTPRequest(method: .post, target: "/f", headers: headers, body: bytes(body))
    }

    @Test func formFields() throws {
        let fields = try post("nombre=Mar%C3%ADa+Jos%C3%A9&cedula=1710034065&vacio=&solo&&x=a%3Db%26c").formFields
        #expect(fields == [
            FormField(name: "nombre", value: "María José"), FormField(name: "cedula", value: "1710034065"),
            FormField(name: "vacio", value: ""), FormField(name: "solo", value: ""), FormField(name: "x", value: "a=b&c"),
        ])
        #expect(fields?.first(named: "cedula") == "1710034065")
        #expect(try post("").formFields == [])
        #expect(try post("a=1", contentType: "Application/X-WWW-Form-Urlencoded; charset=UTF-8").formFields
                    == [FormField(name: "a", value: "1")])
    }

    @Test func formFieldsRefusals() throws {
        #expect(try post("a=%zz").formFields == nil, "bad escape")
        #expect(try post("a=%").formFields == nil, "truncated escape")
        #expect(try post("a=%FF").formFields == nil, "not UTF-8")
        #expect(try post("a=1", contentType: "application/json").formFields == nil, "wrong type")
        #expect(try post("a=1", contentType: nil).formFields == nil, "no type")
        #expect(try post("a=1", contentType: "application/x-www-form-urlencoded; charset=iso-8859-1").formFields == nil)
    }

    @Test func cookies() throws {
        let request = try HTTPRequest(method: .get, target: "/", headers: [
            "Host": "a", "Cookie": "sesion=abc123; tema=\"oscuro\";  vacio=; sinvalor; =anon; sesion=second",
            "cookie": "extra=1",
        ])
        #expect(request.cookies == ["sesion": "abc123", "tema": "oscuro", "vacio": "", "extra": "1"])
        #expect(request.cookie("sesion") == "abc123")
        #expect(request.cookie("sinvalor") == nil)
        #expect(try HTTPRequest(method: .get, target: "/").cookies == [:])
    }
}
