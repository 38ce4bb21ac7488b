import Testing
import BoxlessPlatform
@testable import BoxlessFaults

@Suite struct TriggerEngineTests {
    let dev = PCIAddress(device: 3)

    func engine(_ yaml: String, seed: UInt64 = 1) throws -> TriggerEngine {
        TriggerEngine(plan: try FaultPlan.parse(yaml: yaml), random: SeededRandom(seed: seed).split("faults"))
    }

    /// Feeds `n` events of `kind` one nanosecond apart; returns the 1-based indices that fired rule 0.
    func firings(_ e: TriggerEngine, _ kind: FaultEvent, _ n: Int, offset: UInt64? = nil, start: UInt64 = 1,
                 step: UInt64 = 1, rule: Int = 0) -> [Int] {
        var out: [Int] = []
        for i in 1...n {
            let t = VirtualTime.zero + .nanoseconds(start + UInt64(i - 1) * step)
            let ev = TriggeredEvent(kind: kind, device: dev, modelName: "exerciser", offset: offset, bar: 0, time: t)
            if e.evaluate(ev).contains(where: { $0.rule == rule }) { out.append(i) }
        }
        return out
    }

    @Test func nthFiresOnceOnTheNthEvent() throws {
        let e = try engine("faults:\n  - when: { event: mmio-read, nth: 200 }\n    inject: all-ones\n")
        #expect(firings(e, .mmioRead, 500) == [200])
        #expect(firings(e, .mmioWrite, 500).isEmpty)   // other kinds are not counted
        #expect(e.counts == [500])
    }

    @Test func intervalAndTimesFollowLinux() throws {
        let e = try engine("faults:\n  - when: { event: rx-frame, interval: 100, times: 3 }\n    inject: fcs-error\n")
        #expect(firings(e, .rxFrame, 1000) == [100, 200, 300])
        let unlimited = try engine("faults:\n  - when: { event: rx-frame, interval: 250 }\n    inject: fcs-error\n")
        #expect(firings(unlimited, .rxFrame, 1000) == [250, 500, 750, 1000])
    }

    @Test func probabilityIsSeededAndDeterministic() throws {
        let plan = "faults:\n  - when: { event: dma-write, probability: 0.01 }\n    inject: bit-flip\n"
        let a = firings(try engine(plan, seed: 7), .dmaWrite, 10_000)
        let b = firings(try engine(plan, seed: 7), .dmaWrite, 10_000)
        let c = firings(try engine(plan, seed: 8), .dmaWrite, 10_000)
        #expect(a == b)
        #expect(a != c)
        #expect(a.count > 50 && a.count < 150)   // ~100 expected
        let limited = firings(try engine("faults:\n  - when: { event: dma-write, probability: 0.01, times: 2 }\n    inject: bit-flip\n", seed: 7), .dmaWrite, 10_000)
        #expect(limited == Array(a.prefix(2)))
    }

    @Test func aRulesDrawsDoNotDependOnOtherRules() throws {
        let one = "faults:\n  - when: { event: dma-write, probability: 0.05 }\n    inject: bit-flip\n"
        let two = one + "  - when: { event: dma-write, probability: 0.5 }\n    inject: dma-drop\n"
        #expect(firings(try engine(one), .dmaWrite, 2000) == firings(try engine(two), .dmaWrite, 2000))
    }

    @Test func afterATimeOrACount() throws {
        let count = try engine("faults:\n  - when: { event: mmio-write, after: 10, interval: 5 }\n    inject: surprise-removal\n")
        #expect(firings(count, .mmioWrite, 30) == [15, 20, 25, 30])
        let time = try engine("faults:\n  - when: { event: mmio-write, after: 10ns, times: 2 }\n    inject: surprise-removal\n")
        #expect(firings(time, .mmioWrite, 30) == [10, 11])
    }

    @Test func atFiresOnTheFirstEventAtOrAfterItsTimeOrAWindow() throws {
        let once = try engine("faults:\n  - when: { event: mmio-read, at: 5us }\n    inject: all-ones\n")
        // Events at 1 ns, 1001 ns, ...: the 6th (5001 ns) is the first at or after 5 µs.
        #expect(firings(once, .mmioRead, 10, step: 1000) == [6])
        let window = try engine("faults:\n  - when: { event: mmio-read, at: 5us }\n    inject: all-ones\n    duration: 3us\n")
        #expect(firings(window, .mmioRead, 10, step: 1000) == [6, 7, 8])   // [5 µs, 8 µs)
    }

    @Test func narrowingByOffset() throws {
        let e = try engine("faults:\n  - when: { event: mmio-read, offset: 0x8, nth: 2 }\n    inject: all-ones\n")
        #expect(firings(e, .mmioRead, 5, offset: 0x4).isEmpty)
        #expect(firings(e, .mmioRead, 5, offset: 0x8) == [2])
    }

    @Test func narrowingByDevice() throws {
        let other = try engine("faults:\n  - when: { event: mmio-read, device: e1000 }\n    inject: all-ones\n")
        #expect(firings(other, .mmioRead, 5).isEmpty)
        let mine = try engine("faults:\n  - when: { event: mmio-read, device: \"00:03.0\", nth: 3 }\n    inject: all-ones\n")
        #expect(firings(mine, .mmioRead, 5) == [3])
    }

    @Test func statefulRulesFireOnlyInTheirState() throws {
        let e = try engine("""
        faults:
          - when: { event: interrupt, nth: 3 }
            set-state: storm
          - when: { event: mmio-read, state: storm }
            inject: all-ones
          - when: { event: mmio-read, state: storm, interval: 2 }
            set-state: calm
        """)
        var fired: [Int] = []
        for i in 1...6 {
            _ = e.evaluate(TriggeredEvent(kind: .interrupt, device: dev, time: .zero + .nanoseconds(UInt64(i))))
            let r = e.evaluate(TriggeredEvent(kind: .mmioRead, device: dev, time: .zero + .nanoseconds(UInt64(i))))
            if r.contains(where: { $0.rule == 1 }) { fired.append(i) }
        }
        // State `storm` from the 3rd interrupt; the 2nd read in it (read 4) still fires rule 1, then
        // rule 2 (interval counts only the events that passed the state check) moves to `calm`.
        #expect(fired == [3, 4])
        #expect(e.state == "calm")
    }
}
