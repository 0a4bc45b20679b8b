/// Instants in the API: ISO 8601 UTC with milliseconds (`2026-05-28T19:05:00.000Z`).
public enum APITime {
    public static func text(_ t: Timestamp) -> String {
        let ms = t.millisecondsSince1970
        let date = CivilDate(t, utcOffsetSeconds: 0)
        let inDay = Int(((ms % 86_400_000) + 86_400_000) % 86_400_000)
        func pad(_ v: Int, _ width: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let seconds = inDay / 1000
        return "\(date)T\(pad(seconds / 3600)):\(pad(seconds / 60 % 60)):\(pad(seconds % 60)).\(pad(inDay % 1000, 3))Z"
    }
}
