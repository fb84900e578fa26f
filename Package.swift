// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "servreg",
    products: [
        .executable(name: "servreg", targets: ["servreg"]),
        .library(name: "ServiceRegistry", targets: ["ServiceRegistry"]),
        // The line syntax of the shell and batch files, a library of its own for Fuzz/.
        .library(name: "ServregSyntax", targets: ["ServregSyntax"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Tests only: property-based tests of the filter parser and the JSON reader.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .target(name: "ServiceRegistry", swiftSettings: swiftSettings),
        .target(name: "ServregSyntax", swiftSettings: swiftSettings),
        // The commit of the build, for --version (written by make build).
        .target(name: "CBuildInfo"),
        // SQLite's process-wide options (sqlite3_config is variadic: C only).
        .target(name: "CSQLiteSetup", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(
            name: "RegistrySQLite",
            dependencies: [
                "ServiceRegistry", "CSQLiteSetup", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // A whole registry in memory with the store contract's reads and writes (the etcd
        // store's working copy; the tests' memory store).
        .target(name: "RegistryMemory", dependencies: ["ServiceRegistry"], swiftSettings: swiftSettings),
        // The etcd store: the registry under a key prefix of an etcd cluster, over etcd's JSON
        // gateway (HTTP/1.1 on POSIX sockets: no dependency).
        .target(
            name: "RegistryEtcd", dependencies: ["ServiceRegistry", "RegistryMemory", "CTLS"],
            swiftSettings: swiftSettings),
        // TLS to etcd (etcds://): OpenSSL's client, behind a few C functions (its API is
        // partly macros). The system's libssl-dev, linked statically in the release binary.
        .target(name: "CTLS", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(
            name: "ServregCLI",
            dependencies: [
                "ServiceRegistry", "RegistrySQLite", "RegistryEtcd", "ServregSyntax", "CLibEdit", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "servreg", dependencies: ["ServregCLI"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "servreg-bench",
            dependencies: ["ServiceRegistry", "RegistrySQLite", "RegistryEtcd"],
            path: "Benchmarks/servreg-bench",
            swiftSettings: swiftSettings
        ),
        // What the tests share: the in-memory store, temporary directories, the process runner.
        .target(
            name: "RegistryTestSupport", dependencies: ["ServiceRegistry", "RegistryMemory"],
            path: "Tests/RegistryTestSupport",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ServiceRegistryTests",
            dependencies: [
                "ServiceRegistry", "RegistryTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings),
        // One suite of the store contract, run against every store.
        .testTarget(
            name: "StoreConformanceTests",
            dependencies: ["ServiceRegistry", "RegistrySQLite", "RegistryEtcd", "RegistryTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RegistrySQLiteTests",
            dependencies: [
                "RegistrySQLite", "ServiceRegistry", "RegistryTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServregCLITests",
            dependencies: ["ServregCLI", "ServregSyntax", "ServiceRegistry", "RegistrySQLite", "RegistryTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ServregEndToEndTests",
            dependencies: ["servreg", "RegistryTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
