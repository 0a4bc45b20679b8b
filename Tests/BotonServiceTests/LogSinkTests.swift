import Foundation
import Glibc
import Synchronization
import Testing
@testable import BotonRuntime

/// The server's log never waits for its descriptor: lines go through a bounded buffer written by a thread of its
/// own, what does not fit is counted and said, and a burst of one event is summarised.
@Suite("Log sink")
struct LogSinkTests {
    /// A pipe; the test reads its far end whole after the sink is closed.
    struct Pipe {
        let read: Int32
        let write: Int32
        init() {
            var fds: [Int32] = [0, 0]
            pipe(&fds)
            read = fds[0]
            write = fds[1]
        }
        /// Everything written until the write end is closed.
        func drain() -> String {
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                out += buffer[0 ..< n]
            }
            close(read)
            return String(decoding: out, as: UTF8.self)
        }
    }

    final class Seconds: Sendable {
        let now = Mutex(100)
    }

    @Test func linesArriveWholeAndInOrderAndCloseFlushesThem() {
        let pipe = Pipe()
        let sink = LogSink(fileDescriptor: pipe.write, capacity: 1 << 20)
        let logger = Logger(level: .info, sink: sink)
        for i in 0 ..< 100 { logger.info("paso", ["n": String(i)]) }
        logger.debug("oculto", [:])
        sink.close()
        close(pipe.write)
        let lines = pipe.drain().split(separator: "\n")
        #expect(lines.count == 100)
        #expect(lines.enumerated().allSatisfy { $0.element.hasSuffix("event=paso n=\($0.offset)") })
        #expect(sink.dropped == 0)
    }

    @Test func aDescriptorThatTakesNothingCostsLinesNotWaiting() throws {
        // Nobody reads the pipe while the lines are logged: its 64 KiB fill, then the 4 KiB buffer, and every line
        // after that is dropped and counted. The appends return (a blocking sink would hang this test).
        let pipe = Pipe()
        let sink = LogSink(fileDescriptor: pipe.write, capacity: 4_096, burstPerSecond: 1_000_000)
        let logger = Logger(level: .info, sink: sink)
        let line = String(repeating: "x", count: 100)
        for i in 0 ..< 5_000 { logger.info("relleno", ["n": String(i), "texto": line]) }
        let dropped = sink.dropped
        #expect(dropped > 0)
        // Reading now lets the writer go on; closing writes what is buffered and the line that says what was lost.
        let text = Mutex("")
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            text.withLock { $0 = pipe.drain() }
            done.signal()
        }
        sink.close()
        close(pipe.write)
        done.wait()
        let written = text.withLock { $0 }
        let lines = written.split(separator: "\n")
        // Said once per catch-up of the writer: the reports add up to what was counted.
        let reports = lines.filter { $0.contains("event=log_dropped") }
        #expect(!reports.isEmpty && reports.allSatisfy { $0.contains("level=warning") })
        let reported = reports.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("dropped=") }.flatMap { Int($0.dropFirst(8)) }
        }.reduce(0, +)
        #expect(reported == dropped)
        #expect(lines.filter { $0.contains("event=relleno") }.count == 5_000 - dropped)
    }

    @Test func aBurstOfOneEventIsSummarised() {
        let pipe = Pipe()
        let seconds = Seconds()
        let sink = LogSink(fileDescriptor: pipe.write, capacity: 1 << 20, burstPerSecond: 5,
                           second: { seconds.now.withLock { $0 } })
        let logger = Logger(level: .info, sink: sink)
        for _ in 0 ..< 20 { logger.warning("alerta_escalada", [:]) }
        logger.info("otro", [:])
        seconds.now.withLock { $0 += 1 }
        for _ in 0 ..< 3 { logger.warning("alerta_escalada", [:]) }
        sink.close()
        close(pipe.write)
        let lines = pipe.drain().split(separator: "\n")
        #expect(lines.filter { $0.contains("event=alerta_escalada") }.count == 8, "5 in the first second, 3 in the next")
        #expect(lines.filter { $0.contains("event=otro") }.count == 1, "another event is not held back")
        // Said once per catch-up of the writer: the summaries add up to the lines held back.
        let summarised = lines.filter { $0.contains("event=log_dropped dropped=0 summarised=") }.compactMap { line in
            line.split(separator: "\"").dropFirst().first.flatMap { Int($0.split(separator: "=").last ?? "") }
        }.reduce(0, +)
        #expect(summarised == 15)
        #expect(sink.dropped == 15)
    }
}
