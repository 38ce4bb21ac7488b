// swift-tools-version: 6.1
// An example package outside Boxless: a device model of its own (the WBX-100, datasheet in
// README.md), a driver for it written only against NativeDriverKit, tests with BoxlessTesting,
// and a command line (`whitebox`) made with BoxlessCommand.
import PackageDescription

let package = Package(
    name: "WhiteboxDriver",
    platforms: [.macOS(.v15)],
    dependencies: [
        // `make example` copies this package out of the tree and points this at the checkout.
        .package(name: "Boxless", path: "../.."),
    ],
    targets: [
        // The device model: BoxlessDeviceKit only.
        .target(name: "WBX100Model", dependencies: [.product(name: "BoxlessDeviceKit", package: "Boxless")]),
        // The driver: NativeDriverKit only.
        .target(name: "WhiteboxDriver", dependencies: [.product(name: "NativeDriverKit", package: "Boxless")]),
        // The catalog entry that pairs them.
        .target(
            name: "WhiteboxCatalog",
            dependencies: ["WBX100Model", "WhiteboxDriver", .product(name: "BoxlessTesting", package: "Boxless")]),
        // `whitebox`: the Boxless command line with the WBX-100 in its catalog.
        .executableTarget(
            name: "whitebox",
            dependencies: ["WhiteboxCatalog", .product(name: "BoxlessCommand", package: "Boxless")]),
        .testTarget(
            name: "WhiteboxTests",
            dependencies: ["WhiteboxCatalog", "WBX100Model", .product(name: "BoxlessTesting", package: "Boxless")]),
    ]
)
