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
    /// Whether the service was registered, modified or unregistered.
    public let kind: Kind
    /// The id of the service that changed.
    public let serviceID: ServiceID
    /// The service's specification names (`objectClass`), what listeners match on.
    public let specifications: [String]
    /// Properties before the change (nil for `registered`).
    public let oldProperties: LoggedProperties?
    /// Properties after the change (nil for `unregistered`).
    public let newProperties: LoggedProperties?
    /// Seconds since 1970.
    public let time: Double
    /// Why a service was removed (`unregister`, later `expired`, …).
    public let reason: String?
    /// A change of a service that was not satisfied (a requirement not met): logged, so that
    /// revisions stay exact, but no listener sees it.
    public let hidden: Bool

    /// A change whose properties are already in logged form (as read from the log).
    public init(
        sequence: Int64, kind: Kind, serviceID: ServiceID, specifications: [String],
        oldProperties: LoggedProperties?, newProperties: LoggedProperties?, time: Double, reason: String?,
        hidden: Bool = false
    ) {
        self.hidden = hidden
        self.sequence = sequence
        self.kind = kind
        self.serviceID = serviceID
        self.specifications = specifications
        self.oldProperties = oldProperties
        self.newProperties = newProperties
        self.time = time
        self.reason = reason
    }

    /// A change from decoded property sets, encoded into their logged form.
    public init(
        sequence: Int64, kind: Kind, serviceID: ServiceID, specifications: [String],
        oldProperties: ServiceProperties?, newProperties: ServiceProperties?, time: Double, reason: String?,
        hidden: Bool = false
    ) {
        self.init(
            sequence: sequence, kind: kind, serviceID: serviceID, specifications: specifications,
            oldProperties: oldProperties.map(LoggedProperties.init),
            newProperties: newProperties.map(LoggedProperties.init),
            time: time, reason: reason, hidden: hidden)
    }
}

/// A service's properties as the event log holds them: one JSON object of all of them,
/// reserved keys included. A listener's filter reads single values out of it and `--json`
/// prints it as it is; only people's output decodes it whole. Replaying a log is mostly
/// this: decoding and re-encoding every event would cost more than everything else.
public struct LoggedProperties: Sendable, Equatable, PropertySource {
    /// The JSON object, UTF-8.
    public let json: [UInt8]

    /// Wraps the UTF-8 bytes of a JSON object as they are, unchecked (a stored log row).
    public init(json: [UInt8]) {
        self.json = json
    }

    /// Encodes a property set as one JSON object.
    public init(_ properties: ServiceProperties) {
        json = Array(JSONWriter.object(properties).utf8)
    }

    /// All of a service's properties, rendered as `--json` renders the service.
    public init(_ record: ServiceRecord) {
        var bytes: [UInt8] = []
        JSONWriter.writeService(record, to: &bytes)
        json = bytes
    }

    /// Every property, decoded.
    public func decoded() throws(StoreError) -> ServiceProperties {
        guard let pairs = JSONValue.propertyPairs(String(decoding: json, as: UTF8.self)),
            let properties = try? ServiceProperties(pairs)
        else {
            throw StoreError(
                .corrupt, location: "", detail: "the event log holds properties that are not a JSON object")
        }
        return properties
    }

    /// Reads one value out of the JSON without decoding the rest; nil when absent or unreadable.
    public func value(forFoldedKey folded: String) -> PropertyValue? {
        try? JSONValue.propertyValue(inUTF8: json, forFoldedKey: folded)
    }

    /// The value of a key (any case), as `ServiceProperties` has it.
    public subscript(key: String) -> PropertyValue? {
        value(forFoldedKey: PropertyKey.fold(key))
    }
}
