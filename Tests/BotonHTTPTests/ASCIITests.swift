@testable import BotonHTTP
import XCTest

final class ASCIITests: XCTestCase {
    /// The token masks hold exactly RFC 9110's tchar: DIGIT, ALPHA and `!#$%&'*+-.^_`|~`.
    func testTokenCharactersAreTheRFCs() {
        let rfc = Set(Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'*+-.^_`|~".utf8))
        for byte in UInt8.min ... UInt8.max {
            XCTAssertEqual(ASCII.isTokenChar(byte), rfc.contains(byte), "byte \(byte)")
        }
    }

    func testCaseInsensitiveEqualityAndByteTests() {
        XCTAssertTrue(ASCII.equalsIgnoringCase("Content-Length", "content-LENGTH"))
        XCTAssertFalse(ASCII.equalsIgnoringCase("Content-Length", "Content-Lengt"))
        XCTAssertFalse(ASCII.equalsIgnoringCase("ñ", "Ñ"), "only ASCII letters fold")
        let bridged = String(decoding: Array("X-Dato".utf8), as: UTF8.self)
        XCTAssertTrue(ASCII.equalsIgnoringCase(bridged, "x-dato"))
        XCTAssertTrue(ASCII.allBytes(of: "abc", ASCII.isTokenChar))
        XCTAssertFalse(ASCII.allBytes(of: "a b", ASCII.isTokenChar))
        XCTAssertTrue(ASCII.allBytes(of: "", ASCII.isTokenChar))
    }
}
