/// One entry of the store's event log: what happened to a service, with its properties
/// (reserved ones included) before and after.
public struct ServiceChange: Sendable, Equatable {
    /// What kind of change was committed.
    public enum Kind: String, Sendable {
        case registered
        case modified
        case unregistered
    }

    /// Store-wide, strictly increasing sequence number.
    public let sequence: Int64
    public let kind: Kind
    public let serviceID: ServiceID
    public let specifications: [String]
    /// Properties before the change (nil for `registered`).
    public let oldProperties: ServiceProperties?
    /// Properties after the change (nil for `unregistered`).
    public let newProperties: ServiceProperties?
    /// Seconds since 1970.
    public let time: Double
    /// Why a service was removed (`unregister`, later `expired`, …).
    public let reason: String?

    public init(
        sequence: Int64, kind: Kind, serviceID: ServiceID, specifications: [String],
        oldProperties: ServiceProperties?, newProperties: ServiceProperties?, time: Double, reason: String?
    ) {
        self.sequence = sequence
        self.kind = kind
        self.serviceID = serviceID
        self.specifications = specifications
        self.oldProperties = oldProperties
        self.newProperties = newProperties
        self.time = time
        self.reason = reason
    }
}
