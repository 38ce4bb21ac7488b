import BoxlessRunner
import Foundation
import PacketCapture
import Testing

@Suite struct ReplayBehaviourTests {
    @Test func twoRunsGiveTheSameDigestAndByteIdenticalCaptures() throws {
        let dir = temporaryDirectory()
        func run(_ tag: String) throws -> (ReplaySummary, Data, Data) {
            let rx = dir.appendingPathComponent("rx-\(tag).pcap").path, tx = dir.appendingPathComponent("tx-\(tag).pcap").path
            let s = try replay(SharedTraces.generated, nic: "e1000") { $0.captureRX = rx; $0.captureTX = tx }
            return (s, try Data(contentsOf: URL(fileURLWithPath: rx)), try Data(contentsOf: URL(fileURLWithPath: tx)))
        }
        let (a, rxa, txa) = try run("a"), (b, rxb, txb) = try run("b")
        #expect(a.passed && b.passed)
        #expect(a.digest == b.digest && a.events == b.events && a.virtual_ns == b.virtual_ns)
        #expect(rxa == rxb && txa == txb)
        #expect(rxa.count > 24)
        // The RX capture holds exactly what was delivered, readable by libpcap.
        let r = try PcapReader(path: dir.appendingPathComponent("rx-a.pcap").path)
        #expect(try r.readAll().count == a.delivered)
    }

    @Test func differentSeedsStillPass() throws {
        let a = try replay(SharedTraces.generated, nic: "e1000e") { $0.seed = 1 }
        let b = try replay(SharedTraces.generated, nic: "e1000e") { $0.seed = 99 }
        #expect(a.passed && b.passed)
        #expect(a.delivered == b.delivered)
    }

    @Test func truncatedPolicies() throws {
        // The generated trace has 20 frames cut to 96 bytes by its snap length.
        let pad = try replay(SharedTraces.generated, nic: "e1000")
        #expect(pad.truncated_padded == 20 && pad.truncated_skipped == 0 && pad.passed)
        let skip = try replay(SharedTraces.generated, nic: "e1000") { $0.truncated = .skip }
        #expect(skip.truncated_skipped == 20 && skip.packets_in == pad.packets_in - 20 && skip.passed)
        #expect(throws: RunnerError.self) { try replay(SharedTraces.generated, nic: "e1000") { $0.truncated = .error } }
    }

    @Test func jumboFramesAreDroppedAndCountedByDefault() throws {
        let s = try replay(SharedTraces.generated, nic: "e1000")
        let roc = s.dropped.reasons.first { $0.counter == "ROC" }?.count ?? 0
        #expect(roc == 20)   // 20 jumbo frames of 9014 bytes in the generated trace
        #expect(s.passed)
    }

    @Test func bpfFilterSelectsFrames() throws {
        let s = try replay(SharedTraces.generated, nic: "e1000") { $0.filter = "arp" }
        #expect(s.packets_in == 40 && s.passed)
        #expect(throws: (any Error).self) { try replay(SharedTraces.generated, nic: "e1000") { $0.filter = "not a (valid" } }
    }

    @Test(arguments: [ReplayTiming.original, .lineRate, .scale(4)])
    func timingModes(timing: ReplayTiming) throws {
        let s = try replay(SharedTraces.generated, nic: "e1000") { $0.timing = timing }
        #expect(s.passed, "\(s.failures)")
    }

    @Test func lineRateIsFasterInVirtualTimeThanOriginal() throws {
        let o = try replay(SharedTraces.generated, nic: "e1000")
        let l = try replay(SharedTraces.generated, nic: "e1000") { $0.timing = .lineRate }
        #expect(l.virtual_ns < o.virtual_ns)
    }

    @Test func malformedInputsGetOneClearError() throws {
        let dir = temporaryDirectory()
        let empty = dir.appendingPathComponent("empty.pcap").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        let magic = dir.appendingPathComponent("magic.pcap").path
        FileManager.default.createFile(atPath: magic, contents: Data(repeating: 0x42, count: 64))
        let cut = dir.appendingPathComponent("cut.pcap").path
        let whole = try Data(contentsOf: URL(fileURLWithPath: SharedTraces.generated))
        FileManager.default.createFile(atPath: cut, contents: whole.prefix(5000))
        let raw = dir.appendingPathComponent("raw.pcap").path
        let w = try PcapWriter(path: raw, linkType: PcapLinkType.raw)
        try w.write(timestampNanoseconds: 0, bytes: [0x45, 0, 0, 20] + [UInt8](repeating: 0, count: 16))
        try w.close()
        for (path, words) in [(empty, "empty"), (magic, "magic"), (cut, "packet"), (raw, "link"), (dir.appendingPathComponent("missing.pcap").path, "missing")] {
            do {
                _ = try replay(path, nic: "e1000")
                Issue.record("\(words): expected an error")
            } catch {
                let line = "\(error)"
                #expect(line.contains(path), "\(words): \(line)")
                #expect(!line.contains("\n"))
            }
        }
    }

    @Test func unknownOrNonNetworkModelsAreClearErrors() throws {
        #expect(throws: (any Error).self) { try replay(SharedTraces.generated, nic: "rtl9999") }
        do { _ = try replay(SharedTraces.generated, nic: "exerciser"); Issue.record("expected an error") } catch {
            #expect("\(error)".contains("not a network device"))
        }
    }
}
