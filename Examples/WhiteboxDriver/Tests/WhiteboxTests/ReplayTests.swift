import BoxlessTesting
import Testing

/// The driver passes replay: every frame delivered byte-identical and in order, or dropped for a
/// reason the WBX-100 counts (jumbo frames: ROC).
@Suite struct ReplayTests {
    @Test func receivePasses() throws {
        let run = try Fixture.replay()
        #expect(run.passed)
        #expect(run.summary.packets_in == 200)
        #expect(run.summary.delivered + Int(run.summary.dropped.total) == 200)
        #expect(run.drops.keys.allSatisfy { $0 == "ROC" })
    }

    @Test func transmitPasses() throws {
        let run = try Fixture.replay { $0.direction = .tx }
        #expect(run.passed)
    }

    @Test func intxWorksAsWellAsMSI() throws {
        let run = try Fixture.replay { $0.driverParameters["interrupts"] = "intx" }
        #expect(run.passed)
    }

    @Test func sameSeedSameRun() throws {
        let a = try Fixture.replay(recordEventLog: true), b = try Fixture.replay(recordEventLog: true)
        #expect(a.digest == b.digest)
        #expect(a.eventLog == b.eventLog)
        #expect(a.eventLog.count == Int(a.summary.events))
    }

    @Test func aBadTraceIsAClearError() {
        let error = #expect(throws: (any Error).self) {
            try Replay.run(ReplayOptions(trace: "/nonexistent/trace.pcap", nic: "wbx100"), adding: Fixture.entries)
        }
        #expect("\(error.map { "\($0)" } ?? "")".hasPrefix("/nonexistent/trace.pcap: "))
    }
}
