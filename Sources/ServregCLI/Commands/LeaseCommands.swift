import ArgumentParser
import Foundation
import ServiceRegistry

extension Servreg {
    /// `servreg renew`: extend leases once.
    struct Renew: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "renew",
            _superCommandName: "servreg",
            abstract: "Extend the lease of services by their TTL, from now.",
            discussion: """
                Each service (id or @NAME) gets its whole time to live again, in one
                transaction. An unknown or expired service exits 1, a service without a lease
                2; the others are renewed still. A renewal is no event.

                Example: servreg renew @db 12
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("The services: service.id values or @NAME.", valueName: "id"),
            completion: Completer.fromStore)
        var ids: [String]

        func execute(in context: CommandContext) throws -> ExitStatus {
            let references = try ids.map(ServiceIDArgument.reference)
            let (renewed, missing, unleased) = try context.registry(global, access: .write).renew(references)
            switch global.outputMode {
            case .json: context.output.write(Unregister.jsonList(renewed))
            case .ids: for record in renewed { context.output.write("\(record.id)\n") }
            case .human: break
            }
            for reference in missing {
                _ = context.report(RegistryError.noSuchService(reference))
            }
            for record in unleased {
                _ = context.report(RegistryError.noLease(record.id))
            }
            if !missing.isEmpty { return .noMatch }
            return unleased.isEmpty ? .success : .conditionFailed
        }
    }

    /// `servreg keepalive`: renew leases until interrupted.
    struct Keepalive: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "keepalive",
            _superCommandName: "servreg",
            abstract: "Renew the leases of services every TTL/3 until interrupted.",
            discussion: """
                Runs in the foreground: renews at once, then every third of the shortest TTL
                of the services given. Ctrl-C (or SIGINT) ends it with 130; the services then
                expire when their leases run out. When a service is gone (unregistered,
                expired before a renewal, its owner exited) it says why and exits 1; a
                service without a lease exits 2. A store busy for longer than the busy
                timeout is tried again at the next renewal.

                Example: servreg register acme.IWorker --name w1 --ttl 3s && servreg keepalive @w1
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("The services: service.id values or @NAME.", valueName: "id"),
            completion: Completer.fromStore)
        var ids: [String]

        func execute(in context: CommandContext) throws -> ExitStatus {
            let references = try ids.map(ServiceIDArgument.reference)
            if context.isInGroup { throw context.endGroup() }
            if context.isInAtomicBatch { throw CommandLineError.waitsInAtomicBatch("keepalive") }
            InterruptFlag.install()
            _ = InterruptFlag.take()
            let registry = try context.registry(global, access: .write)
            let start = try registry.latestSequence()
            // Names are resolved once: a name taken over later (--existing replace) is
            // another service, and this one is gone.
            var targets = references
            var labels: [ServiceID: ServiceReference] = [:]
            while true {
                if InterruptFlag.take() { return .interrupted }
                let interval: Int64
                do {
                    let (renewed, missing, unleased) = try registry.renew(targets)
                    for record in unleased {
                        _ = context.report(RegistryError.noLease(record.id))
                    }
                    if !unleased.isEmpty { return .conditionFailed }
                    for reference in missing {
                        guard case .id(let id) = reference, let label = labels[id] else {
                            _ = context.report(RegistryError.noSuchService(reference))
                            continue
                        }
                        let reason = try registry.removalReason(of: id, after: start)
                        _ = context.report(RegistryError.serviceGone(label, reason: reason))
                    }
                    if !missing.isEmpty { return .noMatch }
                    if labels.isEmpty {
                        for (reference, record) in zip(references, renewed) where labels[record.id] == nil {
                            labels[record.id] = reference
                        }
                        targets = Array(Set(renewed.map(\.id))).sorted().map(ServiceReference.id)
                    }
                    interval = max(10, (renewed.compactMap { $0.lease?.ttl }.min() ?? 3000) / 3)
                } catch let error as StoreError where error.kind == .busy {
                    context.note("\(ErrorReport.describe(error).message); renewing again shortly")
                    interval = 100
                }
                if Self.sleepInterrupted(milliseconds: interval) { return .interrupted }
            }
        }

        /// Waits, ending early on Ctrl-C; whether it was interrupted.
        static func sleepInterrupted(milliseconds: Int64) -> Bool {
            guard let descriptor = InterruptFlag.descriptor else {
                usleep(UInt32(min(milliseconds, 4_000_000) * 1000))
                return InterruptFlag.take()
            }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let deadline = Date().timeIntervalSince1970 + Double(milliseconds) / 1000
            while true {
                let left = Int32(max(0, (deadline - Date().timeIntervalSince1970) * 1000).rounded(.up))
                let ready = poll(&entry, 1, left)
                if ready > 0 { return InterruptFlag.take() }
                if ready == 0 || left == 0 { return InterruptFlag.take() }
            }
        }
    }
}
