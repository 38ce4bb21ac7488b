import BoxlessTesting
import Testing

/// A machine from Boxless's models and the example's own: enumerated, bound, listed as lspci does.
@Suite struct MachineTests {
    @Test func theWBX100SitsBesideAnE1000() throws {
        let m = try TestMachine(devices: ["wbx100", "e1000"], adding: Fixture.entries)
        m.run(for: .milliseconds(5))
        let listing = m.lspci(verbose: true)
        #expect(listing.contains("Whitebox WBX-100"))
        #expect(listing.contains("MSI"))
        #expect(m.bound.contains { $0.hasSuffix("whitebox") } && m.bound.contains { $0.hasSuffix("e1000") })
        #expect(m.probeFailures.isEmpty)
        m.detach()
        #expect(m.findings.isEmpty)
    }

    @Test func anUnknownModelIsAClearError() {
        #expect(throws: MachineError.self) { try TestMachine(devices: ["no-such-nic"]) }
    }

    /// Disk workloads run as values too (on Boxless's AHCI model and driver).
    @Test func aDiskWorkloadPasses() throws {
        var o = DiskOptions()
        o.operations = 200; o.size = 8 << 20
        let run = try DiskWorkload.run(o)
        #expect(run.passed)
    }
}
