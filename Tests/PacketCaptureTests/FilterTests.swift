import Foundation
import Testing
@testable import PacketCapture

/// BPF filters compiled and run by libpcap.
@Suite struct FilterTests {
    /// Captures of the corpus that hold plain (untagged) ARP frames.
    static let arpCaptures = ["bgp-4byte-asn.pcap", "dhcp-rfc4388.pcap", "eapon1.pcap"]

    /// The EtherType of an untagged Ethernet frame, if it has one.
    static func etherType(_ frame: CapturedFrame) -> UInt16? {
        frame.bytes.count >= 14 ? UInt16(frame.bytes[12]) << 8 | UInt16(frame.bytes[13]) : nil
    }

    /// `"arp"` keeps exactly the frames of EtherType 0x0806, and their indices are their positions in
    /// the whole file.
    @Test(arguments: arpCaptures)
    func arpFilterMatchesTheEtherType(file: String) throws {
        let path = TestSupport.tcpdumpDirectory.appendingPathComponent(file).path
        let all = try PcapReader(path: path).readAll()
        let arpByHand = all.filter { Self.etherType($0) == 0x0806 }
        #expect(!arpByHand.isEmpty)

        let reader = try PcapReader(path: path)
        try reader.setFilter("arp")
        #expect(reader.filterExpression == "arp")
        let filtered = try reader.readAll()
        #expect(filtered == arpByHand)
        #expect(reader.packetsRead == all.count)

        let standalone = try BPFFilter("arp")
        #expect(all.filter(standalone.matches) == arpByHand)
    }

    @Test func filterCanBeChangedAndCleared() throws {
        let path = TestSupport.tcpdumpDirectory.appendingPathComponent("bgp-4byte-asn.pcap").path
        let all = try PcapReader(path: path).readAll()
        let reader = try PcapReader(path: path)
        try reader.setFilter("arp")
        let firstArp = try #require(try reader.next())
        reader.clearFilter()
        #expect(reader.filterExpression == nil)
        let next = try #require(try reader.next())
        #expect(next == all[firstArp.index + 1])
        try reader.setFilter("not arp")
        let rest = try reader.readAll()
        #expect(rest == all[(firstArp.index + 2)...].filter { Self.etherType($0) != 0x0806 })
    }

    @Test func badExpressionCarriesLibpcapsMessage() throws {
        let path = TestSupport.tcpdumpDirectory.appendingPathComponent("bgp-4byte-asn.pcap").path
        let reader = try PcapReader(path: path)
        try reader.setFilter("arp")
        let error = try #require(throws: PcapError.self) { try reader.setFilter("tcp port and and") }
        guard case .badFilter(let file, let expression, let message) = error else { Issue.record("\(error)"); return }
        #expect(file == path)
        #expect(expression == "tcp port and and")
        #expect(message.contains("syntax error"))
        #expect(error.description == "\(path): bad BPF filter \"tcp port and and\" (libpcap: \(message))")
        // The earlier filter is still active.
        #expect(reader.filterExpression == "arp")
        #expect(try reader.readAll().allSatisfy { Self.etherType($0) == 0x0806 })

        let standalone = try #require(throws: PcapError.self) { try BPFFilter("ether proto \\nosuch") }
        #expect(standalone == .badFilter(file: nil, expression: "ether proto \\nosuch", message: "unknown ether proto 'nosuch'"))
        #expect(standalone.description.hasPrefix("bad BPF filter"))
    }

    @Test func emptyFrameDoesNotCrashTheFilter() throws {
        let filter = try BPFFilter("arp")
        #expect(!filter.matches(CapturedFrame(timestampNanoseconds: 0, bytes: [])))
        let everything = try BPFFilter("")
        #expect(everything.matches(CapturedFrame(timestampNanoseconds: 0, bytes: [])))
    }
}
