import Testing
import BoxlessPlatform
@testable import BoxlessFaults

/// The plan of issue 14, exactly as written there.
let issuePlan = """
faults:
  - when: { at: 20ms }                              # virtual time since the run began
    inject: link-down
    duration: 5ms                                   # transient; link comes back
  - when: { event: mmio-read, nth: 200 }            # the 200th event of that kind
    inject: all-ones
  - when: { event: dma-write, probability: 0.001 }  # drawn from the run's seeded generator
    inject: bit-flip
  - when: { event: rx-frame, interval: 100, times: 3 }   # Linux fault-injection's interval/times
    inject: fcs-error
  - when: { at: 1ms }
    inject: media-error
    lba: 1000-1015
"""

@Suite struct PlanParserTests {
    @Test func theIssuePlanParsesAsWritten() throws {
        let plan = try FaultPlan.parse(yaml: issuePlan, file: "issue.yaml")
        #expect(plan.rules.count == 5)
        let r = plan.rules
        #expect(r[0].kind == .linkDown && r[0].trigger.at == .zero + .milliseconds(20) && r[0].parameters.duration == .milliseconds(5))
        #expect(r[0].line == 2 && r[0].recoverWithin == .seconds(3))
        #expect(r[1].kind == .allOnes && r[1].trigger.event == .mmioRead && r[1].trigger.nth == 200 && r[1].trigger.firingLimit == 1)
        #expect(r[2].kind == .bitFlip && r[2].trigger.event == .dmaWrite && r[2].trigger.probability == 0.001 && r[2].parameters.bits == 1)
        #expect(r[2].trigger.firingLimit == nil)
        #expect(r[3].kind == .fcsError && r[3].trigger.event == .rxFrame && r[3].trigger.interval == 100 && r[3].trigger.times == 3)
        #expect(r[4].kind == .mediaError && r[4].trigger.at == .zero + .milliseconds(1) && r[4].parameters.lba == 1000...1015)
        #expect(r[4].line == 11)
    }

    @Test func everyTriggerAndParameterParses() throws {
        let plan = try FaultPlan.parse(yaml: """
        faults:
          - when: { event: mmio-write, device: "0000:00:03.0", offset: 0x10, bar: 0, after: 5 }
            inject: surprise-removal
          - when: { event: config-read, device: exerciser, after: 1.5us, state: broken }
            inject: random-read
          - when: { event: interrupt, nth: 2 }
            set-state: broken
          - when: { event: interrupt }
            inject: irq-delay
            delay: 5us
            jitter: 1us
            recover-within: 2s
          - when: { at: 1ms }
            inject: loss
            model: gilbert-elliott
            p: 1%
            r: 0.5
          - when: { event: tx-frame }
            inject: rate
            rate: 10Mbit
          - when: { at: 100ns }
            inject: link-flap
            count: 2
            period: 250us
          - when: { event: writeback, probability: 0.5 }
            inject: bad-writeback
            field: index
            value: 7
        """)
        let r = plan.rules
        #expect(r[0].trigger.device == .address(PCIAddress(device: 3)) && r[0].trigger.offset == 0x10 && r[0].trigger.bar == 0)
        #expect(r[0].trigger.after == .events(5))
        #expect(r[1].trigger.device == .model("exerciser") && r[1].trigger.after == .time(.zero + .nanoseconds(1500)))
        #expect(r[1].trigger.state == "broken" && r[2].kind == nil && r[2].setState == "broken")
        #expect(r[3].parameters.delay == .microseconds(5) && r[3].parameters.jitter == .microseconds(1) && r[3].recoverWithin == .seconds(2))
        #expect(r[4].parameters.lossModel == .gilbertElliott(p: 0.01, r: 0.5, lossBad: 1, lossGood: 0))
        #expect(r[5].parameters.rateBitsPerSecond == 10_000_000)
        #expect(r[6].parameters.count == 2 && r[6].parameters.period == .microseconds(250))
        #expect(r[7].parameters.field == .index && r[7].parameters.value == 7)
        #expect(FaultParameters(defaultsFor: .irqDelay).delay == .microseconds(100))
    }

    @Test func anEmptyPlanIsAllowed() throws {
        #expect(try FaultPlan.parse(yaml: "faults: []").rules.isEmpty)
        #expect(try FaultPlan.parse(yaml: "faults:").rules.isEmpty)
    }

    /// The error for `yaml`, which must be one.
    func error(_ yaml: String) -> FaultPlanError? {
        do { _ = try FaultPlan.parse(yaml: yaml, file: "bad.yaml"); return nil } catch { return error }
    }

    @Test(arguments: [
        // (plan, line, key, message fragment)
        ("faults:\n  - when: { at: 1ms }\n    inject: power-loss\n    colour: red\n", 4, "colour", "unknown key"),
        ("fault:\n  - when: { at: 1ms }\n", 1, "fault", "unknown key"),
        ("faults:\n  - when: { at: 1ms, soon: yes }\n    inject: power-loss\n", 2, "soon", "unknown key"),
        ("faults:\n  - when: { at: 1ms }\n    inject: all-one\n", 3, "inject", "unknown fault 'all-one'"),
        ("faults:\n  - when: { event: mmio-reed }\n    inject: all-ones\n", 2, "event", "unknown event 'mmio-reed'"),
        ("faults:\n  - when: { at: 20 ms }\n    inject: power-loss\n", 2, "at", "bad duration '20 ms'"),
        ("faults:\n  - when: { at: 20min }\n    inject: power-loss\n", 2, "at", "bad duration"),
        ("faults:\n  - when: { at: 1ms }\n    inject: link-down\n    duration: soon\n", 4, "duration", "bad duration 'soon'"),
        ("faults:\n  - when: { at: 1ms }\n    inject: media-error\n    lba: 1015-1000\n", 4, "lba", "bad range '1015-1000'"),
        ("faults:\n  - when: { at: 1ms }\n    inject: media-error\n    lba: a-b\n", 4, "lba", "bad range"),
        ("faults:\n  - when: { event: dma-write }\n    inject: all-ones\n", 3, "inject", "all-ones does not fit event dma-write"),
        ("faults:\n  - when: { event: mmio-read }\n    inject: fcs-error\n", 3, "inject", "fcs-error does not fit event mmio-read"),
        ("faults:\n  - when: { event: mmio-read }\n    inject: all-ones\n    lba: 1-2\n", 4, "lba", "not a parameter of all-ones"),
        ("faults:\n  - inject: all-ones\n", 2, "when", "missing"),
        ("faults:\n  - when: { at: 1ms }\n", 2, "inject", "missing"),
        ("faults:\n  - when: { event: dma-write, probability: 1.5 }\n    inject: bit-flip\n", 2, "probability", "not a probability"),
        ("faults:\n  - when: { event: mmio-read, nth: 0 }\n    inject: all-ones\n", 2, "nth", "at least 1"),
        ("faults:\n  - when: { event: mmio-read, nth: two }\n    inject: all-ones\n", 2, "nth", "not a whole number"),
        ("faults:\n  - when: { event: mmio-read, nth: 2, interval: 3 }\n    inject: all-ones\n", 2, "nth", "cannot be combined"),
        ("faults:\n  - when: { event: dma-read, offset: 0x10 }\n    inject: dma-drop\n", 2, "offset", "only config and register events"),
        ("faults:\n  - when: { event: mmio-read, state: odd }\n    inject: all-ones\n", 2, "state", "no entry sets state 'odd'"),
        ("faults:\n  - when: { at: 1ms }\n    inject: media-error\n", 2, "lba", "needs the sectors"),
        ("faults:\n  - when: { at: 1ms }\n    inject: power-loss\n    inject: link-down\n", 4, "inject", "given twice"),
        ("faults:\n  - when: { device: \"00:1f:3\" }\n    inject: all-ones\n", 2, "device", "not a PCI address"),
        ("faults: { a: 1 }\n", 1, "faults", "must be a list"),
        ("faults:\n  - when: [at, 1ms]\n    inject: power-loss\n", 2, "when", "must be a mapping"),
    ])
    func eachMistakeIsOneLineNamingFileLineAndKey(_ c: (String, Int, String, String)) throws {
        let e = try #require(error(c.0))
        #expect(e.line == c.1)
        #expect(e.key == c.2)
        #expect(e.description.hasPrefix("bad.yaml:\(c.1): key '\(c.2)': "))
        #expect(e.message.contains(c.3), "\(e)")
        #expect(!e.description.contains("\n"))
    }

    @Test func yamlSyntaxErrorsNameTheirLine() throws {
        let e = try #require(error("faults:\n  - when: { at: 1ms\n    inject: power-loss\n"))
        #expect(e.key == nil && e.line >= 2 && e.description.hasPrefix("bad.yaml:\(e.line): not YAML"))
    }

    @Test func anUnreadableFileIsAnError() {
        #expect(throws: FaultPlanError.self) { try FaultPlan.load(path: "/nonexistent/plan.yaml") }
    }

    @Test func valuesParseExactly() {
        #expect(PlanValues.duration("20ms") == .milliseconds(20))
        #expect(PlanValues.duration("5us") == .microseconds(5))
        #expect(PlanValues.duration("100ns") == .nanoseconds(100))
        #expect(PlanValues.duration("1s") == .seconds(1))
        #expect(PlanValues.duration("1.25ms") == .microseconds(1250))
        #expect(PlanValues.duration("1.5ps") == nil)
        #expect(PlanValues.duration("ms") == nil)
        #expect(PlanValues.range("7") == 7...7)
        #expect(PlanValues.rate("1Gbit") == 1_000_000_000)
        #expect(PlanValues.pciAddress("0001:02:1f.7") == PCIAddress(segment: 1, bus: 2, device: 0x1F, function: 7))
        #expect(PlanValues.pciAddress("00:20.0") == nil)
    }
}
