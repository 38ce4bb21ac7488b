import BoxlessPlatform
import Testing

/// The event log's canonical form and digest: the determinism contract (DESIGN.md, "Determinism").
@Suite("Event log: canonical form and digest")
struct EventLogDigestTests {
    static let dev = PCIAddress(device: 3)

    /// One record of every kind, in a fixed order, at fixed times.
    static func everyKind() -> [(UInt64, EventRecord, [UInt8]?)] {
        [
            (0, .configRead(dev, offset: 0, width: .dword, value: 0x100E_8086), nil),
            (10, .configWrite(dev, offset: 4, width: .word, value: 0x0006), nil),
            (20, .registerRead(dev, space: .memory, bar: 0, offset: 0x8, width: .dword, value: 0x80080783), nil),
            (30, .registerWrite(dev, space: .io, bar: 2, offset: 0x4, width: .dword, value: 0x0400_0000), nil),
            (40, .dmaRead(dev, address: BusAddress(0x1000), length: 4, status: .ok), [1, 2, 3, 4]),
            (50, .dmaWrite(dev, address: BusAddress(0x2000), length: 2, status: .masterAbort), [0xFF, 0xFF]),
            (60, .interrupt(dev, kind: .msix, vector: 2, asserted: true, outcome: .delivered), nil),
            (70, .finding(Finding(time: .zero, device: dev, code: .strict, message: "m", reference: "§1", rule: "e1000.x")), nil),
            (80, .barrier(dev, bar: 0), nil),
            (90, .note(source: "e1000", text: "link up"), nil),
        ]
    }

    static func digest(_ records: [(UInt64, EventRecord, [UInt8]?)]) -> String {
        var now = VirtualTime.zero
        let log = EventLog(clock: { now })
        for (t, r, payload) in records {
            now = VirtualTime(picoseconds: t * 1000)
            if let p = payload { p.withUnsafeBytes { log.record(r, payload: $0) } } else { log.record(r) }
        }
        return log.digest
    }

    /// A golden digest: the canonical encoding of this fixed run must never change by accident
    /// (a deliberate change of the format updates this value and says so in EventLog.swift).
    @Test func goldenDigest() {
        let d = EventLogDigestTests.digest(Self.everyKind())
        #expect(d.count == 64)
        #expect(d == Self.golden, "canonical form changed: \(d)")
    }
    static let golden = "9d25b9acc86cb404e7a516273d17e8ae825d66ffb92e62909c557384bc45015b"

    @Test func sameRecordsSameDigest() {
        #expect(EventLogDigestTests.digest(Self.everyKind()) == EventLogDigestTests.digest(Self.everyKind()))
    }

    @Test func orderTimeValuePayloadAndRuleMatter() {
        let base = EventLogDigestTests.digest(Self.everyKind())
        var swapped = Self.everyKind(); swapped.swapAt(2, 3)
        #expect(EventLogDigestTests.digest(swapped) != base)
        var later = Self.everyKind(); later[5].0 += 1
        #expect(EventLogDigestTests.digest(later) != base)
        var payload = Self.everyKind(); payload[4].2 = [1, 2, 3, 5]
        #expect(EventLogDigestTests.digest(payload) != base)
        var value = Self.everyKind()
        value[2].1 = .registerRead(Self.dev, space: .memory, bar: 0, offset: 0x8, width: .dword, value: 0x80080782)
        #expect(EventLogDigestTests.digest(value) != base)
        var rule = Self.everyKind()
        rule[7].1 = .finding(Finding(time: .zero, device: Self.dev, code: .strict, message: "m", reference: "§1", rule: "e1000.y"))
        #expect(EventLogDigestTests.digest(rule) != base)
    }

    /// Every record kind changes the digest (none is silently left out of the encoding).
    @Test func everyKindIsEncoded() {
        let all = Self.everyKind()
        let base = EventLogDigestTests.digest(all)
        for i in all.indices {
            var less = all; less.remove(at: i)
            #expect(EventLogDigestTests.digest(less) != base, "record \(i) (\(all[i].1)) does not reach the digest")
        }
    }

    @Test func payloadsCanBeLeftOutOfTheDigest() {
        var now = VirtualTime.zero
        func run(_ p: [UInt8]) -> String {
            let log = EventLog(clock: { now })
            log.digestsPayloads = false
            p.withUnsafeBytes { log.record(.dmaWrite(Self.dev, address: BusAddress(0), length: 4, status: .ok), payload: $0) }
            return log.digest
        }
        now = .zero
        #expect(run([1, 2, 3, 4]) == run([9, 9, 9, 9]))
    }
}
