import Foundation
import Testing

/// The arrows of DESIGN.md, checked on the source tree: drivers import only the kit; the kit imports
/// nothing; the platform knows no device model, driver, host or runner; models see only the platform.
@Suite struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Module names imported by Swift source `text` (any `import` form, `@testable`/`@_exported` too).
    static func imports(in text: String) -> Set<String> {
        var out = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            while let w = words.first, w.hasPrefix("@") || ["public", "package", "internal", "private", "fileprivate"].contains(w) { words.removeFirst() }
            guard words.first == "import", words.count >= 2 else { continue }
            let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "let", "var"]
            let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
            out.insert(String(path.split(separator: ".").first ?? ""))
        }
        return out
    }

    /// Every import of every `.swift` file under `dir` (relative to the root), with the file that makes it.
    static func imports(under dir: String) throws -> [(file: String, module: String)] {
        let base = root.appendingPathComponent(dir)
        guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var out: [(String, String)] = []
        for case let url as URL in e where url.pathExtension == "swift" {
            for m in imports(in: try String(contentsOf: url, encoding: .utf8)).sorted() {
                out.append((url.path.replacingOccurrences(of: root.path + "/", with: ""), m))
            }
        }
        return out.sorted { $0 < $1 }
    }

    /// Target names by source folder, read from Package.swift.
    static func targets() throws -> [(name: String, path: String)] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let re = try NSRegularExpression(pattern: #"name:\s*"([^"]+)"[^)]*?path:\s*"([^"]+)""#, options: [.dotMatchesLineSeparators])
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            (String(text[Range($0.range(at: 1), in: text)!]), String(text[Range($0.range(at: 2), in: text)!]))
        }
    }

    static func violations(under dir: String, allowed: Set<String>) throws -> [String] {
        try imports(under: dir).filter { !allowed.contains($0.module) }.map { "\($0.file) imports \($0.module)" }
    }

    @Test func theImportParserSeesEveryForm() {
        let src = "import A\n@testable import B\n@_exported import C.D\nimport struct E.F\n  import G // x\nlet importX = 1\n"
        #expect(Self.imports(in: src) == ["A", "B", "C", "E", "G"])
    }

    @Test func driversImportOnlyTheKit() throws {
        let dirs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources/Drivers").path)
        #expect(!dirs.isEmpty)
        for d in dirs.sorted() {
            #expect(try Self.violations(under: "Sources/Drivers/\(d)", allowed: ["NativeDriverKit"]) == [])
        }
    }

    @Test func theKitImportsNothing() throws {
        #expect(try Self.violations(under: "Sources/NativeDriverKit", allowed: []) == [])
    }

    @Test func thePlatformKnowsNoModelDriverHostOrRunner() throws {
        let forbidden = Set(try Self.targets().filter { !$0.path.hasPrefix("Sources/Platform") && !$0.path.hasPrefix("Tests") }.map(\.name))
        #expect(forbidden.contains("TestDeviceModel") && forbidden.contains("NativeDriverKit"))
        let bad = try Self.imports(under: "Sources/Platform").filter { forbidden.contains($0.module) }
        #expect(bad.map { "\($0.file) imports \($0.module)" } == [])
    }

    /// Device models see the platform's device side and the NIC core beside them; the NIC core
    /// sees only the platform.
    @Test func deviceModelsSeeOnlyThePlatformAndTheNICCore() throws {
        for t in try Self.targets() where t.path.hasPrefix("DeviceModels/") {
            let allowed: Set<String> = t.name == "NICCore" ? ["BoxlessPlatform"] : ["BoxlessPlatform", "NICCore"]
            #expect(try Self.violations(under: t.path, allowed: allowed) == [], "\(t.name)")
        }
    }

    @Test func hostsDoNotKnowModelsOrDrivers() throws {
        let models = Set(try Self.targets().filter { $0.path.hasPrefix("DeviceModels/") || $0.path.hasPrefix("Sources/Drivers/") }.map(\.name))
        for host in ["Sources/EmulatorHost", "Sources/QEMUHost", "Sources/LinuxHost"] {
            let bad = try Self.imports(under: host).filter { models.contains($0.module) }
            #expect(bad.map { "\($0.file) imports \($0.module)" } == [], "\(host)")
        }
    }
}
