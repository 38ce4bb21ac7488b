import BoxlessTesting
import Testing

/// A planted bug is caught: with `bug=short-rx` the driver delivers every frame four bytes short,
/// and the replay check fails the run, naming the first mismatch.
@Suite struct PlantedBugTests {
    @Test func shortFramesAreCaught() throws {
        let run = try Fixture.replay { $0.driverParameters["bug"] = "short-rx" }
        #expect(!run.passed)
        #expect(run.summary.mismatched > 0)
        #expect(run.failures.contains { $0.contains("differ from what was sent") })
    }

    @Test func anUnknownBugIsAProbeError() {
        #expect(throws: RunnerError.self) { try Fixture.replay { $0.driverParameters["bug"] = "no-such-bug" } }
    }
}
