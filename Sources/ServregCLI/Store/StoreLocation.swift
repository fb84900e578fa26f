import Foundation

/// Finds the store path: `--store`, else `$SERVREG_STORE`, else the XDG data directory.
enum StoreLocation {
    static func resolve(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String
    {
        if let option, !option.isEmpty { return option }
        if let path = environment["SERVREG_STORE"], !path.isEmpty { return path }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return data + "/servreg/registry.db"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/servreg/registry.db"
    }
}
