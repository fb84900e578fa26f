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
        let maker = try context.valueMaker(global)
        // A read first: a value already made (or a use already recorded) needs no write.
        var found: (ServiceRecord, [UInt8])?
        do {
            found = try context.registry(global, access: .read).value(
                of: target, specification: specification, client: name, claimant: claimant, maker: maker,
                writable: false)
        } catch is Registry.ValueNeedsWrite {
            found = try context.registry(global, access: .write).value(
                of: target, specification: specification, client: name, claimant: claimant, maker: maker)
        }
        guard let (_, value) = found else {
            if let specification { try context.noteNoMatch("no service of \(specification) matches") }
            return .noMatch
        }
        context.output.write(bytes: value)
        return .success
    }
}
