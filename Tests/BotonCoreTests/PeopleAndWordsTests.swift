import BotonCore
import Testing

/// Issue 15, items 14, 18 and 20: how people, documents, waits and alert numbers read.
@Suite struct PeopleAndWordsTests {
    @Test func aDocumentReadsAsAPersonSaysIt() {
        #expect(IdentityDocument.text(kind: "cedula", number: "1710034065", nationality: "EC") == "Cédula 1710034065")
        #expect(IdentityDocument.text(kind: "pasaporte", number: "C0123456", nationality: "VE")
                == "Pasaporte C0123456 (Venezuela)")
        #expect(IdentityDocument.text(kind: "pasaporte", number: "X1", nationality: "ZZ") == "Pasaporte X1 (ZZ)")
    }

    @Test func anOfficerIsRankAndName() {
        #expect(OperatorIdentity.shownName(rank: "Sbte.", name: "Andrade") == "Sbte. Andrade")
        #expect(OperatorIdentity.shownName(rank: nil, name: "Andrade") == "Andrade")
        #expect(OperatorIdentity.shownName(rank: "", name: "Andrade") == "Andrade")
    }

    @Test(arguments: [(0, "1 segundo"), (1, "1 segundo"), (2, "2 segundos"), (119, "119 segundos"),
                      (120, "2 minutos"), (121, "3 minutos")])
    func waitsAgreeWithTheirNumber(seconds: Int, text: String) {
        #expect(Spanish.wait(seconds: seconds) == text)
    }

    @Test func countsAgreeWithTheirNumber() {
        #expect(Spanish.count(1, "posición recibida", "posiciones recibidas") == "1 posición recibida")
        #expect(Spanish.count(3, "posición recibida", "posiciones recibidas") == "3 posiciones recibidas")
        #expect(Spanish.count(1, "mes", "meses") == "1 mes")
    }

    @Test(arguments: [("Alerta 1234", 1234), ("alerta n.º 77", 77), ("ALERTA: 9", 9), ("alerta #12", 12)])
    func theAlertNumberAsTheServiceShowsItIsAReference(text: String, id: Int64) {
        #expect(IncidentReference(text)?.id == id)
    }

    @Test func aPassportWithoutItsCountryAsksForIt() {
        #expect(PasaporteError(.nationality).mensaje == "Elija el país que emitió el pasaporte.")
    }
}
