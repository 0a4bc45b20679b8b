/// A QR code (ISO/IEC 18004), written here so that the service needs no library for it: versions 1 to 10,
/// error correction level M (15 % of the symbol may be lost), alphanumeric mode when the text allows it (digits,
/// upper-case letters, space and `$%*+-./:` — an activation code is all of these), else byte mode (UTF-8, announced with
/// ECI 26 when the text is not ASCII).
///
/// The symbol is built as the standard says: mode indicator, character count, data, terminator and pad codewords;
/// the codewords split into the version's blocks, each with its Reed–Solomon error correction codewords (GF(256),
/// polynomial 0x11D), interleaved; finder, separator, timing and alignment patterns, format information (BCH
/// 15,5, mask 0x5412) and, from version 7, version information (BCH 18,6); the data laid out in the two-column
/// zigzag; of the eight masks, the one with the lowest penalty (rules N1–N4). Tests decode what it draws with an
/// independent decoder (`zbarimg`).
///
/// `modules[row][column]` is true for a dark module. ``svg(moduleSize:)`` draws it with the four-module quiet
/// zone; ``pbm(scale:)`` writes a plain PBM image (what the tests hand to the decoder).
public struct QRCode: Sendable, Equatable {
    public let version: Int
    public let size: Int
    public let mask: Int
    public let modules: [[Bool]]

    /// Why a text cannot be encoded: it does not fit in version 10 at level M.
    public struct TooLong: Error, Sendable, Equatable {
        public let characters: Int
        public init(characters: Int) { self.characters = characters }
    }

    /// Error-correction codewords per block and the blocks (count, data codewords) of versions 1–10 at level M.
    static let levelM: [(ec: Int, groups: [(count: Int, data: Int)])] = [
        (10, [(1, 16)]), (16, [(1, 28)]), (26, [(1, 44)]), (18, [(2, 32)]), (24, [(2, 43)]),
        (16, [(4, 27)]), (18, [(4, 31)]), (22, [(2, 38), (2, 39)]), (22, [(3, 36), (2, 37)]),
        (26, [(4, 43), (1, 44)]),
    ]
    static let alignment: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
    ]
    static let alphanumeric = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    public init(_ text: String) throws(TooLong) {
        let bytes = Array(text.utf8)
        let alnum = bytes.allSatisfy { QRCode.alphanumeric.contains($0) }
        // Text beyond ASCII says it is UTF-8 (ECI 26), or decoders guess another encoding.
        let eciBits = bytes.contains { $0 >= 0x80 } ? 12 : 0
        // Choose the smallest version whose data capacity holds the segment.
        var chosen: Int?
        for v in 1...10 {
            let countBits = alnum ? (v < 10 ? 9 : 11) : (v < 10 ? 8 : 16)
            let dataBits = alnum ? 11 * (bytes.count / 2) + 6 * (bytes.count % 2) : 8 * bytes.count
            let capacity = QRCode.levelM[v - 1].groups.reduce(0) { $0 + $1.count * $1.data } * 8
            if eciBits + 4 + countBits + dataBits <= capacity, bytes.count < (1 << countBits) { chosen = v; break }
        }
        guard let version = chosen else { throw TooLong(characters: bytes.count) }
        self.version = version
        size = version * 4 + 17

        // The bit stream.
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }
        if alnum {
            append(0b0010, 4)
            append(bytes.count, version < 10 ? 9 : 11)
            let values = bytes.map { QRCode.alphanumeric.firstIndex(of: $0)! }
            var i = 0
            while i + 1 < values.count { append(values[i] * 45 + values[i + 1], 11); i += 2 }
            if i < values.count { append(values[i], 6) }
        } else {
            if eciBits > 0 { append(0b0111, 4); append(26, 8) }
            append(0b0100, 4)
            append(bytes.count, version < 10 ? 8 : 16)
            for b in bytes { append(Int(b), 8) }
        }
        let table = QRCode.levelM[version - 1]
        let capacityBits = table.groups.reduce(0) { $0 + $1.count * $1.data } * 8
        append(0, min(4, capacityBits - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var data: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            (0..<8).reduce(UInt8(0)) { $0 << 1 | (bits[start + $1] ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while data.count * 8 < capacityBits { data.append(pad); pad ^= 0xEC ^ 0x11 }

        // Blocks, error correction, interleaving.
        var blocks: [[UInt8]] = []
        var offset = 0
        for group in table.groups {
            for _ in 0..<group.count { blocks.append(Array(data[offset ..< offset + group.data])); offset += group.data }
        }
        let generator = QRCode.generator(degree: table.ec)
        let ecBlocks = blocks.map { QRCode.remainder($0, generator) }
        var codewords: [UInt8] = []
        for i in 0 ..< (blocks.map(\.count).max() ?? 0) { for b in blocks where i < b.count { codewords.append(b[i]) } }
        for i in 0 ..< table.ec { for e in ecBlocks { codewords.append(e[i]) } }

        // Function patterns, then the data, then the best mask.
        var grid = Grid(size: size)
        grid.drawFunctionPatterns(version: version)
        grid.drawCodewords(codewords)
        var best: (penalty: Int, mask: Int, modules: [[Bool]])?
        for m in 0..<8 {
            var candidate = grid
            candidate.applyMask(m)
            candidate.drawFormat(mask: m)
            let penalty = candidate.penalty()
            if best == nil || penalty < best!.penalty { best = (penalty, m, candidate.modules) }
        }
        mask = best!.mask
        modules = best!.modules
    }

    // MARK: Reed–Solomon over GF(256), polynomial x^8 + x^4 + x^3 + x^2 + 1

    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> i) & 1) * Int(x)
        }
        return UInt8(z)
    }

    static func generator(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], _ generator: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: generator.count)
        for b in data {
            let factor = b ^ result.removeFirst()
            result.append(0)
            for i in result.indices { result[i] ^= multiply(generator[i], factor) }
        }
        return result
    }

    // MARK: Drawing

    /// An SVG of the symbol with its quiet zone, one path of dark squares; `moduleSize` user units per module.
    public func svg(moduleSize: Int = 6, title: String = "Código QR") -> String {
        let full = (size + 8) * moduleSize
        var path = ""
        for (y, row) in modules.enumerated() {
            for (x, dark) in row.enumerated() where dark {
                path += "M\((x + 4) * moduleSize) \((y + 4) * moduleSize)h\(moduleSize)v\(moduleSize)h-\(moduleSize)z"
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(full) \(full)\" width=\"\(full)\" "
            + "height=\"\(full)\" role=\"img\" aria-label=\"\(title)\" shape-rendering=\"crispEdges\">"
            + "<rect width=\"\(full)\" height=\"\(full)\" fill=\"#fff\"/><path fill=\"#000\" d=\"\(path)\"/></svg>"
    }

    /// A plain (P1) PBM image of the symbol with its quiet zone, `scale` pixels per module.
    public func pbm(scale: Int = 4) -> String {
        let side = (size + 8) * scale
        var out = "P1\n\(side) \(side)\n"
        for py in 0..<side {
            let y = py / scale - 4
            var line = ""
            for px in 0..<side {
                let x = px / scale - 4
                let dark = y >= 0 && y < size && x >= 0 && x < size && modules[y][x]
                line += dark ? "1 " : "0 "
            }
            out += line + "\n"
        }
        return out
    }
}

/// The symbol while it is being built: modules and which of them belong to function patterns.
private struct Grid {
    let size: Int
    var modules: [[Bool]]
    var isFunction: [[Bool]]

    init(size: Int) {
        self.size = size
        modules = Array(repeating: Array(repeating: false, count: size), count: size)
        isFunction = modules
    }

    mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y][x] = dark
        isFunction[y][x] = true
    }

    mutating func drawFunctionPatterns(version: Int) {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx, y = cy + dy
                    guard x >= 0, x < size, y >= 0, y < size else { continue }
                    let distance = max(abs(dx), abs(dy))
                    set(x, y, distance != 2 && distance != 4)
                }
            }
        }
        let positions = QRCode.alignment[version - 1]
        for (i, px) in positions.enumerated() {
            for (j, py) in positions.enumerated() {
                let last = positions.count - 1
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 { for dx in -2...2 { set(px + dx, py + dy, max(abs(dx), abs(dy)) != 1) } }
            }
        }
        drawFormat(mask: 0)  // reserves the format areas; drawn again with the chosen mask
        if version >= 7 {
            var remainder = version
            for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
            let bits = version << 12 | remainder
            for i in 0..<18 {
                let dark = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3, b = i / 3
                set(a, b, dark)
                set(b, a, dark)
            }
        }
    }

    /// Format information for level M (bits 00) and `mask`, both copies, and the dark module.
    mutating func drawFormat(mask: Int) {
        let data = 0b00 << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    mutating func drawCodewords(_ codewords: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y][x] && i < codewords.count * 8 {
                        modules[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] {
                let invert: Bool
                switch mask {
                case 0: invert = (x + y) % 2 == 0
                case 1: invert = y % 2 == 0
                case 2: invert = x % 3 == 0
                case 3: invert = (x + y) % 3 == 0
                case 4: invert = (x / 3 + y / 2) % 2 == 0
                case 5: invert = x * y % 2 + x * y % 3 == 0
                case 6: invert = (x * y % 2 + x * y % 3) % 2 == 0
                default: invert = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if invert { modules[y][x].toggle() }
            }
        }
    }

    /// The standard's penalty: runs of five or more (N1), 2×2 blocks (N2), finder-like patterns (N3), and the
    /// balance of dark and light (N4).
    func penalty() -> Int {
        var score = 0
        let columns = (0..<size).map { x in (0..<size).map { y in modules[y][x] } }
        let finderLike: [Bool] = [true, false, true, true, true, false, true]
        for line in modules + columns {
            var run = 1
            for i in 1...size {
                if i < size && line[i] == line[i - 1] { run += 1; continue }
                if run >= 5 { score += 3 + (run - 5) }
                run = 1
            }
            for start in 0...(size - 7) where Array(line[start ..< start + 7]) == finderLike {
                let before = (max(0, start - 4) ..< start).allSatisfy { !line[$0] } && start >= 4
                let after = (start + 7 ..< min(size, start + 11)).allSatisfy { !line[$0] } && start + 11 <= size
                if before || after { score += 40 }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let c = modules[y][x]
                if c == modules[y][x + 1] && c == modules[y + 1][x] && c == modules[y + 1][x + 1] { score += 3 }
            }
        }
        let dark = modules.reduce(0) { $0 + $1.filter { $0 }.count }
        let total = size * size
        score += max(0, (abs(dark * 20 - total * 10) + total - 1) / total - 1) * 10
        return score
    }
}
