import Foundation

/// A module's public symbols, from the toolchain's `swift-symbolgraph-extract` run on the built
/// module (inherited documentation included, so a protocol witness counts as documented).
struct SymbolGraph {
    /// One public symbol.
    struct Symbol {
        /// `swift.struct`, `swift.method`, …
        var kind: String
        /// `Type.member`.
        var path: String
        /// The declaration as the compiler prints it.
        var declaration: String
        /// Whether it has a doc comment (its own or inherited).
        var documented: Bool
        /// Whether the compiler synthesised it (default implementations of the standard library).
        var synthesized: Bool
    }

    /// The symbols.
    let symbols: [Symbol]

    /// Extracts `module` from the build products.
    init(module: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("kit-symbols-\(module)-\(UUID().uuidString)")
        try? FileManager.default.removeItem(at: out)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = try Self.tool()
        p.arguments = ["-module-name", module, "-I", Repository.products.appendingPathComponent("Modules").path,
                       "-target", "x86_64-unknown-linux-gnu", "-output-dir", out.path, "-minimum-access-level", "public"]
        let err = Pipe()
        p.standardError = err; p.standardOutput = Pipe()
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure("swift-symbolgraph-extract \(module) failed: \(String(decoding: e, as: UTF8.self))")
        }
        let data = try Data(contentsOf: out.appendingPathComponent("\(module).symbols.json"))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any], let list = json["symbols"] as? [[String: Any]] else {
            throw Failure("\(module).symbols.json has no symbols")
        }
        symbols = list.map { s in
            let kind = (s["kind"] as? [String: Any])?["identifier"] as? String ?? "?"
            let path = (s["pathComponents"] as? [String] ?? []).joined(separator: ".")
            let fragments = s["declarationFragments"] as? [[String: Any]] ?? []
            let precise = (s["identifier"] as? [String: Any])?["precise"] as? String ?? ""
            return Symbol(kind: kind, path: path, declaration: fragments.compactMap { $0["spelling"] as? String }.joined(),
                          documented: s["docComment"] != nil, synthesized: precise.contains("::SYNTHESIZED::"))
        }
    }

    /// One line per declared (not synthesised) symbol, sorted: the API listing.
    var listing: [String] {
        Array(Set(symbols.filter { !$0.synthesized }.map { "\($0.path): \($0.declaration)" })).sorted()
    }

    /// Declared symbols without documentation.
    var undocumented: [String] { symbols.filter { !$0.synthesized && !$0.documented }.map { "\($0.kind) \($0.path)" }.sorted() }

    /// `swift-symbolgraph-extract` beside `swift` on the PATH.
    static func tool() throws -> URL {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let u = URL(fileURLWithPath: String(dir)).appendingPathComponent("swift-symbolgraph-extract")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        throw Failure("swift-symbolgraph-extract is not on the PATH (it comes with the Swift toolchain)")
    }

    /// An error with a message.
    struct Failure: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }
}
