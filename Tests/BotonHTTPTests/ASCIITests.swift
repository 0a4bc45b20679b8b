@testable import BotonHTTP
import Testing

@Suite struct ASCIITests {
    /// The token masks hold exactly RFC 9110's tchar: DIGIT, ALPHA and `!#$%&'*+-.^_`|~`.
    @Test func tokenCharactersAreTheRFCs() {
        let rfc = Set(Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'*+-.^_`|~".utf8))
        for byte in UInt8.min ... UInt8.max {
            #expect(ASCII.isTokenChar(byte) == rfc.contains(byte), "byte \(byte)")
        }
    }

    @Test func caseInsensitiveEqualityAndByteTests() {
        #expect(ASCII.equalsIgnoringCase("Content-Length", "content-LENGTH"))
        #expect(!ASCII.equalsIgnoringCase("Content-Length", "Content-Lengt"))
        #expect(!ASCII.equalsIgnoringCase("ñ", "Ñ"), "only ASCII letters fold")
        let bridged = String(decoding: Array("X-Dato".utf8), as: UTF8.self)
        #expect(ASCII.equalsIgnoringCase(bridged, "x-dato"))
        #expect(ASCII.allBytes(of: "abc", ASCII.isTokenChar))
        #expect(!ASCII.allBytes(of: "a b", ASCII.isTokenChar))
        #expect(ASCII.allBytes(of: "", ASCII.isTokenChar))
    }
}
