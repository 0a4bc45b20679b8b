/// The two kinds of subscriber line a citizen can register.
public enum PhoneLineKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A landline: 8 national digits, area code 2–7 then a subscriber number starting 2–7.
    case fijo
    /// A mobile: 9 national digits starting with 9.
    case celular
}
