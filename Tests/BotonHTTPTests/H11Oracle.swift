import BotonTestSupport

/// Runs Python's h11 (an independent HTTP/1.1 implementation) over raw request bytes.
///
/// Needs `python3` with `h11` (`pip install --break-system-packages h11`). When either is missing the oracle
/// test FAILS with that instruction; it is never skipped.
enum H11Oracle {
    struct Verdict: Decodable {
        /// `accept`, `reject` or `incomplete`.
        var verdict: String
        var method: String?
        var target: String?
        var body: String?
        var error: String?
    }


    static let setupHint = "The oracle needs python3 with h11: pip install --break-system-packages h11"

    /// Reads a JSON list of hex strings, writes a JSON list of verdicts (byte fields in hex).
    static let script = #"""
    import json, sys
    try:
        import h11
    except ImportError:
        sys.stderr.write("h11 is not installed\n")
        sys.exit(3)

    def judge(data):
        conn = h11.Connection(our_role=h11.SERVER)
        conn.receive_data(data)
        request = None
        body = bytearray()
        try:
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    return {"verdict": "incomplete"}
                if isinstance(event, h11.Request):
                    request = event
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    return {"verdict": "accept", "method": bytes(request.method).hex(),
                            "target": bytes(request.target).hex(), "body": bytes(body).hex()}
                else:
                    return {"verdict": "reject", "error": "unexpected event %r" % (event,)}
        except h11.RemoteProtocolError as error:
            return {"verdict": "reject", "error": str(error)}

    with open(sys.argv[1]) as source:
        inputs = json.load(source)
    with open(sys.argv[2], "w") as sink:
        json.dump([judge(bytes.fromhex(item)) for item in inputs], sink)
    """#

    static func judge(_ inputs: [[UInt8]]) throws -> [Verdict] {
        try PythonScript.run(script, inline: true, input: inputs.map(hex), as: [Verdict].self, setupHint: setupHint)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
