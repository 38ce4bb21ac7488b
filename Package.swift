// swift-tools-version: 6.1
// Boxless: NativeDriverKit, a deterministic PCI platform, device models, drivers and the `boxless` CLI.
// Layering (DESIGN.md): drivers → NativeDriverKit ← hosts; device models → BoxlessPlatform;
// only BoxlessRunner wires them. `Tests/LayeringTests` enforces the direction of every arrow.
import PackageDescription

// Release builds skip dynamic exclusivity checks (they cost ~16% of a replay); debug builds, which
// run the test suite, keep them, so a violation is still caught there.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Boxless",
    platforms: [.macOS(.v15)],
    products: [
        // For people outside this repository (DESIGN.md, "Products"; semantic versioning: Docs/).
        .library(name: "NativeDriverKit", targets: ["NativeDriverKit"]),
        .library(name: "BoxlessDeviceKit", targets: ["BoxlessDeviceKit"]),
        .library(name: "BoxlessTesting", targets: ["BoxlessTesting"]),
        .library(name: "BoxlessCommand", targets: ["BoxlessCommand"]),
        .executable(name: "boxless", targets: ["boxless"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // `swift package generate-documentation` (DocC catalogs of the products).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The driver kit: the whole world of a driver. Imports nothing.
        .target(name: "NativeDriverKit", path: "Sources/NativeDriverKit", swiftSettings: strict),

        // Emulator core: clock, scheduler, PCI, interrupts, memory/IOMMU, faults, event log.
        .target(
            name: "BoxlessPlatform",
            dependencies: [
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Platform", swiftSettings: strict),

        // The emulator host: NativeDriverKit implemented on the platform.
        .target(
            name: "EmulatorHost", dependencies: ["NativeDriverKit", "BoxlessPlatform"],
            path: "Sources/EmulatorHost", swiftSettings: strict),

        // Fault plans (YAML) and the injector that carries them out on a machine.
        .target(
            name: "BoxlessFaults",
            dependencies: ["BoxlessPlatform", .product(name: "Yams", package: "Yams")],
            path: "Sources/Faults", swiftSettings: strict),

        // Device models (one target per chip family); they see only the platform.
        .target(
            name: "TestDeviceModel", dependencies: ["BoxlessPlatform"],
            path: "DeviceModels/TestDevice", exclude: ["README.md"], swiftSettings: strict),

        // What several NIC families share (QEMU's e1000x_common/net_rx_pkt in spirit): checksums, CRC,
        // frame parsing, descriptor rings, the RX FIFO, the MII PHY, TSO, named statistics.
        .target(
            name: "NICCore", dependencies: ["BoxlessPlatform"],
            path: "DeviceModels/NICCore", swiftSettings: strict),

        .target(
            name: "E1000Model", dependencies: ["BoxlessPlatform", "NICCore"],
            path: "DeviceModels/E1000", exclude: ["Definitions/FACTS.md"], swiftSettings: strict),

        .target(
            name: "RTL8139Model", dependencies: ["BoxlessPlatform", "NICCore"],
            path: "DeviceModels/RTL8139", exclude: ["Definitions/FACTS.md", "TIMING.md"], swiftSettings: strict),

        .target(
            name: "RTL8168Model", dependencies: ["BoxlessPlatform", "NICCore"],
            path: "DeviceModels/RTL8168", exclude: ["Definitions/FACTS.md", "TIMING.md"], swiftSettings: strict),

        .target(
            name: "AHCIModel", dependencies: ["BoxlessPlatform"],
            path: "DeviceModels/AHCI", swiftSettings: strict),

        // Drivers (one target per driver); they see only the kit.
        .target(
            name: "AHCIDriver", dependencies: ["NativeDriverKit"],
            path: "Sources/Drivers/AHCIDriver", swiftSettings: strict),
        .target(
            name: "E1000Driver", dependencies: ["NativeDriverKit"],
            path: "Sources/Drivers/E1000Driver", swiftSettings: strict),
        .target(
            name: "RTL8139Driver", dependencies: ["NativeDriverKit"],
            path: "Sources/Drivers/RTL8139Driver", swiftSettings: strict),
        .target(
            name: "RTL8168Driver", dependencies: ["NativeDriverKit"],
            path: "Sources/Drivers/RTL8168Driver", swiftSettings: strict),
        .target(
            name: "TestDeviceDriver", dependencies: ["NativeDriverKit"],
            path: "Sources/Drivers/TestDeviceDriver", swiftSettings: strict),

        // The QEMU host: NativeDriverKit on QEMU's device models through the qtest protocol.
        .target(
            name: "QEMUHost", dependencies: ["NativeDriverKit", "BoxlessPlatform"],
            path: "Sources/QEMUHost", swiftSettings: strict),

        // The Linux host: real Linux drivers in User-Mode Linux on our models, over vhost-user.
        .target(name: "CVhostUser", path: "Sources/CVhostUser"),
        .target(
            name: "LinuxHost", dependencies: ["BoxlessPlatform", "CVhostUser"],
            path: "Sources/LinuxHost", swiftSettings: strict),

        // libpcap, for every pcap/pcapng read and write.
        .systemLibrary(
            name: "CPcap", path: "Sources/CPcap", pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]),
        .target(
            name: "PacketCapture", dependencies: ["CPcap"],
            path: "Sources/PacketCapture", swiftSettings: strict),

        // The runner: wires models, drivers, hosts, traces and faults.
        .target(
            name: "BoxlessRunner",
            dependencies: [
                "BoxlessPlatform", "NativeDriverKit", "EmulatorHost",
                "TestDeviceModel", "TestDeviceDriver", "PacketCapture",
                "NICCore", "E1000Model", "E1000Driver", "RTL8139Model", "RTL8139Driver", "RTL8168Model", "RTL8168Driver",
                "AHCIModel", "AHCIDriver", "QEMUHost", "LinuxHost", "BoxlessFaults",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Runner", swiftSettings: strict),

        // The device-model library: the platform's device side and the NIC core, for chips we lack.
        .target(
            name: "BoxlessDeviceKit", dependencies: ["BoxlessPlatform", "NICCore"],
            path: "Sources/DeviceKit", swiftSettings: strict),

        // The testing library: machines, replay, workloads, faults and verdicts as Swift values.
        .target(
            name: "BoxlessTesting",
            dependencies: ["BoxlessRunner", "BoxlessDeviceKit", "BoxlessFaults", "NativeDriverKit", "BoxlessPlatform", "EmulatorHost"],
            path: "Sources/Testing", swiftSettings: strict),

        // The `boxless` subcommands as a library entry point that takes extra catalog entries.
        .target(
            name: "BoxlessCommand",
            dependencies: [
                "BoxlessRunner", "BoxlessFaults", "BoxlessPlatform", "BoxlessTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Command", swiftSettings: strict),

        // `boxless`: BoxlessCommand with the standard catalog.
        .executableTarget(
            name: "boxless", dependencies: ["BoxlessCommand"],
            path: "Sources/CLI", swiftSettings: strict),

        .testTarget(
            name: "NICCoreTests", dependencies: ["NICCore", "BoxlessPlatform"],
            path: "Tests/NICCoreTests", swiftSettings: strict),
        .testTarget(
            name: "PlatformTests", dependencies: ["BoxlessPlatform"],
            path: "Tests/PlatformTests", swiftSettings: strict),
        .testTarget(
            name: "HostTests",
            dependencies: ["EmulatorHost", "BoxlessRunner", "TestDeviceModel", "TestDeviceDriver", "NativeDriverKit", "BoxlessPlatform"],
            path: "Tests/HostTests", swiftSettings: strict),
        .testTarget(
            name: "E1000ModelTests", dependencies: ["E1000Model", "NICCore", "BoxlessPlatform"],
            path: "Tests/E1000ModelTests", swiftSettings: strict),
        .testTarget(
            name: "E1000Tests", dependencies: ["E1000Model", "E1000Driver", "EmulatorHost", "BoxlessPlatform", "NativeDriverKit"],
            path: "Tests/E1000Tests", swiftSettings: strict),
        .testTarget(
            name: "RTL8139ModelTests", dependencies: ["RTL8139Model", "NICCore", "BoxlessPlatform"],
            path: "Tests/RTL8139ModelTests", swiftSettings: strict),
        .testTarget(
            name: "RTL8139Tests", dependencies: ["RTL8139Model", "RTL8139Driver", "EmulatorHost", "BoxlessPlatform", "NativeDriverKit"],
            path: "Tests/RTL8139Tests", swiftSettings: strict),
        .testTarget(
            name: "RTL8168ModelTests", dependencies: ["RTL8168Model", "NICCore", "BoxlessPlatform"],
            path: "Tests/RTL8168ModelTests", swiftSettings: strict),
        .testTarget(
            name: "RTL8168Tests", dependencies: ["RTL8168Model", "RTL8168Driver", "EmulatorHost", "BoxlessPlatform", "NativeDriverKit"],
            path: "Tests/RTL8168Tests", swiftSettings: strict),
        .testTarget(
            name: "AHCIModelTests", dependencies: ["AHCIModel", "BoxlessPlatform"],
            path: "Tests/AHCIModelTests", swiftSettings: strict),
        .testTarget(
            name: "AHCITests", dependencies: ["AHCIModel", "AHCIDriver", "EmulatorHost", "BoxlessPlatform", "NativeDriverKit"],
            path: "Tests/AHCITests", swiftSettings: strict),
        .testTarget(
            name: "QEMUHostTests", dependencies: ["QEMUHost", "NativeDriverKit", "E1000Driver", "BoxlessPlatform"],
            path: "Tests/QEMUHostTests", swiftSettings: strict),
        .testTarget(
            name: "PacketCaptureTests", dependencies: ["PacketCapture"],
            path: "Tests/PacketCaptureTests", swiftSettings: strict),
        .testTarget(
            name: "ReplayTests", dependencies: ["BoxlessRunner", "PacketCapture"],
            path: "Tests/ReplayTests", swiftSettings: strict),
        .testTarget(
            name: "DiskTests", dependencies: ["BoxlessRunner", "AHCIModel", "BoxlessPlatform", "boxless"],
            path: "Tests/DiskTests", swiftSettings: strict),
        .testTarget(
            name: "QEMUDifferentialTests", dependencies: ["BoxlessRunner", "QEMUHost", "BoxlessPlatform", "NativeDriverKit"],
            path: "Tests/QEMUDifferentialTests", swiftSettings: strict),
        .testTarget(
            name: "LinuxHostTests", dependencies: ["BoxlessRunner", "LinuxHost", "E1000Model", "AHCIModel", "BoxlessPlatform"],
            path: "Tests/LinuxHostTests", swiftSettings: strict),
        .testTarget(
            name: "FaultTests",
            dependencies: ["BoxlessFaults", "BoxlessPlatform", "TestDeviceModel", "AHCIModel"],
            path: "Tests/FaultTests", swiftSettings: strict),
        .testTarget(
            name: "LayeringTests", dependencies: [],
            path: "Tests/LayeringTests", swiftSettings: strict),
        .testTarget(
            name: "CLITests", dependencies: ["boxless"],
            path: "Tests/CLITests", swiftSettings: strict),
        .testTarget(
            name: "KitTests", dependencies: ["BoxlessTesting", "BoxlessCommand", "BoxlessDeviceKit", "NativeDriverKit"],
            path: "Tests/KitTests", exclude: ["API"], swiftSettings: strict),
    ]
)
