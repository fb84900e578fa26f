import Foundation

/// Left-aligned columns separated by two spaces, for people: widths in terminal columns
/// (East Asian wide characters count two), streamed with flat memory, and on a terminal
/// fitted to its width by wrapping cells onto more lines (nothing is cut off).
///
/// The first `sampleSize` rows fix the column widths; later rows are written as they come
/// (a later, wider cell wraps on a terminal, and elsewhere pushes its row out of line,
/// rather than holding every row back).
struct Table {
    /// A column: its header and where its cells may break when wrapped.
    struct Column {
        var header: String
        /// The text a cell may break after (a blank between properties, a comma between
        /// specifications); a part longer than the column breaks anywhere.
        var breaksAfter: Set<Character> = []
        /// Whether the column may be narrowed below its widest cell on a terminal.
        var shrinks = false
    }

    let columns: [Column]
    /// The terminal's width, or nil when the output is not a terminal (nothing wraps).
    let width: Int?
    let bold: Bool
    static let sampleSize = 500

    private var sample: [[String]] = []
    private var widths: [Int]?

    init(_ columns: [Column], width: Int?, bold: Bool) {
        self.columns = columns
        self.width = width
        self.bold = bold
    }

    /// Adds a row: held while the widths are sampled, then written at once.
    mutating func add(_ row: [String], to output: TextOutput) {
        if let widths {
            output.write(Self.render(row, widths: widths, columns: columns, wraps: width != nil))
            return
        }
        sample.append(row)
        if sample.count == Self.sampleSize { flushSample(to: output) }
    }

    /// Writes what is still held (a table of fewer rows than the sample).
    mutating func finish(to output: TextOutput) {
        if widths == nil { flushSample(to: output) }
    }

    private mutating func flushSample(to output: TextOutput) {
        let widths = layout()
        self.widths = widths
        let header = Self.render(columns.map(\.header), widths: widths, columns: columns, wraps: width != nil)
        output.write(bold ? "\u{1B}[1m" + header.dropLast() + "\u{1B}[0m\n" : header)
        for row in sample { output.write(Self.render(row, widths: widths, columns: columns, wraps: width != nil)) }
        sample = []
    }

    /// The widths: each column's widest cell; on a terminal too narrow for them, the
    /// shrinking columns give way: those before the last down to a third of the width,
    /// then the last, then the others, to 12 columns, then to 6.
    private func layout() -> [Int] {
        var widths = columns.map { DisplayWidth.of($0.header) }
        for row in sample {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell)) }
        }
        guard let width else { return widths }
        let gaps = 2 * (columns.count - 1)
        var excess = widths.reduce(0, +) + gaps - width
        func shrink(_ index: Int, to floor: Int) {
            guard excess > 0, columns[index].shrinks else { return }
            let cut = min(excess, max(0, widths[index] - floor))
            widths[index] -= cut
            excess -= cut
        }
        let last = columns.count - 1
        for index in 0..<last { shrink(index, to: max(12, width / 3)) }
        shrink(last, to: 12)
        for index in 0..<last { shrink(index, to: 12) }
        // Still too wide (a very narrow terminal): down to 6 columns each, headers wrapping too.
        shrink(last, to: 6)
        for index in 0..<last { shrink(index, to: 6) }
        return widths
    }

    /// One row: every cell wrapped to its column's width, the lines side by side; no
    /// trailing blanks.
    private static func render(_ row: [String], widths: [Int], columns: [Column], wraps: Bool) -> String {
        // Not on a terminal, a wider cell (after the sample) pushes its row instead.
        let cells = row.enumerated().map { index, cell in
            wraps ? wrap(cell, width: widths[index], breaksAfter: columns[index].breaksAfter) : [cell]
        }
        let height = cells.map(\.count).max() ?? 1
        var out = ""
        for lineIndex in 0..<height {
            var line = ""
            for (index, lines) in cells.enumerated() {
                let text = lineIndex < lines.count ? lines[lineIndex] : ""
                if index == cells.count - 1 {
                    line += text
                } else {
                    line += text + String(repeating: " ", count: max(0, widths[index] - DisplayWidth.of(text)) + 2)
                }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    /// A cell as lines of at most `width` columns, broken after `breaksAfter` where it can
    /// be (the break's trailing blank dropped), anywhere where it cannot.
    static func wrap(_ text: String, width: Int, breaksAfter: Set<Character>) -> [String] {
        guard DisplayWidth.of(text) > width, width > 0 else { return [text] }
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        var lastBreak: (index: String.Index, width: Int)?
        for character in text {
            let characterWidth = DisplayWidth.of(character)
            if lineWidth + characterWidth > width {
                if let lastBreak, lastBreak.index < line.endIndex {
                    let rest = String(line[lastBreak.index...])
                    var head = String(line[..<lastBreak.index])
                    if head.hasSuffix(" ") { head.removeLast() }
                    lines.append(head)
                    line = rest
                    lineWidth = DisplayWidth.of(rest)
                } else {
                    if line.hasSuffix(" ") { line.removeLast() }
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                lastBreak = nil
            }
            line.append(character)
            lineWidth += characterWidth
            if breaksAfter.contains(character) { lastBreak = (line.endIndex, lineWidth) }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// The width of the terminal standard output is, or nil when it is none: `COLUMNS`
    /// first (as shells set it), then the terminal's own size.
    static func terminalWidth(for output: TextOutput, environment: [String: String]) -> Int? {
        guard output.isTerminal else { return nil }
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns >= 20 { return columns }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 { return Int(size.ws_col) }
        return 80
    }
}

/// How many terminal columns text takes: East Asian wide and fullwidth characters and
/// emoji two, combining marks and other zero-width characters nothing, the rest one.
enum DisplayWidth {
    static func of(_ text: String) -> Int {
        // ASCII: one column a byte (the usual case, and the fast one).
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
        return text.reduce(0) { $0 + of($1) }
    }

    static func of(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        if first.isASCII { return 1 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }  // emoji presentation
        return isWide(first.value) ? 2 : 1
    }

    /// East Asian Wide and Fullwidth ranges (Unicode 15, the blocks that matter), and the
    /// emoji blocks shown wide.
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3, 0x25FD...0x25FE,
            0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE,
            0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705,
            0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF,
            0x2B1B...0x2B1C, 0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,
            0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF,
            0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

/// Orders text as people count: runs of digits by their number (`key2` before `key10`),
/// the rest by its characters, case folded first.
enum NaturalOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        let x = Array(a.lowercased().unicodeScalars)
        let y = Array(b.lowercased().unicodeScalars)
        var i = 0
        var j = 0
        while i < x.count && j < y.count {
            if isDigit(x[i]) && isDigit(y[j]) {
                var endI = i
                while endI < x.count && isDigit(x[endI]) { endI += 1 }
                var endJ = j
                while endJ < y.count && isDigit(y[endJ]) { endJ += 1 }
                var startI = i
                while startI < endI - 1 && x[startI] == "0" { startI += 1 }
                var startJ = j
                while startJ < endJ - 1 && y[startJ] == "0" { startJ += 1 }
                let lengthI = endI - startI
                let lengthJ = endJ - startJ
                if lengthI != lengthJ { return lengthI < lengthJ }
                for k in 0..<lengthI where x[startI + k] != y[startJ + k] { return x[startI + k] < y[startJ + k] }
                i = endI
                j = endJ
            } else {
                if x[i] != y[j] { return x[i] < y[j] }
                i += 1
                j += 1
            }
        }
        if x.count - i != y.count - j { return x.count - i < y.count - j }
        return a < b
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }
}
