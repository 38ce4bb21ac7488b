import Foundation
import Testing
@testable import PacketCapture

/// One row of `tcpdump.tsv`: what a capture holds, as the corpus manifest states it.
struct ManifestRow {
    /// File name inside the `tcpdump/` folder.
    var file: String
    /// `pcap` or `pcapng`.
    var format: String
    /// Packet count (pcap rows only).
    var packets: Int?
    /// Packets cut short by the snap length.
    var truncated: Int?
    /// Longest wire length.
    var maxWireLength: Int?
    /// Shortest captured length.
    var minCapturedLength: Int?

    /// Parses the manifest: a header line, then tab-separated rows; pcapng rows may leave numbers empty.
    static func parse(_ text: String) throws -> [ManifestRow] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = try #require(lines.first).split(separator: "\t", omittingEmptySubsequences: false)
        #expect(header == ["file", "format", "packets", "truncated", "max_wire_len", "min_cap_len"])
        return try lines.dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            try #require(fields.count == 6, "bad manifest line: \(line)")
            return ManifestRow(
                file: fields[0], format: fields[1], packets: Int(fields[2]), truncated: Int(fields[3]),
                maxWireLength: Int(fields[4]), minCapturedLength: Int(fields[5]))
        }
    }
}

/// Reads every capture of the tcpdump test corpus in `../shared/traces/tcpdump/`.
@Suite struct TraceCorpusTests {
    /// Every file of the folder has a manifest row and every row a file, and each reads through
    /// ``PcapReader`` with the counts and lengths the manifest states.
    @Test func everyCaptureReadsAsTheManifestSays() throws {
        let directory = TestSupport.tcpdumpDirectory
        var isDirectory: ObjCBool = false
        try #require(
            FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) && isDirectory.boolValue,
            "trace folder missing: \(directory.path)")
        let manifestText = try String(contentsOf: TestSupport.tcpdumpManifest, encoding: .utf8)
        let rows = try ManifestRow.parse(manifestText)
        let captures = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
            .sorted()
        #expect(Set(rows.map(\.file)) == Set(captures), "manifest and folder list different files")
        #expect(rows.count == captures.count)
        try #require(!rows.isEmpty)

        var filesRead = 0
        for row in rows {
            let path = directory.appendingPathComponent(row.file).path
            switch row.format {
            case "pcap":
                let reader = try PcapReader(path: path)
                #expect(reader.linkType == PcapLinkType.ethernet)
                var count = 0, truncated = 0, maxWire = 0, minCaptured = Int.max, atSnapLength = 0
                while let frame = try reader.next() {
                    #expect(frame.index == count)
                    count += 1
                    if frame.isTruncated { truncated += 1 }
                    if frame.isTruncated && frame.bytes.count == reader.snapLength { atSnapLength += 1 }
                    maxWire = max(maxWire, frame.wireLength)
                    minCaptured = min(minCaptured, frame.bytes.count)
                    #expect(frame.bytes.count <= reader.snapLength, "\(row.file): packet \(frame.index) longer than the snap length")
                }
                #expect(count == row.packets, "\(row.file): packet count")
                #expect(maxWire == row.maxWireLength, "\(row.file): max wire length")
                // libpcap cuts every record to the file header's snap length; the manifest, like Wireshark,
                // keeps records whole. A record whose captured length reaches the wire length but whose wire
                // length exceeds the snap length is therefore truncated for libpcap and not in the manifest;
                // such frames are among those cut exactly at the snap length. With none of those the counts
                // must be equal; otherwise the manifest's count lies between.
                if atSnapLength == 0 {
                    #expect(truncated == row.truncated, "\(row.file): truncated count")
                } else {
                    let manifestTruncated = try #require(row.truncated)
                    #expect(
                        (truncated - atSnapLength...truncated).contains(manifestTruncated),
                        "\(row.file): truncated count \(truncated) (\(atSnapLength) cut at the snap length) vs \(manifestTruncated)")
                }
                // Same cut: min over packets of min(caplen, snap) == min(min caplen, snap).
                let expectedMinCaptured = row.minCapturedLength.map { min($0, reader.snapLength) }
                #expect(minCaptured == expectedMinCaptured, "\(row.file): min captured length")
                filesRead += 1
            case "pcapng":
                switch Self.countPackets(path: path) {
                case .success(let count):
                    if let packets = row.packets { #expect(count == packets, "\(row.file): packet count") }
                case .failure(.mixedLinkTypes(let file, _, _)):
                    // The one failure libpcap may legitimately report for a well-formed pcapng file.
                    #expect(file == path)
                case .failure(let error):
                    Issue.record("\(error)")
                }
                filesRead += 1
            default:
                Issue.record("\(row.file): unknown format \(row.format)")
            }
        }
        #expect(filesRead == captures.count)
    }

    /// Timestamps past 2038 and 2106, and a damaged one with the top bit set, come out as Wireshark
    /// shows them (`tshark -T fields -e frame.time_epoch`).
    @Test(arguments: [
        ("time_2106_overflow.pcapng", [UInt64(4_294_967_296_000_000_000)]),
        ("time_2107.pcapng", [4_323_283_200_000_000_000]),
        ("olsr-oobr-2.pcap", [4_294_934_285_999_999_000, 999_999_000, 1_545_335_295_999_999_000]),
    ])
    func timestampsAgreeWithWireshark(file: String, nanoseconds: [UInt64]) throws {
        let path = TestSupport.tcpdumpDirectory.appendingPathComponent(file).path
        #expect(try PcapReader(path: path).readAll().map(\.timestampNanoseconds) == nanoseconds)
    }

    /// Reads every packet of `path`, checking indices run 0, 1, 2, …; the packet count or the error.
    static func countPackets(path: String) -> Result<Int, PcapError> {
        Result { () throws(PcapError) -> Int in
            let reader = try PcapReader(path: path)
            var count = 0
            while let frame = try reader.next() {
                #expect(frame.index == count)
                count += 1
            }
            return count
        }
    }
}
