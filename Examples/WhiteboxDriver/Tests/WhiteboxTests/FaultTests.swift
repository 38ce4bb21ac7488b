import BoxlessTesting
import Testing

/// Fault plans (the `--faults` YAML): the driver copes with lost interrupts (its 1 ms watchdog
/// runs the bottom half) and frames lost on the link are accounted to the fault.
@Suite struct FaultTests {
    @Test func lostInterruptsAreRecovered() throws {
        let plan = try FaultPlan.parse(yaml: """
            faults:
              - when: { event: interrupt, interval: 3 }
                inject: irq-drop
                recover-within: 5ms
            """, file: "irq-drop.yaml")
        let run = try Fixture.replay { $0.faults = plan }
        #expect(run.passed)
        #expect((run.summary.faults?.total ?? 0) > 0)
    }

    @Test func framesLostOnTheLinkAreAccountedToTheFault() throws {
        let plan = try FaultPlan.parse(yaml: """
            faults:
              - when: { event: rx-frame, interval: 10 }
                inject: loss
            """, file: "loss.yaml")
        let run = try Fixture.replay { $0.faults = plan }
        #expect(run.passed)
        #expect((run.summary.lost_to_faults ?? 0) > 0)
    }

    @Test func aBadPlanIsAClearError() {
        #expect(throws: FaultPlanError.self) { try FaultPlan.parse(yaml: "faults:\n  - inject: no-such-fault\n", file: "bad.yaml") }
    }
}
