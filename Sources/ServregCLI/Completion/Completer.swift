import ArgumentParser
import Foundation
import ServiceRegistry

/// Completion candidates for a partly typed command line. One function serves the
/// interactive shell and the generated bash, zsh and fish scripts: commands, options,
/// specification names and service ids from the store, property keys after `--prop`,
/// `--unset`, `--min`, `--max` and inside a filter after `(`.
struct Completer {
    /// Where names and ids come from; nil when no store can be read.
    let registry: Registry?
    /// The interactive shell also offers its session commands.
    var inShell = false

    private static let scopes = ServiceScope.allCases.map(\.rawValue)
    private static let filterOperators = ["=", "<=", ">=", "~="]
    private static let keyOptions: Set<String> = ["--prop", "--unset", "--min", "--max"]

    /// Commands offered by name: every declared one; in the shell, not those it refuses.
    var commandNames: [String] {
        let declared = DeclaredGrammar.servreg.commandNames.filter { $0 != "help" }
        return inShell ? declared.filter { !CommandSession.refusedInShell.contains($0) } : declared
    }

    /// Options of a command as declared: spelling → whether it takes a value.
    static func options(of command: String) -> [String: Bool] {
        var options: [String: Bool] = [:]
        for option in DeclaredGrammar.servreg.command(named: command)?.options ?? []
        where option.preferred != "--version" {
            for spelling in option.spellings { options[spelling] = option.takesValue }
        }
        return options
    }

    /// Candidates for `current`, the word being typed, after the complete `words`.
    func complete(words: [String], current: String) -> [String] {
        guard let command = words.first else {
            let names = commandNames + (inShell ? CommandSession.builtins : ["help"])
            return names.filter { $0.hasPrefix(current) }.sorted()
        }
        if inShell, command == "set" {
            // set NAME = COMMAND …
            return words.count >= 3 ? complete(words: Array(words.dropFirst(3)), current: current) : []
        }
        if command == "help" {
            return words.count == 1 ? commandNames.filter { $0.hasPrefix(current) } : []
        }
        let options = Self.options(of: command)
        if let previous = words.last, words.count > 1, options[previous] == true {
            return optionValues(previous, command: command, words: words, current: current)
        }
        if current.hasPrefix("-") {
            return options.keys.filter { $0.hasPrefix(current) }.sorted()
        }
        let position = positionals(in: words.dropFirst(), options: options).count
        switch command {
        case "register":
            return specifications(current)
        case "get", "get-all", "listen", "specs", "graph":
            return position == 0 ? specifications(current) : []
        case "props", "unget", "unregister", "renew", "keepalive", "deps":
            if ["props", "unget", "deps"].contains(command) { return position > 0 ? [] : ids(current) }
            let named = Set(words.dropFirst())
            return ids(current).filter { !named.contains($0) }
        case "set-props":
            // After the id: that service's own keys (what it has to change) and its schemas'.
            guard position > 0 else { return ids(current) }
            let id = positionals(in: words.dropFirst(), options: options).first
            let fields = schemaFields(of: service(id)?.specifications ?? [])
            if let values = fieldValues(current, fields) { return values }
            let own = ownKeys(of: id, current).filter { !Self.fixedKeys.contains(PropertyKey.fold($0)) }
            return Self.merged(fieldKeys(current, fields), own).map { $0 + "=" }
        case "schema":
            // schema set|show|rm SPEC …
            if position == 0 { return ["list", "rm", "set", "show"].filter { $0.hasPrefix(current) } }
            let action = positionals(in: words.dropFirst(), options: options).first
            return position == 1 && action != "list" ? specifications(current) : []
        case "hook":
            // hook add PHASE OPERATION | hook rm NAME
            if position == 0 { return ["add", "list", "rm"].filter { $0.hasPrefix(current) } }
            switch (positionals(in: words.dropFirst(), options: options).first ?? "", position) {
            case ("add", 1): return Hook.Phase.allCases.map(\.rawValue).filter { $0.hasPrefix(current) }
            case ("add", 2): return Hook.Operation.allCases.map(\.rawValue).filter { $0.hasPrefix(current) }
            case ("rm", 1): return ((try? registry?.hooks()) ?? []).map(\.name).filter { $0.hasPrefix(current) }
            default: return []
            }
        default:
            return []
        }
    }

    private func optionValues(_ option: String, command: String, words: [String], current: String) -> [String] {
        let specification =
            ["get", "get-all", "register", "listen"].contains(command)
            ? positionals(in: words.dropFirst(), options: Self.options(of: command)).first : nil
        switch option {
        case "--scope":
            return Self.scopes.filter { $0.hasPrefix(current) }
        case "--requires":
            // A specification, or @NAME.
            if current.hasPrefix("@") { return ids(current) }
            return specifications(current)
        case "--filter":
            if current == "'" || current == "\"" { return [current + "("] }
            guard let open = current.lastIndex(of: "(") else { return current.isEmpty ? ["("] : [] }
            var start = current.index(after: open)
            while start < current.endIndex, "&|!".contains(current[start]) { start = current.index(after: start) }
            let head = String(current[..<start])
            let found = keys(String(current[start...]), in: specification)
            // One key: offer it with each operator. The shells insert what the candidates
            // share — the key — and leave the filter (and its quote) open for the rest,
            // where a single candidate would close the quote and add a blank.
            if found.count == 1, let key = found.first {
                return Self.filterOperators.map { head + key + $0 }
            }
            return found.map { head + $0 }
        case "--unset" where command == "set-props":
            // A key the service has (the reserved ones cannot be unset).
            let id = positionals(in: words.dropFirst(), options: Self.options(of: command)).first
            return ownKeys(of: id, current).filter {
                !ReservedKey.all.map(PropertyKey.fold).contains(PropertyKey.fold($0))
            }
        case "--prop":
            // The keys of the specifications' schemas first, then those in the store; after
            // `key=`, a schema's one-of values.
            let named =
                command == "register" ? positionals(in: words.dropFirst(), options: Self.options(of: command)) : []
            let fields = schemaFields(of: named.isEmpty ? specification.map { [$0] } ?? [] : named)
            if let values = fieldValues(current, fields) { return values }
            return Self.merged(fieldKeys(current, fields), settableKeys(current, in: specification)).map { $0 + "=" }
        case let option where Self.keyOptions.contains(option):
            return keys(current, in: specification)
        default:
            return []
        }
    }

    /// The positional words among `words`, skipping options and their values.
    private func positionals(in words: ArraySlice<String>, options: [String: Bool]) -> [String] {
        var result: [String] = []
        var skipNext = false
        for word in words {
            if skipNext {
                skipNext = false
            } else if word.hasPrefix("-") && word.count > 1 {
                skipNext = options[word] == true
            } else {
                result.append(word)
            }
        }
        return result
    }

    // MARK: Schemas

    /// The fields of the schemas of some specifications.
    private func schemaFields(of specifications: [String]) -> [SchemaField] {
        guard !specifications.isEmpty, let schemas = try? registry?.schemas() else { return [] }
        return schemas.filter { specifications.contains($0.specification) }.flatMap(\.fields)
    }

    /// The keys of `fields` that start with `prefix`.
    private func fieldKeys(_ prefix: String, _ fields: [SchemaField]) -> [String] {
        fields.map(\.key).filter { PropertyKey.fold($0).hasPrefix(PropertyKey.fold(prefix)) }
    }

    /// For `key=value…`, the values a schema allows the key (its one-of list; true and
    /// false for a bool), as `key=value`; nil when `current` is no `key=`.
    private func fieldValues(_ current: String, _ fields: [SchemaField]) -> [String]? {
        guard let equals = current.firstIndex(of: "=") else { return nil }
        let key = String(current[..<equals])
        let typed = String(current[current.index(after: equals)...])
        guard let field = fields.first(where: { PropertyKey.fold($0.key) == PropertyKey.fold(key) }), !field.type.isList
        else { return [] }
        let values: [String]
        if let oneOf = field.type.oneOf {
            values = oneOf.map(\.schemaLiteral)
        } else if field.type.base == .boolean {
            values = ["false", "true"]
        } else {
            values = []
        }
        return values.filter { $0.hasPrefix(typed) }.map { key + "=" + $0 }
    }

    /// `first`, then what `second` adds (keys compared without case).
    private static func merged(_ first: [String], _ second: [String]) -> [String] {
        var seen = Set(first.map(PropertyKey.fold))
        return first + second.filter { seen.insert(PropertyKey.fold($0)).inserted }
    }

    private func service(_ id: String?) -> ServiceRecord? {
        guard let id, let reference = try? ServiceIDArgument.reference(id) else { return nil }
        return try? registry?.service(reference)
    }

    private func specifications(_ prefix: String) -> [String] {
        (try? registry?.specificationNames(prefix: prefix)) ?? []
    }

    /// Ids in numeric order (2 before 10), then names as @NAME.
    private func ids(_ prefix: String) -> [String] {
        let names =
            ((try? registry?.serviceNames(prefix: prefix.hasPrefix("@") ? String(prefix.dropFirst()) : prefix))
            ?? []).map { "@" + $0 }.filter { $0.hasPrefix(prefix) }
        if prefix.hasPrefix("@") { return names }
        return ((try? registry?.serviceIDs(prefix: prefix)) ?? []).sorted().map(String.init) + names
    }

    /// The property keys of the service an id names (service.ranking among them), in
    /// natural order; none for an unknown id.
    private func ownKeys(of id: String?, _ prefix: String) -> [String] {
        guard let id, let reference = try? ServiceIDArgument.reference(id),
            let record = try? registry?.service(reference)
        else { return [] }
        let keys = [ReservedKey.ranking] + record.properties.entries.map(\.key)
        return keys.filter { PropertyKey.fold($0).hasPrefix(PropertyKey.fold(prefix)) }.sorted(
            by: NaturalOrder.precedes)
    }

    /// Keys a `--prop` or `set-props` may name: all but the read-only and fixed ones.
    private func settableKeys(_ prefix: String, in specification: String?) -> [String] {
        keys(prefix, in: specification).filter { !Self.fixedKeys.contains(PropertyKey.fold($0)) }
    }

    private static let fixedKeys = Set(["service.id", "objectclass", "service.scope"] + ReservedKey.derived)

    private func keys(_ prefix: String, in specification: String?) -> [String] {
        (try? registry?.propertyKeys(specification: specification, prefix: prefix)) ?? []
    }
}

extension Completer {
    /// The completion of every argument whose candidates come from the store.
    static let fromStore = CompletionKind.custom(scriptCandidates)

    /// The callback of the generated shell scripts (argument-parser's `.custom`): the
    /// shell's words, the index of the word being completed, and its text before the cursor.
    static let scriptCandidates: @Sendable ([String], Int, String) -> [String] = { words, index, prefix in
        candidates(words: words, index: index, prefix: prefix, environment: ProcessInfo.processInfo.environment)
    }

    /// What `scriptCandidates` answers, with the environment that names the store.
    static func candidates(words: [String], index: Int, prefix: String, environment: [String: String]) -> [String] {
        let unquoted = words.map(Self.unquote)
        // Word 0 is the program; options before the command name are hoisted as in one-shot use.
        let typed = ServregMain.hoistGlobalOptions(Array(unquoted.dropFirst().prefix(max(0, index - 1))))
        var storeOption: String?
        if let at = typed.firstIndex(of: "--store"), at + 1 < typed.count { storeOption = typed[at + 1] }
        var settings = StoreLocation.Settings()
        settings.busyTimeout = 0.2
        let store = try? StoreLocation.resolve(option: storeOption, environment: environment).open(
            .read, settings: settings)
        let registry = store.map { Registry(store: $0.store, liveness: ProcessLiveness()) }
        let current = Self.unquote(prefix)
        // The scripts offer option names themselves.
        if current.hasPrefix("-") { return [] }
        return Completer(registry: registry).complete(words: typed, current: current)
    }

    private static func unquote(_ word: String) -> String {
        guard let first = word.first, first == "'" || first == "\"" else { return word.replacingAll("\\", with: "") }
        var inner = word.dropFirst()
        if inner.last == first { inner = inner.dropLast() }
        return String(inner)
    }
}
