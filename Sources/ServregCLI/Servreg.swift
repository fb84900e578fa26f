import ArgumentParser
import CBuildInfo

/// The `servreg` command: a service registry driven from the command line.
public struct Servreg: ParsableCommand {
    /// The command's name, help text, version and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "servreg",
        abstract: "A service registry: register services under specifications, find them by LDAP filter.",
        discussion: """
            Services are registered under one or more specification names with typed
            properties, get a service.id that is never reused, and are found again by
            specification and an LDAP filter (RFC 4515, OSGi semantics), ordered by
            service.ranking (highest first, then lowest id).

            The store is an SQLite file: --store PATH, else $SERVREG_STORE, else
            $XDG_DATA_HOME/servreg/registry.db (~/.local/share/servreg/registry.db);
            or, shared by many hosts, etcd: --store etcd://HOST:PORT[,…][/PREFIX]
            (etcds:// for TLS, with --cacert, --cert and --key).
            --store, --cacert, --cert, --key, --json and -q may stand before or after
            the command name.

            \(ExitStatus.helpTable)
            """,
        version: versionText,
        subcommands: [
            Register.self, Get.self, GetAll.self, Props.self, SetProps.self, Unregister.self, Specs.self, Listen.self,
            Renew.self, Keepalive.self, Unget.self, Deps.self, Graph.self, Apply.self, HookCommand.self, Schema.self,
            Run.self, Shell.self,
            Export.self,
            Import.self,
        ]
    )

    /// `servreg --version`: the version and the commit it was built from.
    static let versionText: String = {
        let commit = String(cString: servreg_build_commit())
        return "0.1.0 (" + (commit.isEmpty ? "commit unknown: built without make" : "commit \(commit)") + ")"
    }()

    /// The root command, with no options of its own (the subcommands have them).
    public init() {}
}
