import BotonHTTP
import XCTest

final class FormAndCookieTests: XCTestCase {
    func post(_ body: String, contentType: String? = "application/x-www-form-urlencoded") throws -> HTTPRequest {
        var headers: HTTPHeaders = ["Host": "a"]
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        return try HTTPRequest(method: .post, target: "/f", headers: headers, body: bytes(body))
    }

    func testFormFields() throws {
        let fields = try post("nombre=Mar%C3%ADa+Jos%C3%A9&cedula=1710034065&vacio=&solo&&x=a%3Db%26c").formFields
        XCTAssertEqual(fields, [
            FormField(name: "nombre", value: "María José"), FormField(name: "cedula", value: "1710034065"),
            FormField(name: "vacio", value: ""), FormField(name: "solo", value: ""), FormField(name: "x", value: "a=b&c"),
        ])
        XCTAssertEqual(fields?.first(named: "cedula"), "1710034065")
        XCTAssertEqual(try post("").formFields, [])
        XCTAssertEqual(try post("a=1", contentType: "Application/X-WWW-Form-Urlencoded; charset=UTF-8").formFields,
                       [FormField(name: "a", value: "1")])
    }

    func testFormFieldsRefusals() throws {
        XCTAssertNil(try post("a=%zz").formFields, "bad escape")
        XCTAssertNil(try post("a=%").formFields, "truncated escape")
        XCTAssertNil(try post("a=%FF").formFields, "not UTF-8")
        XCTAssertNil(try post("a=1", contentType: "application/json").formFields, "wrong type")
        XCTAssertNil(try post("a=1", contentType: nil).formFields, "no type")
        XCTAssertNil(try post("a=1", contentType: "application/x-www-form-urlencoded; charset=iso-8859-1").formFields)
    }

    func testCookies() throws {
        let request = try HTTPRequest(method: .get, target: "/", headers: [
            "Host": "a", "Cookie": "sesion=abc123; tema=\"oscuro\";  vacio=; sinvalor; =anon; sesion=second",
            "cookie": "extra=1",
        ])
        XCTAssertEqual(request.cookies, ["sesion": "abc123", "tema": "oscuro", "vacio": "", "extra": "1"])
        XCTAssertEqual(request.cookie("sesion"), "abc123")
        XCTAssertNil(request.cookie("sinvalor"))
        XCTAssertEqual(try HTTPRequest(method: .get, target: "/").cookies, [:])
    }
}
