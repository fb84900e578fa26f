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
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(
            name: "ServregCLI",
            dependencies: [
                "ServiceRegistry", "RegistrySQLite", "ServregSyntax", "CLibEdit", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "servreg", dependencies: ["ServregCLI"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "servreg-bench",
            dependencies: ["ServiceRegistry", "RegistrySQLite"],
            path: "Benchmarks/servreg-bench",
            swiftSettings: swiftSettings
        ),
        // What the tests share: the in-memory store, temporary directories, the process runner.
        .target(
            name: "RegistryTestSupport", dependencies: ["ServiceRegistry"], path: "Tests/RegistryTestSupport",
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
            name: "StoreConformanceTests", dependencies: ["ServiceRegistry", "RegistrySQLite", "RegistryTestSupport"],
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
