import BotonTestSupport
import Foundation
import Testing

/// Runs one of the Python oracle scripts in `Oracles/` over a list of inputs.
///
/// The scripts need python3 with python-stdnum and phonenumbers. When either is missing the oracle test
/// FAILS (it is not skipped) and says to run Scripts/test, which installs them with pip.
enum PythonOracle {
    static let setupHint = "Run Scripts/test (it installs python-stdnum and phonenumbers with pip)."

    static func scriptURL(_ name: String, filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .appendingPathComponent("Oracles").appendingPathComponent(name)
    }

    /// Writes `inputs` as JSON, runs `python3 script in out`, and decodes the JSON it writes.
    static func run<Output: Decodable>(_ script: String, inputs: [String], as: Output.Type) throws -> Output {
        try PythonScript.run(scriptURL(script).path, input: inputs, as: Output.self, setupHint: setupHint)
    }
}
