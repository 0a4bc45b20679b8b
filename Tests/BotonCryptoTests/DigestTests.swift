import Testing
import BotonCrypto

@Suite struct DigestTests {
    // RFC 4231 test case 2 and FIPS 180-2 "abc".
    @Test func hmacMatchesRFC4231() {
        let mac = Digest.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func sha256MatchesFIPS() {
        #expect(Hex.encode(Digest.sha256(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    // RFC 7914 §11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64).
    @Test func pbkdf2MatchesRFC7914() throws {
        let key = try Digest.pbkdf2SHA256(password: Array("passwd".utf8), salt: Array("salt".utf8), rounds: 1,
                                          length: 64)
        #expect(Hex.encode(key).hasPrefix("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"))
    }

    @Test func constantTimeCompare() {
        #expect(Digest.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Digest.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Digest.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(Digest.constantTimeEqual([], []))
    }

    @Test func randomBytesDiffer() throws {
        let a = try Digest.randomBytes(32), b = try Digest.randomBytes(32)
        #expect(a.count == 32 && a != b)
    }

    @Test func hexRoundTripAndRejects() {
        #expect(Hex.decode("00ff10Ab") == [0, 255, 16, 171])
        #expect(Hex.encode([0, 255, 16, 171]) == "00ff10ab")
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
