import Glibc

/// Termination signals handled synchronously: blocked in every thread, then waited for with `sigwait` on the
/// main thread. No async-signal-safety concerns, and no worker thread is ever interrupted by SIGINT/SIGTERM.
///
/// Call `blockTermination()` before starting any thread (threads inherit the mask).
public enum ProcessSignals {
    public static func blockTermination() {
        var set = terminationSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        // A closed pipe is an error return, not a process kill.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Waits until SIGINT or SIGTERM arrives and returns its number.
    public static func waitForTermination() -> Int32 {
        var set = terminationSet()
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }

    private static func terminationSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
