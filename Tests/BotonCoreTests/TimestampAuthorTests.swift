import Foundation
import Testing
import BotonCore

@Suite struct TimestampTests {
    @Test func arithmeticAndOrder() {
        let t = Timestamp(millisecondsSince1970: 1_700_000_000_123)
        #expect(t.secondsSince1970 == 1_700_000_000.123)
        #expect(t.adding(milliseconds: 877).millisecondsSince1970 == 1_700_000_001_000)
        #expect(t.adding(seconds: -1).millisecondsSince1970 == 1_699_999_999_123)
        #expect((t + .seconds(90)).millisecondsSince1970 == 1_700_000_090_123)
        #expect(t.adding(.milliseconds(1500)).milliseconds(since: t) == 1500)
        #expect(t < t.adding(milliseconds: 1))
        #expect(Timestamp(secondsSince1970: 5) == Timestamp(millisecondsSince1970: 5000))
    }

    @Test func codableAsInteger() throws {
        let t = Timestamp(millisecondsSince1970: 42)
        let data = try JSONEncoder().encode([t])
        #expect(String(decoding: data, as: UTF8.self) == "[42]")
        #expect(try JSONDecoder().decode([Timestamp].self, from: data) == [t])
    }
}

@Suite struct ActorTests {
    @Test(arguments: [
        (Author.operador(id: 42, display: "Sgto. Pérez"), "operador:42"), (.ciudadano, "ciudadano"), (.sistema, "sistema"),
        (.dispositivo("a1b2-c3"), "dispositivo:a1b2-c3"), (.gateway("sms:claro"), "gateway:sms:claro"),
    ])
    func storageFormRoundTrips(actor: Author, text: String) {
        #expect(actor.storageForm == text)
        #expect(Author(storageForm: text) == actor)
        #expect(actor.description == text)
    }

    @Test(arguments: ["", "operador", "operador:", "operador:abc", "operador:-1", "operador:042", "operador:4 2",
                      "dispositivo:", "gateway:", "Ciudadano", "sistema:1", "usuario:1", "dispositivo:a\nb"])
    func rejectsUnknownForms(text: String) {
        #expect(Author(storageForm: text) == nil)
    }

    @Test func operatorIdentityIsTheId() {
        #expect(Author.operador(id: 7, display: "Cbop. Ruiz") == Author.operador(id: 7))
        #expect(Author.operador(id: 7) != Author.operador(id: 8))
        #expect(Author.operador(id: 7, display: "Cbop. Ruiz").nombre == "Cbop. Ruiz")
        #expect(Author.operador(id: 7).nombre == "operador 7")
        #expect(Author.ciudadano.nombre == "el ciudadano")
    }
}

@Suite struct GeoPositionTests {
    @Test func validatesRanges() throws {
        let p = try GeoPosition(latitude: -0.1807, longitude: -78.4678, accuracyMeters: 12)
        #expect(p.latitude == -0.1807)
        let data = try JSONEncoder().encode(p)
        #expect(try JSONDecoder().decode(GeoPosition.self, from: data) == p)
        #expect(throws: GeoPositionError(.latitude)) { try GeoPosition(latitude: 91, longitude: 0) }
        #expect(throws: GeoPositionError(.latitude)) { try GeoPosition(latitude: .nan, longitude: 0) }
        #expect(throws: GeoPositionError(.longitude)) { try GeoPosition(latitude: 0, longitude: -180.5) }
        #expect(throws: GeoPositionError(.accuracy)) { try GeoPosition(latitude: 0, longitude: 0, accuracyMeters: -1) }
        #expect(GeoPositionError(.accuracy).field == "posicion" && GeoPositionError(.accuracy).reason == "accuracy")
        let bad = Data(#"{"latitude":100,"longitude":0}"#.utf8)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(GeoPosition.self, from: bad) }
    }
}
