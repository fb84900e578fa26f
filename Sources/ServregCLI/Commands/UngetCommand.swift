import ArgumentParser
import Foundation
import ServiceRegistry

extension Servreg {
    /// `servreg unget`: a client lets go of a service's value (OSGi `ungetService`).
    struct Unget: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "unget",
            _superCommandName: "servreg",
            abstract: "Let go of a service's value: a client no longer uses it.",
            discussion: """
                The client (--client, else $SERVREG_CLIENT, else the user name) stops using the
                service. A bundle factory's value made for the client is forgotten and its
                release command runs with the value on standard input; the next request makes
                a new one. For a prototype factory, the value to release is --value TEXT,
                --value-file PATH, else standard input (in the shell and in a batch read from
                standard input, give --value or --value-file). Exits 1 when the client holds
                nothing of the service.

                Example: servreg unget @pool --client worker-3
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The service.id, or @NAME.", valueName: "id"), completion: Completer.fromStore)
        var id: String

        @OptionGroup var clientOptions: ClientOptions

        @OptionGroup var valueInput: ValueInputOptions

        func execute(in context: CommandContext) throws -> ExitStatus {
            let reference = try ServiceIDArgument.reference(id)
            let client = try clientOptions.name(in: context)
            let registry = try context.registry(global, access: .write)
            // A prototype's value comes back on standard input (read only for one).
            var returned: [UInt8]?
            if try registry.service(reference).isPrototypeFactory {
                if valueInput.isGiven {
                    returned = try valueInput.bytes(in: context)
                } else {
                    guard !context.standardInputInUse else { throw CommandLineError.standardInputInUse("unget") }
                    returned = Array(FileHandle.standardInput.readDataToEndOfFile())
                }
                if returned?.isEmpty == true { throw CommandLineError.standardInputNotUTF8Value("unget") }
            } else if valueInput.isGiven {
                throw CommandLineError.invalidOptionValue(
                    "--value and --value-file give back a prototype factory's value; \(id) is not one", command: "unget"
                )
            }
            let record = try registry.unget(reference, client: client, value: returned)
            switch global.outputMode {
            case .json: context.output.write(ServiceFormatter.json(record) + "\n")
            case .ids: context.output.write("\(record.id)\n")
            case .human: break
            }
            return .success
        }
    }
}

extension ServiceRecord {
    /// Whether the service is a prototype factory (a value of it comes back with `unget`).
    var isPrototypeFactory: Bool { factory != nil && scope == .prototype }
}
