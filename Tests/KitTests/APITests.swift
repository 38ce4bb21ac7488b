import Foundation
import Testing

/// API stability (Docs: "API stability"): the public API of NativeDriverKit and BoxlessTesting is
/// versioned semantically, and a committed listing of it (`Tests/KitTests/API/`) must match the
/// build. A removed or changed line is a breaking change (a major version); an added line is a
/// minor one. Either way the listing is updated on purpose:
///
///     BOXLESS_UPDATE_API=1 swift test --filter KitTests.APITests
///
/// Every public declaration of the products is documented, too.
@Suite struct APITests {
    static var updating: Bool { ProcessInfo.processInfo.environment["BOXLESS_UPDATE_API"] == "1" }

    /// Compares `current` with the committed listing `name` (or rewrites it when updating).
    static func check(_ current: [String], against name: String) throws {
        let url = Repository.root.appendingPathComponent("Tests/KitTests/API/\(name)")
        if updating {
            try (current.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let committed = (try? String(contentsOf: url, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        let removed = Set(committed).subtracting(current).sorted(), added = Set(current).subtracting(committed).sorted()
        #expect(removed.isEmpty, "Breaking change to \(name) (removed or changed; a new major version): \(removed.joined(separator: " | ")). If intended, run BOXLESS_UPDATE_API=1 swift test --filter KitTests.APITests")
        #expect(added.isEmpty, "New API in \(name) (a new minor version): \(added.joined(separator: " | ")). Update the listing: BOXLESS_UPDATE_API=1 swift test --filter KitTests.APITests")
    }

    @Test func nativeDriverKitMatchesItsListing() throws {
        let g = try SymbolGraph(module: "NativeDriverKit")
        #expect(g.listing.count > 250)
        try Self.check(g.listing, against: "NativeDriverKit.txt")
    }

    @Test func boxlessTestingMatchesItsListing() throws {
        let l = try SourceAPI.listing(under: "Sources/Testing")
        #expect(l.count > 30)
        try Self.check(l, against: "BoxlessTesting.txt")
    }

    /// The kit, the device kit (the platform and the NIC core it re-exports): every public symbol
    /// has documentation, its own or the protocol requirement's it implements.
    @Test(arguments: ["NativeDriverKit", "BoxlessPlatform", "NICCore", "BoxlessDeviceKit"])
    func everySymbolIsDocumented(module: String) throws {
        #expect(try SymbolGraph(module: module).undocumented == [])
    }

    /// The testing library and the command entry point: every public declaration has a `///` comment.
    @Test(arguments: ["Sources/Testing", "Sources/Command", "Sources/DeviceKit"])
    func everyDeclarationIsDocumented(dir: String) throws {
        #expect(try SourceAPI.declarations(under: dir).filter { !$0.documented }.map { "\($0.site): \($0.declaration)" } == [])
    }
}
