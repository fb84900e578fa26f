import Foundation
import ServiceRegistry

/// The lease of a service that `register --hold` keeps: renewed every third of its TTL
/// while COMMAND runs. A renewal the store refuses (unreachable, busy) is said once and
/// tried again at the next; a service gone meanwhile (unregistered, or expired while the
/// store could not be reached) is said, and renewing ends.
struct HeldLease {
    let id: ServiceID
    let every: Int64
    private var due: Int64
    private var failing = false
    private let since: Int64

    /// Nil for a service without a lease.
    init?(_ record: ServiceRecord, in registry: Registry) {
        guard let ttl = record.lease?.ttl else { return nil }
        id = record.id
        every = max(10, ttl / 3)
        due = Self.now() + every
        since = (try? registry.latestSequence()) ?? 0
    }

    /// Milliseconds until the next renewal (0 when it is due).
    func millisecondsLeft() -> Int64 { max(0, due - Self.now()) }

    /// Renews when due; false once the service is gone (it is not renewed again).
    mutating func renewIfDue(program: String, pid: Int32, in registry: Registry, context: CommandContext) -> Bool {
        guard millisecondsLeft() == 0 else { return true }
        due = Self.now() + every
        do {
            let (_, missing, _) = try registry.renew([.id(id)])
            if !missing.isEmpty {
                let reason = (try? registry.removalReason(of: id, after: since)) ?? nil
                let gone = ErrorReport.describe(RegistryError.serviceGone(.id(id), reason: reason)).message
                context.note("\(gone); \(program) (pid \(pid)) keeps running without it")
                return false
            }
            if failing { context.note("the lease of service \(id) is renewed again") }
            failing = false
        } catch {
            if !failing {
                let message = ErrorReport.describe(error).message
                context.note(
                    "\(message); renewing the lease of service \(id) again every \(LeaseDuration.format(every))")
            }
            failing = true
        }
        return true
    }

    private static func now() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
}
