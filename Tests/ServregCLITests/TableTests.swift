import Foundation
import Testing

@testable import ServiceRegistry
@testable import ServregCLI

/// Tables for people: display widths, natural key order, fitting a terminal's width.
@Suite struct TableTests {
    @Test(arguments: [
        ("abc", 3), ("東京", 4), ("e\u{301}", 1), ("名前=山田", 9), ("a\u{200B}b", 2), ("😀", 2), ("é", 1),
        ("\u{FF21}", 2),
    ])
    func displayWidthCountsTerminalColumns(text: String, width: Int) {
        #expect(DisplayWidth.of(text) == width)
    }

    @Test func naturalOrderCountsDigitRunsAsNumbers() {
        let keys = ["key10", "Key2", "key1", "a", "key02", "key", "b1", "B10", "b9"]
        #expect(
            keys.sorted(by: NaturalOrder.precedes) == ["a", "b1", "b9", "B10", "key", "key1", "Key2", "key02", "key10"])
    }

    @Test func wrapBreaksAtSeparatorsAndAnywhereOnlyWhenItMust() {
        #expect(Table.wrap("a=1 bb=2 ccc=3", width: 8, breaksAfter: [" "]) == ["a=1", "bb=2", "ccc=3"])
        #expect(Table.wrap("x.A,y.BB,z.CCC", width: 9, breaksAfter: [","]) == ["x.A,y.BB,", "z.CCC"])
        #expect(Table.wrap("abcdefghij", width: 4, breaksAfter: [" "]) == ["abcd", "efgh", "ij"])
        #expect(Table.wrap("東京東京", width: 5, breaksAfter: []) == ["東京", "東京"])
        #expect(Table.wrap("short", width: 40, breaksAfter: [" "]) == ["short"])
    }

    private func record(_ id: ServiceID, _ specifications: [String], _ pairs: [(String, PropertyValue)]) throws
        -> ServiceRecord
    {
        ServiceRecord(
            id: id, specifications: specifications, ranking: 0, scope: .singleton,
            properties: try ServiceProperties(pairs))
    }

    @Test func onATerminalEveryLineFitsAndNothingIsLost() throws {
        let long = try record(
            1, ["acme.IPlumber", "acme.some.very.long.specification.Name"],
            [("desc", .string(String(repeating: "word ", count: 30))), ("key10", .integer(1)), ("key2", .integer(2))])
        let cjk = try record(22, ["x.Y"], [("名前", .string("山田太郎"))])
        let fitted = ServiceFormatter(color: false, width: 60).table([long, cjk])
        let lines = fitted.split(separator: "\n")
        #expect(lines.allSatisfy { DisplayWidth.of(String($0)) <= 60 }, "\(fitted)")
        #expect(lines.count > 3)
        // Every word is there, in order, and key2 comes before key10.
        // The SPECIFICATIONS cell of service 1, read down its lines, is whole.
        let header0 = String(lines[0])
        let start = header0.range(of: "SPECIFICATIONS")!.lowerBound.utf16Offset(in: header0)
        let end = header0.range(of: "PROPERTIES")!.lowerBound.utf16Offset(in: header0)
        let rowLines = lines.dropFirst().prefix { !$0.hasPrefix("22 ") }.map(String.init)
        let specifications = rowLines.map { line -> String in
            let utf16 = Array(line.utf16)
            guard utf16.count > start else { return "" }
            return String(decoding: utf16[start..<min(end, utf16.count)], as: UTF16.self)
                .trimmingCharacters(in: .whitespaces)
        }.joined()
        #expect(specifications == "acme.IPlumber,acme.some.very.long.specification.Name", "\(fitted)")
        #expect(fitted.components(separatedBy: "word").count - 1 == 30)
        let key2 = try #require(fitted.range(of: "key2=2"))
        let key10 = try #require(fitted.range(of: "key10=1"))
        #expect(key2.lowerBound < key10.lowerBound)
        // Columns stay aligned with wide characters: the row of 22 starts its PROPERTIES
        // where the header does.
        let header = try #require(lines.first.map(String.init))
        let cjkLine = try #require(lines.first { $0.hasPrefix("22 ") }.map(String.init))
        let column = DisplayWidth.of(String(header[..<header.range(of: "PROPERTIES")!.lowerBound]))
        let cell = DisplayWidth.of(String(cjkLine[..<cjkLine.range(of: "名前")!.lowerBound]))
        #expect(column == cell)
        // Not a terminal: one line a service, whatever its length.
        let piped = ServiceFormatter(color: false).table([long, cjk])
        #expect(piped.split(separator: "\n").count == 3)
    }

    /// Narrow terminals too (30 columns and more): no line wider than the terminal.
    @Test(arguments: [30, 40, 60, 100])
    func everyTableFitsNarrowTerminals(width: Int) throws {
        let record = try record(
            1234, ["acme.IPlumber", "acme.some.very.long.specification.Name"],
            [
                ("city", .string("東京東京東京東京東京")), ("tags", .list([.string("alpha"), .string("beta")])),
                ("url", .string("https://example.com/a/very/long/path/that/goes/on")),
            ])
        let formatter = ServiceFormatter(color: false, width: width)
        for text in [formatter.table([record]), formatter.propertyTable(record)] {
            let wide = text.split(separator: "\n").filter { DisplayWidth.of(String($0)) > width }
            #expect(wide.isEmpty, "\(width): \(wide)")
        }
    }

    @Test func rowsAfterTheSampleStreamWithTheSampledWidths() {
        var table = Table([.init(header: "A"), .init(header: "B")], width: nil, bold: false)
        let output = TextOutput(capturing: ())
        for n in 0..<Table.sampleSize { table.add(["\(n % 10)", "x"], to: output) }
        // The sample is written once it is full, before the table ends.
        #expect(output.takeCaptured().split(separator: "\n").count == Table.sampleSize + 1)
        table.add(["1234", "y"], to: output)
        #expect(output.takeCaptured() == "1234  y\n")
        table.finish(to: output)
        #expect(output.takeCaptured() == "")
    }
}

@Suite struct SuggestionUnitTests {
    @Test func nearestWithinTwoEditsAndNoTies() {
        #expect(Suggestion.closest(to: "regster", among: ["register", "get", "get-all"]) == "register")
        #expect(Suggestion.closest(to: "gte", among: ["get", "set"]) == "get")  // a swap is one edit
        #expect(Suggestion.closest(to: "xyzzy", among: ["register", "get"]) == nil)
        #expect(Suggestion.closest(to: "ab", among: ["ac", "ad"]) == nil)  // too short for two edits, and tied
        #expect(Suggestion.closest(to: "acme.iplumber", among: ["acme.IPlumber"]) == "acme.IPlumber")
    }
}
