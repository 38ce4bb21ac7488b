import Foundation
import Testing
@testable import PacketCapture

/// ``PcapWriter``: round trips through ``PcapReader``, refusals, closing, and files tshark reads.
@Suite struct WriterTests {
    /// Frames covering the edges: nanosecond timestamps, the last second classic pcap holds, an empty
    /// frame, a runt, cut frames, a jumbo frame and one of the maximum snap length.
    static let frames: [CapturedFrame] = [
        CapturedFrame(timestampNanoseconds: 0, bytes: []),
        CapturedFrame(timestampNanoseconds: 1, bytes: Array(0..<42)),
        CapturedFrame(timestampNanoseconds: 1_700_000_000_123_456_789, bytes: (0..<60).map { UInt8($0 * 3 & 0xFF) }),
        CapturedFrame(timestampNanoseconds: 1_700_000_000_999_999_999, wireLength: 1514, bytes: [UInt8](repeating: 0x5A, count: 96)),
        CapturedFrame(timestampNanoseconds: 2_100_000_000_000_000_007, bytes: (0..<9014).map { UInt8(truncatingIfNeeded: $0) }),
        CapturedFrame(timestampNanoseconds: 3_000_000_000_000_000_000, wireLength: 300_000, bytes: (0..<262_144).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
        CapturedFrame(timestampNanoseconds: UInt64(UInt32.max) * 1_000_000_000 + 999_999_999, bytes: [1, 2, 3]),
    ]

    @Test func framesReadBackIdentical() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("round.pcap")
        let writer = try PcapWriter(path: path)
        for frame in Self.frames { try writer.write(frame) }
        #expect(writer.framesWritten == Self.frames.count)
        try writer.close()
        #expect(writer.isClosed)

        let reader = try PcapReader(path: path)
        #expect(reader.linkType == PcapLinkType.ethernet)
        #expect(reader.snapLength == PcapWriter.defaultSnapLength)
        let read = try reader.readAll()
        #expect(read.count == Self.frames.count)
        for (index, (got, want)) in zip(read, Self.frames).enumerated() {
            #expect(got.index == index)
            #expect(got.timestampNanoseconds == want.timestampNanoseconds)
            #expect(got.wireLength == want.wireLength)
            #expect(got.bytes == want.bytes)
            #expect(got.isTruncated == want.isTruncated)
        }
        #expect(try reader.next() == nil)
        #expect(try reader.next() == nil)
    }

    @Test func corpusFileSurvivesARoundTrip() throws {
        let source = TestSupport.tcpdumpDirectory.appendingPathComponent("pim-packet-assortment.pcap").path
        let original = try PcapReader(path: source).readAll()
        let directory = try TemporaryDirectory()
        let path = directory.path("copy.pcap")
        let writer = try PcapWriter(path: path)
        for frame in original { try writer.write(frame) }
        try writer.close()
        #expect(try PcapReader(path: path).readAll() == original)
    }

    @Test func deinitClosesTheFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("deinit.pcap")
        do {
            let writer = try PcapWriter(path: path)
            try writer.write(timestampNanoseconds: 5, bytes: [9, 9, 9])
        }
        #expect(try PcapReader(path: path).readAll() == [CapturedFrame(timestampNanoseconds: 5, bytes: [9, 9, 9])])
    }

    @Test func closeIsIdempotentAndWritingAfterwardsFails() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("closed.pcap")
        let writer = try PcapWriter(path: path)
        try writer.flush()
        try writer.close()
        try writer.close()
        #expect(throws: PcapError.writeFailed(file: path, message: "writer is closed")) {
            try writer.write(timestampNanoseconds: 0, bytes: [1])
        }
        #expect(try PcapReader(path: path).readAll().isEmpty)
    }

    @Test func cannotCreateInAMissingDirectory() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("no/such/dir/out.pcap")
        #expect(throws: PcapError.cannotCreate(file: path, message: "\(path): No such file or directory")) {
            try PcapWriter(path: path)
        }
        #expect(throws: PcapError.self) { try PcapWriter(path: "-") }
        #expect(throws: PcapError.self) { try PcapWriter(path: directory.path("snap.pcap"), snapLength: 0) }
    }

    @Test func framesTheFileCannotHoldAreRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("refuse.pcap")
        let writer = try PcapWriter(path: path, snapLength: 100)
        // Larger than the snap length.
        #expect(throws: PcapError.self) { try writer.write(timestampNanoseconds: 0, bytes: [UInt8](repeating: 0, count: 101)) }
        // Wire length shorter than the capture.
        #expect(throws: PcapError.self) { try writer.write(timestampNanoseconds: 0, bytes: [1, 2, 3], wireLength: 2) }
        // Past 2106-02-07T06:28:15Z.
        #expect(throws: PcapError.self) { try writer.write(timestampNanoseconds: (UInt64(UInt32.max) + 1) * 1_000_000_000, bytes: [1]) }
        try writer.write(timestampNanoseconds: 0, bytes: [UInt8](repeating: 0, count: 100), wireLength: 1500)
        #expect(writer.framesWritten == 1)
        try writer.close()
        let read = try PcapReader(path: path).readAll()
        #expect(read.count == 1)
        #expect(read.first?.isTruncated == true)
    }

    /// tshark (Wireshark's own reader, not libpcap) reads what the writer writes, to the nanosecond.
    @Test(.enabled(if: TestSupport.isOnPath("tshark"), "tshark is not installed"))
    func tsharkReadsTheFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("tshark.pcap")
        let writer = try PcapWriter(path: path)
        let written = Array(Self.frames.dropFirst().prefix(5))
        for frame in written { try writer.write(frame) }
        try writer.close()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(TestSupport.executable(named: "tshark")))
        process.arguments = ["-n", "-r", path, "-T", "fields", "-e", "frame.cap_len", "-e", "frame.len", "-e", "frame.time_epoch"]
        process.environment = ["LC_ALL": "C", "HOME": directory.url.path, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let expected = written.map { frame in
            let seconds = frame.timestampNanoseconds / 1_000_000_000
            let nanoseconds = frame.timestampNanoseconds % 1_000_000_000
            let fraction = String(nanoseconds)
            let padded = String(repeating: "0", count: 9 - fraction.count) + fraction
            return "\(frame.bytes.count)\t\(frame.wireLength)\t\(seconds).\(padded)"
        }
        #expect(lines == expected)
    }
}
