import Foundation
import ServiceRegistry

/// `get --value` and `props --value`: a service's value, alone and byte for byte.
enum ServiceValueOutput {
    /// Prints the value of the target for the client (made by its factory when it is one).
    static func print(
        _ target: Registry.ValueTarget, specification: String?, global: GlobalOptions, client: ClientOptions,
        in context: CommandContext
    ) throws -> ExitStatus {
        // A factory runs outside every transaction: not inside a group of batch lines.
        if context.isInGroup { throw context.endGroup() }
        let name = try client.name(in: context)
        guard let claimant = ProcessLiveness.owner(of: getpid()) else {
            throw CommandLineError.invalidOptionValue("cannot read this process's start time from /proc", command: nil)
        }
        let registry = try context.registry(global, access: .write)
        guard
            let (_, value) = try registry.value(
                of: target, specification: specification, client: name, claimant: claimant,
                maker: try context.valueMaker(global))
        else {
            if let specification { try context.noteNoMatch("no service of \(specification) matches") }
            return .noMatch
        }
        context.output.write(bytes: value)
        return .success
    }
}
