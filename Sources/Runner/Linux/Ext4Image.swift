import Crypto
import Foundation

/// Host-side tools for the Linux host's disk job, from e2fsprogs (installed by `make deps`):
/// `mkfs.ext4 -d` makes an image from a folder, `debugfs` reads files back out of one. The expected
/// checksums come from e2fsprogs' own reader, independent of the kernel and the device under test.
public enum Ext4Image {
    /// Why the tools failed, one line.
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    static func tool(_ name: String) throws -> String {
        guard let p = ["/sbin/", "/usr/sbin/", "/usr/bin/", "/bin/"].map({ $0 + name }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "\(name) not found (install e2fsprogs)")
        }
        return p
    }

    @discardableResult
    static func runTool(_ path: String, _ args: [String], environment: [String: String] = [:]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw Failure(description: "\((path as NSString).lastPathComponent) failed: \(text.split(separator: "\n").last.map(String.init) ?? "exit \(p.terminationStatus)")")
        }
        return text
    }

    /// Makes an ext4 image of `sizeMiB` MiB at `path` holding seeded files of awkward sizes in nested
    /// folders (empty, one byte, sector and page boundaries ± 1, a few MiB); returns their count.
    @discardableResult
    public static func make(at path: String, sizeMiB: Int = 64, seed: UInt64 = 1) throws -> Int {
        let src = NSTemporaryDirectory() + "boxless-ext4-src-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: src) }
        let sizes = [0, 1, 511, 512, 513, 4095, 4096, 4097, 65_536 + 7, 1 << 20, (3 << 20) + 333]
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var count = 0
        for (i, size) in sizes.enumerated() {
            let dir = src + (i % 3 == 0 ? "" : "/dir\(i % 3)/sub")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var bytes = [UInt8](repeating: 0, count: size)
            for j in 0..<size {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                bytes[j] = UInt8(truncatingIfNeeded: state)
            }
            guard FileManager.default.createFile(atPath: dir + "/file-\(i)-\(size).bin", contents: Data(bytes)) else {
                throw Failure(description: "cannot write \(dir)")
            }
            count += 1
        }
        // The same seed makes the same image, byte for byte: fixed UUID and directory-hash seed,
        // fixed file and file-system times (E2FSPROGS_FAKE_TIME; mke2fs copies files' own times).
        let fixed = Date(timeIntervalSince1970: 1_767_225_600)
        if let e = FileManager.default.enumerator(atPath: src) {
            while let rel = e.nextObject() as? String {
                try FileManager.default.setAttributes([.modificationDate: fixed], ofItemAtPath: src + "/" + rel)
            }
        }
        try FileManager.default.setAttributes([.modificationDate: fixed], ofItemAtPath: src)
        let uuid = String(format: "%08x-%04x-4%03x-8%03x-%012llx", UInt32(truncatingIfNeeded: seed), UInt16(truncatingIfNeeded: seed >> 32),
                          UInt16(truncatingIfNeeded: seed >> 48) & 0xFFF, UInt16(truncatingIfNeeded: seed >> 20) & 0xFFF, seed & 0xFFFF_FFFF_FFFF)
        try runTool(tool("mkfs.ext4"), ["-q", "-F", "-b", "4096", "-U", uuid,
                                        "-E", "lazy_itable_init=0,lazy_journal_init=0,hash_seed=\(uuid)",
                                        "-d", src, path, "\(sizeMiB)M"], environment: ["E2FSPROGS_FAKE_TIME": "1767225600"])
        // mke2fs -d copies each file's ctime (which cannot be set) and atime: fix both with debugfs.
        var script = ""
        var paths = ["/", "/lost+found"]
        if let e = FileManager.default.enumerator(atPath: src) { while let rel = e.nextObject() as? String { paths.append("/" + rel) } }
        for p in paths.sorted() { script += "sif \(p) ctime 20260101000000\nsif \(p) atime 20260101000000\n" }
        let scriptPath = src + ".debugfs"
        guard FileManager.default.createFile(atPath: scriptPath, contents: Data(script.utf8)) else { throw Failure(description: "cannot write \(scriptPath)") }
        defer { try? FileManager.default.removeItem(atPath: scriptPath) }
        try runTool(tool("debugfs"), ["-w", "-f", scriptPath, path], environment: ["E2FSPROGS_FAKE_TIME": "1767225600"])
        return count
    }

    /// Every regular file in the image, by path relative to its root (`./a/b`), with its SHA-256,
    /// read by debugfs.
    public static func checksums(of image: String) throws -> [String: String] {
        try runTool(tool("dumpe2fs"), ["-h", image])   // fails on anything but an ext2/3/4 image
        let out = NSTemporaryDirectory() + "boxless-ext4-dump-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        try runTool(tool("debugfs"), ["-R", "rdump / \(out)", image])
        var result: [String: String] = [:]
        guard let e = FileManager.default.enumerator(atPath: out) else { return result }
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = out + "/" + rel
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: full) else { continue }
            result["./" + rel] = sha256(Array(data))
        }
        return result
    }

    /// One file of the image, read by debugfs (nil if it is not there).
    public static func contents(of file: String, in image: String) throws -> [UInt8]? {
        let out = NSTemporaryDirectory() + "boxless-ext4-cat-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: out) }
        try runTool(tool("debugfs"), ["-R", "dump \(file) \(out)", image])
        return FileManager.default.contents(atPath: out).map(Array.init)
    }

    /// Lowercase hex SHA-256.
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
