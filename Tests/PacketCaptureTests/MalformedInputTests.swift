import Foundation
import Testing
@testable import PacketCapture

/// Damaged and unexpected inputs: each must give a clear ``PcapError`` (or a sane read), never a crash
/// or a hang.
@Suite struct MalformedInputTests {
    /// A valid two-frame nanosecond pcap written by ``PcapWriter``: 60 bytes, then 100 of 1500.
    static func writeBase(in directory: TemporaryDirectory, name: String = "base.pcap") throws -> String {
        let path = directory.path(name)
        let writer = try PcapWriter(path: path)
        try writer.write(timestampNanoseconds: 1_700_000_000_123_456_789, bytes: [UInt8](repeating: 0xAB, count: 60))
        try writer.write(timestampNanoseconds: 1_700_000_001_000_000_001, bytes: [UInt8](repeating: 0xCD, count: 100), wireLength: 1500)
        try writer.close()
        return path
    }

    /// Offset of the second record's header in the base file.
    static let secondRecordOffset = MalformedBytes.fileHeaderSize + MalformedBytes.recordHeaderSize + 60

    /// Opens `path`, expecting failure, and returns the error.
    static func openError(_ path: String, requireEthernet: Bool = true) -> PcapError? {
        do {
            _ = try PcapReader(path: path, requireEthernet: requireEthernet)
            return nil
        } catch {
            return error
        }
    }

    /// Reads `reader` to the end or the first error: the frames read and the error, if any.
    static func drain(_ reader: PcapReader) -> ([CapturedFrame], PcapError?) {
        var frames: [CapturedFrame] = []
        do {
            while let frame = try reader.next() { frames.append(frame) }
            return (frames, nil)
        } catch {
            return (frames, error)
        }
    }

    /// A description is one line and starts with the file.
    static func expectOneLine(_ error: PcapError, startingWith path: String) {
        #expect(error.description.hasPrefix("\(path): "), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test func emptyFileCannotBeOpened() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write([], to: "empty.pcap")
        let error = try #require(Self.openError(path))
        guard case .cannotOpen(let file, let message) = error else { Issue.record("\(error)"); return }
        #expect(file == path)
        #expect(message == "truncated dump file; tried to read 4 file header bytes, only got 0")
        Self.expectOneLine(error, startingWith: path)
    }

    @Test func badMagicCannotBeOpened() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write([UInt8](repeating: 0x42, count: 100), to: "magic.pcap")
        let error = try #require(Self.openError(path))
        #expect(error == .cannotOpen(file: path, message: "unknown file format"))
        Self.expectOneLine(error, startingWith: path)
    }

    @Test func unsupportedVersionCannotBeOpened() throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeBase(in: directory)
        var bytes = try directory.bytes(of: "base.pcap")
        bytes.replaceSubrange(4..<6, with: MalformedBytes.le16(9))
        let path = try directory.write(bytes, to: "version.pcap")
        #expect(Self.openError(path) == .cannotOpen(file: path, message: "unsupported pcap savefile version 9.4"))
    }

    @Test func missingFileCannotBeOpened() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("missing.pcap")
        let error = try #require(Self.openError(path))
        guard case .cannotOpen(let file, let message) = error else { Issue.record("\(error)"); return }
        #expect(file == path)
        #expect(message.contains("No such file or directory"))
        Self.expectOneLine(error, startingWith: path)
    }

    @Test func directoryCannotBeOpened() throws {
        let directory = try TemporaryDirectory()
        let error = try #require(Self.openError(directory.url.path))
        guard case .cannotOpen(_, let message) = error else { Issue.record("\(error)"); return }
        #expect(message.contains("Is a directory"))
    }

    @Test func standardInputIsRefused() {
        guard case .cannotOpen(let file, _)? = Self.openError("-") else { Issue.record("\"-\" was accepted"); return }
        #expect(file == "-")
    }

    /// libpcap 1.10 replaces a snap length of 0 or above `Int32.max` by 262144 but passes `0x7fffffff`
    /// through; either way the records read normally and ``PcapReader/snapLength`` stays sane.
    @Test(arguments: [(UInt32(0x7FFF_FFFF), 0x7FFF_FFFF), (0x8000_0000, 262_144), (0xFFFF_FFFF, 262_144), (0, 262_144)])
    func absurdSnapLengthReadsSanely(snapLength: UInt32, declared: Int) throws {
        let directory = try TemporaryDirectory()
        let base = try Self.writeBase(in: directory)
        let original = try PcapReader(path: base).readAll()
        let bytes = MalformedBytes.patching(
            try directory.bytes(of: "base.pcap"), offset: MalformedBytes.snapLengthOffset, with: snapLength)
        let path = try directory.write(bytes, to: "snap.pcap")
        let reader = try PcapReader(path: path)
        #expect(reader.declaredSnapLength == declared)
        #expect(reader.snapLength == 262_144)
        #expect(try reader.readAll() == original)
    }

    /// libpcap cuts records to the header's snap length, even when the record holds more bytes.
    @Test func recordsLongerThanTheSnapLengthAreCut() throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeBase(in: directory)
        let bytes = MalformedBytes.patching(
            try directory.bytes(of: "base.pcap"), offset: MalformedBytes.snapLengthOffset, with: 80)
        let path = try directory.write(bytes, to: "snap80.pcap")
        let frames = try PcapReader(path: path).readAll()
        #expect(frames.map(\.bytes.count) == [60, 80])
        #expect(frames.map(\.wireLength) == [60, 1500])
        #expect(frames[1].bytes == [UInt8](repeating: 0xCD, count: 80))
    }

    @Test func fileCutInsideARecordNamesThePacket() throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeBase(in: directory)
        let whole = try directory.bytes(of: "base.pcap")
        let path = try directory.write(Array(whole.dropLast(10)), to: "cut.pcap")
        let reader = try PcapReader(path: path)
        let (frames, error) = Self.drain(reader)
        #expect(frames.count == 1)
        let failure = try #require(error)
        #expect(failure == .readFailed(file: path, packetIndex: 1, message: "truncated dump file; tried to read 100 captured bytes, only got 90"))
        #expect(failure.packetIndex == 1)
        #expect(failure.description.hasPrefix("\(path): packet 1: truncated record (libpcap: "))
        // The reader stays at the error.
        #expect(throws: failure) { try reader.next() }
        #expect(reader.packetsRead == 1)
    }

    @Test func fileCutInsideARecordHeaderNamesThePacket() throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeBase(in: directory)
        let whole = try directory.bytes(of: "base.pcap")
        let path = try directory.write(Array(whole.prefix(Self.secondRecordOffset + 8)), to: "cuthdr.pcap")
        let (frames, error) = Self.drain(try PcapReader(path: path))
        #expect(frames.count == 1)
        #expect(error == .readFailed(file: path, packetIndex: 1, message: "truncated dump file; tried to read 16 header bytes, only got 8"))
    }

    @Test func impossibleRecordLengthNamesThePacket() throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeBase(in: directory)
        let bytes = MalformedBytes.patching(
            try directory.bytes(of: "base.pcap"), offset: Self.secondRecordOffset + 8, with: 0x7FFF_FFFF)
        let path = try directory.write(bytes, to: "caplen.pcap")
        let (frames, error) = Self.drain(try PcapReader(path: path))
        #expect(frames.count == 1)
        let failure = try #require(error)
        guard case .readFailed(_, 1, let message) = failure else { Issue.record("\(failure)"); return }
        #expect(message.contains("invalid packet capture length 2147483647"))
        #expect(failure.description.contains("packet 1: invalid record length"))
    }

    /// libpcap does not check that the wire length covers the captured bytes; the frame comes as is.
    @Test func wireLengthShorterThanCaptureIsPassedThrough() throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeBase(in: directory)
        let bytes = MalformedBytes.patching(
            try directory.bytes(of: "base.pcap"), offset: Self.secondRecordOffset + 12, with: 10)
        let frames = try PcapReader(path: directory.write(bytes, to: "len.pcap")).readAll()
        #expect(frames[1].wireLength == 10)
        #expect(frames[1].bytes.count == 100)
        #expect(!frames[1].isTruncated)
    }

    /// Classic pcap's 32-bit timestamp fields are unsigned; libpcap sign-extends them, the reader does
    /// not (as Wireshark).
    @Test func timestampFieldsWithTheTopBitSetReadUnsigned() throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeBase(in: directory)
        var bytes = try directory.bytes(of: "base.pcap")
        bytes = MalformedBytes.patching(bytes, offset: MalformedBytes.fileHeaderSize, with: 0xFFFF_7F0D)
        bytes = MalformedBytes.patching(bytes, offset: MalformedBytes.fileHeaderSize + 4, with: 0xFFFF_FFFF)
        let frames = try PcapReader(path: directory.write(bytes, to: "ts.pcap")).readAll()
        #expect(frames[0].timestampNanoseconds == 0xFFFF_7F0D * 1_000_000_000 + 0xFFFF_FFFF)
        #expect(frames[1].timestampNanoseconds == 1_700_000_001_000_000_001)
    }

    @Test func timestampArithmetic() {
        #expect(PcapTimestamp.nanoseconds(seconds: 1, fraction: 2, classicPcap: false) == 1_000_000_002)
        #expect(PcapTimestamp.nanoseconds(seconds: -1, fraction: 0, classicPcap: true) == UInt64(UInt32.max) * 1_000_000_000)
        #expect(PcapTimestamp.nanoseconds(seconds: -1, fraction: 0, classicPcap: false) == nil)
        #expect(PcapTimestamp.nanoseconds(seconds: 18_446_744_074, fraction: 0, classicPcap: false) == nil)
        #expect(PcapTimestamp.nanoseconds(seconds: 18_446_744_073, fraction: 709_551_615, classicPcap: false) == UInt64.max)
        #expect(PcapTimestamp.nanoseconds(seconds: 18_446_744_073, fraction: 709_551_616, classicPcap: false) == nil)
    }

    @Test(arguments: [(PcapLinkType.raw, "RAW"), (PcapLinkType.linuxCooked, "LINUX_SLL")])
    func nonEthernetLinkTypeIsRefusedUnlessAllowed(linkType: Int32, name: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("link.pcap")
        let writer = try PcapWriter(path: path, linkType: linkType)
        try writer.write(timestampNanoseconds: 7, bytes: [0x45, 0, 0, 20])
        try writer.close()
        let error = try #require(Self.openError(path))
        #expect(error == .unsupportedLinkType(file: path, linkType: linkType, name: name))
        #expect(error.description == "\(path): unsupported link type \(linkType) (\(name)); only Ethernet (1, EN10MB) is accepted")
        let reader = try PcapReader(path: path, requireEthernet: false)
        #expect(reader.linkType == linkType)
        #expect(reader.linkTypeName == name)
        #expect(try reader.readAll() == [CapturedFrame(index: 0, timestampNanoseconds: 7, bytes: [0x45, 0, 0, 20])])
    }

    /// libpcap serves one link type per handle: a pcapng whose second interface is raw IP fails at the
    /// packet after that interface's description block.
    @Test func pcapngWithMixedLinkTypesFailsClearly() throws {
        let directory = try TemporaryDirectory()
        let bytes = MalformedBytes.pcapngSectionHeader
            + MalformedBytes.pcapngInterface(linkType: 1)
            + MalformedBytes.pcapngPacket(interface: 0, micros: 1_000_000, data: [UInt8](repeating: 1, count: 60))
            + MalformedBytes.pcapngInterface(linkType: 101)
            + MalformedBytes.pcapngPacket(interface: 1, micros: 2_000_000, data: [0x45, 0, 0, 20])
        let path = try directory.write(bytes, to: "mixed.pcapng")
        let (frames, error) = Self.drain(try PcapReader(path: path))
        #expect(frames.count == 1)
        #expect(frames.first?.timestampNanoseconds == 1_000_000_000)
        let failure = try #require(error)
        guard case .mixedLinkTypes(let file, 1, let message) = failure else { Issue.record("\(failure)"); return }
        #expect(file == path)
        #expect(message.contains("different from the type of the first interface"))
        Self.expectOneLine(failure, startingWith: path)
    }

    @Test func pcapngWithTwoEthernetInterfacesReads() throws {
        let directory = try TemporaryDirectory()
        let bytes = MalformedBytes.pcapngSectionHeader
            + MalformedBytes.pcapngInterface(linkType: 1)
            + MalformedBytes.pcapngPacket(interface: 0, micros: 1, data: [UInt8](repeating: 1, count: 60))
            + MalformedBytes.pcapngInterface(linkType: 1)
            + MalformedBytes.pcapngPacket(interface: 1, micros: 2, data: [UInt8](repeating: 2, count: 61))
        let frames = try PcapReader(path: directory.write(bytes, to: "two.pcapng")).readAll()
        #expect(frames.map(\.bytes.count) == [60, 61])
        #expect(frames.map(\.timestampNanoseconds) == [1_000, 2_000])
    }

    @Test func pcapngCutInsideABlockNamesThePacket() throws {
        let directory = try TemporaryDirectory()
        let bytes = MalformedBytes.pcapngSectionHeader
            + MalformedBytes.pcapngInterface(linkType: 1)
            + MalformedBytes.pcapngPacket(interface: 0, micros: 1, data: [UInt8](repeating: 1, count: 60))
            + MalformedBytes.pcapngPacket(interface: 0, micros: 2, data: [UInt8](repeating: 2, count: 60))
        let path = try directory.write(Array(bytes.dropLast(7)), to: "cut.pcapng")
        let (frames, error) = Self.drain(try PcapReader(path: path))
        #expect(frames.count == 1)
        let failure = try #require(error)
        guard case .readFailed(_, 1, let message) = failure else { Issue.record("\(failure)"); return }
        #expect(message.contains("truncated pcapng dump file"))
    }

    @Test func pcapngWithoutInterfacesCannotBeOpened() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(MalformedBytes.pcapngSectionHeader, to: "noidb.pcapng")
        #expect(Self.openError(path) == .cannotOpen(file: path, message: "the capture file has no Interface Description Blocks"))
    }

    @Test func pcapngPacketOnAnUnknownInterfaceNamesThePacket() throws {
        let directory = try TemporaryDirectory()
        let bytes = MalformedBytes.pcapngSectionHeader
            + MalformedBytes.pcapngInterface(linkType: 1)
            + MalformedBytes.pcapngPacket(interface: 3, micros: 1, data: [UInt8](repeating: 1, count: 60))
        let path = try directory.write(bytes, to: "badif.pcapng")
        let (_, error) = Self.drain(try PcapReader(path: path))
        guard case .readFailed(_, 0, let message)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(message.contains("no Interface Description Block"))
    }
}
