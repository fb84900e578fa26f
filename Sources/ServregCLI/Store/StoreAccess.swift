/// Whether a command only reads the store or also writes it.
enum StoreAccess {
    case read
    case write
}
