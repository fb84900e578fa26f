import Foundation
import RegistryTestSupport
import Testing

/// What servreg does to the file system around its store: nothing when a command fails,
/// directories only for the default location, 0600 for what it creates, no writes by reads.
@Suite struct StoreFileTests {
    let servreg = ServregProcess()

    /// Every entry below `directory`, so that a test can say "nothing was created".
    private func entries(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
    }

    static let unchanging: [([String], Int32)] = [
        (["unregister", "5"], 1), (["set-props", "5", "a=1"], 1), (["props", "5"], 1),
        (["register", "x.S", "--scope", "bogus"], 65), (["listen", "--since", "99"], 4),
        (["run", "--atomic", "-"], 65), (["get-all"], 1),
    ]

    @Test(arguments: unchanging)
    func aCommandThatChangesNothingCreatesNothing(arguments: [String], status: Int32) throws {
        let before = entries(servreg.directory)
        let result = try servreg.run(arguments, stdin: "register a.B\nregister 'bad name'\n")
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(entries(servreg.directory) == before, "\(arguments) left files behind")
    }

    @Test func aBadEnvironmentCreatesNothing() throws {
        let before = entries(servreg.directory)
        let result = try servreg.run(["register", "a.B"], environment: ["SERVREG_EVENT_RETENTION": "0"])
        #expect(result.status == 65)
        #expect(entries(servreg.directory) == before)
    }

    @Test func theDefaultLocationGetsItsDirectoriesOthersDoNot() throws {
        let home = servreg.directory + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let environment = ["SERVREG_STORE": "", "HOME": home]
        // A failing command on the default location creates no directory either.
        #expect(try servreg.run(["unregister", "5"], environment: environment).status == 1)
        #expect(entries(home).isEmpty)
        #expect(try servreg.run(["register", "a.B"], environment: environment).status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: home + "/.local/share/servreg")[.posixPermissions]
        #expect(mode as? Int == 0o700)
        // A mistyped --store is an error, not a new tree of directories.
        let typo = servreg.directory + "/no/such/dir/registry.db"
        let result = try servreg.run(["register", "a.B", "--store", typo])
        #expect(result.status == 74)
        #expect(
            result.stderr
                == "servreg: error: cannot open store \(typo): directory \(servreg.directory)/no/such/dir does not exist\n"
        )
        #expect(!FileManager.default.fileExists(atPath: servreg.directory + "/no"))
    }

    @Test func aReadOfAMissingStoreSaysSoAndReadsEmpty() throws {
        let result = try servreg.run(["get-all", "--count"])
        #expect(result.stdout == "0\n")
        #expect(result.stderr == "servreg: no store at \(servreg.storePath) (nothing is registered)\n")
        // Said once: no second note that nothing matched.
        for command in [["get", "acme.IPlumber"], ["get-all"], ["get-all", "acme.IPlumber"], ["specs"]] {
            let empty = try servreg.run(command)
            #expect(empty.status == 1)
            #expect(empty.stdout.isEmpty)
            #expect(
                empty.stderr == "servreg: no store at \(servreg.storePath) (nothing is registered)\n", "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: servreg.storePath))
    }

    @Test func anEmptyFileBecomesAPrivateStoreOnlyWhenWritten() throws {
        #expect(
            FileManager.default.createFile(
                atPath: servreg.storePath, contents: Data(), attributes: [.posixPermissions: 0o644]))
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n")
        #expect(try FileManager.default.attributesOfItem(atPath: servreg.storePath)[.size] as? Int == 0)
        #expect(try servreg.run(["register", "a.B"]).status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: servreg.storePath)[.posixPermissions]
        #expect(mode as? Int == 0o600)
    }

    @Test func symlinksAreFollowedToAFileAndRefusedToNothing() throws {
        let target = servreg.directory + "/target.db"
        let link = servreg.directory + "/link.db"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        // A link to nothing: refused, and its target is not created.
        let dangling = try servreg.run(["register", "a.B", "--store", link])
        #expect(dangling.status == 74)
        #expect(dangling.stderr.contains("it is a symbolic link to a missing file"), "\(dangling.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target))
        // A link to an empty file: a read leaves the target as it is; a write makes it the store.
        #expect(FileManager.default.createFile(atPath: target, contents: Data()))
        #expect(try servreg.run(["get-all", "--count", "--store", link]).stdout == "0\n")
        #expect(try FileManager.default.attributesOfItem(atPath: target)[.size] as? Int == 0)
        #expect(try servreg.run(["register", "a.B", "--store", link]).status == 0)
        #expect(try servreg.run(["get-all", "-q", "--store", target]).lines == ["1"])
    }
}
