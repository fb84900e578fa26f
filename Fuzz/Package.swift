// swift-tools-version: 6.1
// libFuzzer targets for servreg's parsers of user input, in a package of their own: the
// fuzzer build instruments everything and makes every executable parse as a library,
// which the main package must not see. `make fuzz` builds and runs them (see the Makefile).
import PackageDescription

let package = Package(
    name: "servreg-fuzz",
    dependencies: [.package(name: "servreg", path: "..")],
    targets: ["fuzz-filter", "fuzz-json", "fuzz-property"].map { name in
        .executableTarget(name: name, dependencies: [.product(name: "ServiceRegistry", package: "servreg")])
    } + [.executableTarget(name: "fuzz-line", dependencies: [.product(name: "ServregSyntax", package: "servreg")])]
)
