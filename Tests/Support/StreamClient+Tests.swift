public import BotonNet
import BotonWire
import Foundation

extension StreamClient {
    /// Reads until `count` length-prefixed frames arrived or the peer closed (10 s at most: a failing test, not a
    /// timing check).
    public func frames(_ count: Int) throws -> [[UInt8]] {
        var framer = LengthPrefixedFramer()
        var frames: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(10)
        while frames.count < count, Date() < deadline {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { try read(into: $0, timeoutMs: 500) }
            } catch {
                break
            }
            framer.append(Array(buffer[0 ..< n]))
            while let frame = try framer.nextFrame() { frames.append(frame) }
        }
        return frames
    }

    /// Reads until `count` "\n"-terminated lines arrived or the peer closed (10 s at most).
    public func lines(_ count: Int) throws -> [String] {
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(10)
        while text.filter({ $0 == "\n" }).count < count, Date() < deadline {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { try read(into: $0, timeoutMs: 500) }
            } catch {
                break
            }
            text += String(decoding: buffer[0 ..< n], as: UTF8.self)
        }
        return text.split(separator: "\n").map(String.init)
    }

    /// True when the server closes the connection within 10 s.
    public func closedByPeer() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 256)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            do {
                _ = try buffer.withUnsafeMutableBytes { try read(into: $0, timeoutMs: 500) }
            } catch {
                return true
            }
        }
        return false
    }

    public func send(_ text: String) throws { try write(Array(text.utf8)) }
}
