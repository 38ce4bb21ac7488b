import Foundation

/// Where things are: the checkout, the build products, the example.
enum Repository {
    /// The checkout (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The build products folder: the test bundle sits in it.
    static var products: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Modules").path),
           let b = Bundle.main.executableURL?.deletingLastPathComponent() { dir = b }
        return dir
    }

    /// The text of `path` (relative to the root).
    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every `.swift` file under `dir` (relative to the root), sorted, relative paths.
    static func swiftFiles(under dir: String) -> [String] {
        let base = root.appendingPathComponent(dir)
        guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var out: [String] = []
        for case let url as URL in e where url.pathExtension == "swift" && !url.path.contains("/.build") {
            out.append(url.path.replacingOccurrences(of: root.path + "/", with: ""))
        }
        return out.sorted()
    }
}
