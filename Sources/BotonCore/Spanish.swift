/// Spanish words that depend on a number, for every text a person reads.
public enum Spanish {
    /// `1 segundo`, `3 segundos`; `plural` defaults to `singular + "s"`.
    public static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }

    /// How long to wait, in words: `1 segundo`, `45 segundos`, `3 minutos` (from two minutes on, rounded up).
    public static func wait(seconds: Int) -> String {
        let seconds = max(1, seconds)
        return seconds < 120 ? count(seconds, "segundo") : count((seconds + 59) / 60, "minuto")
    }
}
