/// How list commands print `--json`: one object a line inside `[` and `]`, `[]` for none.
enum JSONLines {
    static func array(_ objects: [String]) -> String {
        objects.isEmpty ? "[]\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }
}
