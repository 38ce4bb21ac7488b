import Foundation
import Testing

/// The example reaches nothing of Boxless but the products (DESIGN.md, "Products"), and each of
/// its layers only what the layering allows: the model the device kit, the driver the driver kit.
@Suite struct ExampleImportTests {
    static let products: Set<String> = ["NativeDriverKit", "BoxlessDeviceKit", "BoxlessTesting", "BoxlessCommand"]
    static let own: Set<String> = ["WBX100Model", "WhiteboxDriver", "WhiteboxCatalog"]

    /// Modules imported by `text` (every `import` form).
    static func imports(_ text: String) -> Set<String> {
        var out = Set<String>()
        for line in text.split(separator: "\n") {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            while let w = words.first, w.hasPrefix("@") || ["public", "package", "internal"].contains(w) { words.removeFirst() }
            guard words.first == "import", words.count >= 2 else { continue }
            let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "let", "var"]
            let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
            out.insert(String(path.split(separator: ".").first ?? ""))
        }
        return out
    }

    static func imports(under dir: String) throws -> [(file: String, module: String)] {
        try Repository.swiftFiles(under: "Examples/WhiteboxDriver/" + dir).flatMap { f in
            imports(try Repository.text(f)).sorted().map { (f, $0) }
        }
    }

    @Test func theExampleImportsOnlyProducts() throws {
        let all = try Self.imports(under: "")
        #expect(all.count > 10)
        let allowed = Self.products.union(Self.own).union(["Testing", "Foundation", "PackageDescription"])
        #expect(all.filter { !allowed.contains($0.module) }.map { "\($0.file) imports \($0.module)" } == [])
    }

    @Test func theModelSeesOnlyTheDeviceKitAndTheDriverOnlyTheDriverKit() throws {
        #expect(try Self.imports(under: "Sources/WBX100Model").filter { $0.module != "BoxlessDeviceKit" }.map(\.file) == [])
        #expect(try Self.imports(under: "Sources/WhiteboxDriver").filter { $0.module != "NativeDriverKit" }.map(\.file) == [])
    }
}
