import BoxlessTesting
import Testing
import WBX100Model

/// Strict mode: the WBX-100 reports what its datasheet forbids. The driver breaks §4.3 on
/// purpose (`bug=ring-while-enabled`: the receiver enabled before its ring is programmed).
@Suite struct StrictTests {
    @Test func theCorrectDriverBreaksNoRule() throws {
        let run = try Fixture.replay()
        #expect(run.findings.isEmpty)
        for rule in WBX100Rule.allCases { #expect(!run.breaks(rule)) }
    }

    @Test func programmingTheRingWhileEnabledIsAFinding() throws {
        let run = try Fixture.replay { $0.driverParameters["bug"] = "ring-while-enabled" }
        #expect(!run.passed)
        #expect(run.breaks(WBX100Rule.ringWrittenWhileEnabled))
        #expect(run.firstFinding?.contains("WBX-100 datasheet §4.3") == true)
        #expect(run.description.hasPrefix("FAILED"))
    }

    @Test func lenientModeForgivesIt() throws {
        let run = try Fixture.replay { $0.driverParameters["bug"] = "ring-while-enabled"; $0.strict = false }
        #expect(run.passed)
    }
}
