import ArgumentParser
import Foundation
import ServiceRegistry

/// `--client NAME`: who registers a service or uses its value (Pelix's bundles).
struct ClientOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The client: who registers or uses (default: $SERVREG_CLIENT, else the user name).", valueName: "name"))
    var client: String?

    /// The client's name: `--client`, else `$SERVREG_CLIENT`, else the user's login name.
    func name(in context: CommandContext) throws -> String {
        let name: String
        if let client {
            name = client
        } else if let variable = context.environment["SERVREG_CLIENT"], !variable.isEmpty {
            name = variable
        } else {
            name = Self.userName
        }
        do {
            try ClientName.validate(name)
        } catch {
            throw CommandLineError.inOption(client != nil ? "--client" : "SERVREG_CLIENT", error)
        }
        return name
    }

    /// The effective user's login name (`uid N` when it has none).
    static let userName: String = {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            let text = String(cString: name)
            if !text.isEmpty { return text }
        }
        return "uid\(geteuid())"
    }()
}
