import Foundation

/// The public declarations of a target read from its sources, for products whose module the
/// symbol-graph tool cannot load on its own (those importing C modules through the runner): each
/// `public` or `@_exported` line, and whether a `///` comment stands above it.
enum SourceAPI {
    /// `(file:line, declaration, documented)` for every public declaration under `dir`.
    static func declarations(under dir: String) throws -> [(site: String, declaration: String, documented: Bool)] {
        var out: [(String, String, Bool)] = []
        for f in Repository.swiftFiles(under: dir) {
            let lines = try Repository.text(f).components(separatedBy: "\n")
            for (i, raw) in lines.enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("@_exported import") { out.append(("\(f):\(i + 1)", line, true)); continue }
                guard line.range(of: #"^(@\w+(\([^)]*\))?\s+)*public\s"#, options: .regularExpression) != nil,
                      !line.hasPrefix("public extension") else { continue }
                var j = i - 1
                while j >= 0, lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("@") { j -= 1 }
                let documented = j >= 0 && lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("///")
                let decl = line.components(separatedBy: " {").first ?? line
                out.append(("\(f):\(i + 1)", decl, documented))
            }
        }
        return out
    }

    /// The API listing of `dir`: declarations, sorted (file names left out, so moving one is no change).
    static func listing(under dir: String) throws -> [String] {
        Array(Set(try declarations(under: dir).map(\.declaration))).sorted()
    }
}
