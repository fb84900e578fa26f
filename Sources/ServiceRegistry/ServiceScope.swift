/// How a service's object is shared (OSGi scopes); fixed at registration.
public enum ServiceScope: String, Sendable, CaseIterable {
    case singleton
    case bundle
    case prototype
}
