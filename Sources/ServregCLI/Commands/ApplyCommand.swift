import ArgumentParser
import Foundation
import ServiceRegistry
import ServregSyntax

extension Servreg {
    /// `servreg apply`: services declared in files (Blueprint's `app/services/`), made so.
    struct Apply: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            _superCommandName: "servreg",
            abstract: "Make the store match services declared in files (*.srv in a DIR).",
            discussion: """
                Each FILE (or each *.srv file of a DIR, in name order) is written in batch
                syntax and holds only register lines, each with --name: the services that
                should be registered. apply registers the missing ones, updates those that
                differ (one MODIFIED each; a service as declared is left alone) and replaces
                those whose specifications or scope differ (fixed at registration). With
                --prune it also unregisters (reason pruned) the services an earlier apply of
                the same FILE or DIR registered that are no longer declared (a service
                registered otherwise under a declared name is taken over: it is then the
                file's). All of it is one transaction; a second apply of the same files
                changes nothing.

                --diff prints what apply would do and changes nothing. Each change is one
                line: + registered, ~ updated (KEY: OLD → NEW for what differs), ± replaced, -
                unregistered; a note sums up. -q prints the ids of the services registered,
                updated or replaced; --json one object per declared or pruned service.

                A line that is not a named register (or has --hold, --owner-pid, --ttl or
                --existing: a declared service stays until it is no longer declared) exits 65
                with FILE:LINE, and nothing is changed.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("Declaration files, or folders of *.srv files.", valueName: "file|dir"),
            completion: .file())
        var paths: [String]

        @Flag(
            name: .long,
            help: "Also unregister what an earlier apply of these files registered and they no longer declare.")
        var prune = false

        @Flag(name: .long, help: "Print what apply would do; change nothing.")
        var diff = false

        func execute(in context: CommandContext) throws -> ExitStatus {
            var declared: [DeclaredService] = []
            var sources: [String] = []
            var read = Set<String>()
            for path in paths {
                let (source, files) = try Self.files(of: path)
                if !sources.contains(source) { sources.append(source) }
                // A file named twice (as itself, or in its folder too) is read once.
                for file in files where read.insert(Self.realPath(file) ?? file).inserted {
                    declared += try Self.declarations(in: file, source: source, context: context)
                }
            }
            let registry = try context.registry(global, access: diff ? .read : .write)
            let changes = try registry.apply(declared, sources: sources, prune: prune, dryRun: diff)
            let formatter = ServiceFormatter(context: context)
            switch global.outputMode {
            case .json:
                let objects = changes.map(Self.json)
                context.output.write(JSONLines.array(objects))
            case .ids:
                for change in changes where change.action != .unchanged && change.action != .unregister {
                    if let id = change.id { context.output.write("\(id)\n") }
                }
            case .human:
                for change in changes where change.action != .unchanged {
                    context.output.write(Self.line(change, formatter: formatter))
                }
            }
            context.note(Self.summary(changes, dryRun: diff))
            return .success
        }

        /// The source a path is (its real path) and the files it names.
        private static func files(of path: String) throws -> (source: String, files: [String]) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
                let resolved = realpath(path, nil)
            else {
                throw CommandLineError.unreadableInputFile(path, reason: ": no such file or folder")
            }
            let source = String(cString: resolved)
            free(resolved)
            guard isDirectory.boolValue else { return (source, [path]) }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw CommandLineError.unreadableInputFile(path, reason: ": the folder cannot be read")
            }
            let base = path.hasSuffix("/") ? path : path + "/"
            // Not hidden files (an editor's lock or backup), and only files: a folder named
            // x.srv is no declaration.
            let files = names.filter { $0.hasSuffix(".srv") && !$0.hasPrefix(".") }.sorted().map { base + $0 }.filter {
                var isFolder: ObjCBool = false
                return FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder) && !isFolder.boolValue
            }
            return (source, files)
        }

        private static func realPath(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }

        /// The services a file declares; a line that is not a named register is 65, FILE:LINE.
        private static func declarations(in file: String, source: String, context: CommandContext) throws
            -> [DeclaredService]
        {
            let shown = TextEscaping.escapingControlCharacters(file)
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandLineError.unreadableInputFile(file, reason: ": it cannot be read")
            }
            let text: String
            switch BatchRunner.text(of: data) {
            case .success(let decoded): text = decoded
            case .failure(let invalid):
                throw CommandLineError.badDeclaration(origin: "\(shown):\(invalid.line)", message: "not UTF-8 text")
            }
            let tokenizer = LineTokenizer { context.environment[$0] }
            var declared: [DeclaredService] = []
            for line in BatchRunner.lines(of: text) {
                let origin = "\(shown):\(line.number)"
                func bad(_ message: String) -> CommandLineError {
                    .badDeclaration(origin: origin, message: message)
                }
                let words: [String]
                do {
                    words = try tokenizer.words(line.text)
                } catch {
                    throw bad("column \(error.column): \(error.message)")
                }
                guard let first = words.first else { continue }
                guard first == "register" else {
                    throw bad("apply takes register lines with --name, not \(Quoting.quoted(first))")
                }
                let register: Register
                do {
                    guard let parsed = try ServregMain.parseCommand(words) as? Register else {
                        throw bad("not a register line")
                    }
                    register = parsed
                } catch let error as CommandLineError {
                    throw error
                } catch {
                    throw bad(Servreg.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)")
                }
                for (given, option) in [
                    (!register.hold.isEmpty, "--hold"), (register.ownerPID != nil, "--owner-pid"),
                    (register.ttl != nil, "--ttl"), (register.existing != nil, "--existing"),
                    (register.global.store != nil, "--store"),
                    (!register.global.tlsFiles.given.isEmpty, register.global.tlsFiles.given.joined(separator: "/")),
                    (register.global.json || register.global.quiet, "--json/-q"),
                ] where given {
                    throw bad("\(option) is not for a declared service")
                }
                guard register.name != nil else { throw bad("a declared service needs --name") }
                var request: RegistrationRequest
                do {
                    request = try register.request(in: context)
                } catch {
                    throw bad(ErrorReport.describe(error).message)
                }
                request.source = source
                declared.append(DeclaredService(request: request, origin: origin))
            }
            return declared
        }

        private static let symbols: [AppliedChange.Action: String] = [
            .register: "+", .update: "~", .replace: "±", .unregister: "-", .unchanged: "=",
        ]

        private static func line(_ change: AppliedChange, formatter: ServiceFormatter) -> String {
            var out = (symbols[change.action] ?? "?") + " @" + change.name
            if let id = change.id ?? change.previousID { out += " (\(id))" }
            if change.action == .replace, let previous = change.previousID {
                out += " replaces \(previous)"
            }
            let shown = change.differences.map { difference in
                func value(_ value: PropertyValue?) -> String {
                    guard let value else { return "(none)" }
                    let text = formatter.text(value)
                    return text.count > 60 ? String(text.prefix(59)) + "…" : text
                }
                return "\(formatter.key(difference.key)): \(value(difference.old)) → \(value(difference.new))"
            }
            if !shown.isEmpty { out += ": " + shown.joined(separator: "; ") }
            return out + "\n"
        }

        private static func json(_ change: AppliedChange) -> String {
            var out = "{\"action\":"
            JSONWriter.writeString(change.action.rawValue, to: &out)
            out += ",\"name\":"
            JSONWriter.writeString(change.name, to: &out)
            out += ",\"id\":" + (change.id.map { String($0) } ?? "null")
            out += ",\"previous_id\":" + (change.previousID.map { String($0) } ?? "null")
            out += ",\"origin\":"
            if let origin = change.origin { JSONWriter.writeString(origin, to: &out) } else { out += "null" }
            out += ",\"differences\":["
            for (offset, difference) in change.differences.enumerated() {
                if offset > 0 { out += "," }
                out += "{\"key\":"
                JSONWriter.writeString(difference.key, to: &out)
                out += ",\"old\":"
                if let old = difference.old { JSONWriter.writeValue(old, to: &out) } else { out += "null" }
                out += ",\"new\":"
                if let new = difference.new { JSONWriter.writeValue(new, to: &out) } else { out += "null" }
                out += "}"
            }
            return out + "]}"
        }

        private static func summary(_ changes: [AppliedChange], dryRun: Bool) -> String {
            func count(_ action: AppliedChange.Action) -> Int { changes.filter { $0.action == action }.count }
            let parts = [
                (count(.register), "registered"), (count(.update), "updated"), (count(.replace), "replaced"),
                (count(.unregister), "unregistered"), (count(.unchanged), "unchanged"),
            ].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
            let said = parts.isEmpty ? "nothing declared" : parts.joined(separator: ", ")
            return dryRun ? "--diff: would be \(said); nothing was changed" : "applied: \(said)"
        }
    }
}
