public import BotonCore
import Glibc

/// The wall clock, read in one place.
public enum SystemClock {
    public static func now() -> Timestamp {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Timestamp(millisecondsSince1970: Int64(t.tv_sec) * 1000 + Int64(t.tv_nsec) / 1_000_000)
    }
}
