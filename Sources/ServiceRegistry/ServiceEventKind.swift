/// The event kinds a listener sees (OSGi `ServiceEvent`).
public enum ServiceEventKind: String, Sendable {
    case registered = "REGISTERED"
    case modified = "MODIFIED"
    case modifiedEndMatch = "MODIFIED_ENDMATCH"
    case unregistering = "UNREGISTERING"
}
