import Foundation
import Testing

/// Where the test inputs live and small helpers to make throw-away files.
enum TestSupport {
    /// The repository root: the nearest directory above this source file (symlinks resolved) that holds
    /// `Package.swift`.
    static let repositoryRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        // Tests/PacketCaptureTests/<file>.swift: two levels up from the folder.
        return URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// `../shared/traces` beside the checkout.
    static var tracesDirectory: URL {
        repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/traces").standardizedFileURL
    }

    /// The tcpdump captures.
    static var tcpdumpDirectory: URL { tracesDirectory.appendingPathComponent("tcpdump") }

    /// The manifest of the tcpdump captures: inside the folder if it is there, else beside it.
    static var tcpdumpManifest: URL {
        let inside = tcpdumpDirectory.appendingPathComponent("tcpdump.tsv")
        if FileManager.default.fileExists(atPath: inside.path) { return inside }
        return tracesDirectory.appendingPathComponent("tcpdump.tsv")
    }

    /// Whether an executable `name` is on `PATH`.
    static func isOnPath(_ name: String) -> Bool {
        executable(named: name) != nil
    }

    /// The full path of the executable `name` found on `PATH`, if any.
    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A fresh directory under the system temporary directory, removed on deinit.
final class TemporaryDirectory {
    /// The directory.
    let url: URL

    /// Creates the directory.
    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("PacketCaptureTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        try Data(bytes).write(to: url.appendingPathComponent(name))
        return path(name)
    }

    /// The bytes of file `name`.
    func bytes(of name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url.appendingPathComponent(name)))
    }
}

/// Builders for deliberately malformed capture files. These write bytes only to produce bad inputs;
/// all reading goes through libpcap.
enum MalformedBytes {
    /// Offset of the snap length in a classic pcap file header.
    static let snapLengthOffset = 16
    /// Size of the classic pcap file header.
    static let fileHeaderSize = 24
    /// Size of a classic pcap record header.
    static let recordHeaderSize = 16

    /// `value` as 4 little-endian bytes.
    static func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    /// `value` as 2 little-endian bytes.
    static func le16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    /// `bytes` with `value` written little-endian at `offset` (files libpcap writes on x86 are little-endian).
    static func patching(_ bytes: [UInt8], offset: Int, with value: UInt32) -> [UInt8] {
        var out = bytes
        out.replaceSubrange(offset..<offset + 4, with: le32(value))
        return out
    }

    /// One pcapng block: type, total length, body, total length.
    static func pcapngBlock(type: UInt32, body: [UInt8]) -> [UInt8] {
        var padded = body
        while padded.count % 4 != 0 { padded.append(0) }
        let length = UInt32(12 + padded.count)
        return le32(type) + le32(length) + padded + le32(length)
    }

    /// A little-endian pcapng Section Header Block of unknown section length.
    static let pcapngSectionHeader = pcapngBlock(
        type: 0x0A0D_0D0A, body: le32(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xFF, count: 8))

    /// A pcapng Interface Description Block for link type `linkType` (a LINKTYPE_ value), no snap length.
    static func pcapngInterface(linkType: UInt16) -> [UInt8] {
        pcapngBlock(type: 1, body: le16(linkType) + le16(0) + le32(0))
    }

    /// A pcapng Enhanced Packet Block on `interface` with microsecond timestamp `micros`.
    static func pcapngPacket(interface: UInt32, micros: UInt64, data: [UInt8]) -> [UInt8] {
        pcapngBlock(
            type: 6,
            body: le32(interface) + le32(UInt32(micros >> 32)) + le32(UInt32(truncatingIfNeeded: micros))
                + le32(UInt32(data.count)) + le32(UInt32(data.count)) + data)
    }
}
