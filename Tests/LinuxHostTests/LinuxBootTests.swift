import AHCIModel
import BoxlessPlatform
import BoxlessRunner
import E1000Model
import LinuxHost
import Testing

/// Boots a guest on `model`, runs `script`, and returns the session (closed by the caller).
func bootGuest(_ models: [any PCIDeviceModel], script: String, timeout: Double = 90) throws -> LinuxSession {
    let s = try LinuxSession(models: models, files: try LinuxGuestFiles.locate())
    try s.boot(LinuxGuestImage(script: script))
    let done = try s.waitForDone(timeoutSeconds: timeout)
    if !done || !s.kernelProblems.isEmpty {
        print("---- guest kernel log ----\n" + s.kernelLog.joined(separator: "\n"))
        print("---- agent ----\n" + s.reports.joined(separator: "\n"))
    }
    #expect(done, "the guest did not finish its script")
    return s
}

@Suite("Linux host: the real Linux drivers bind to Boxless's models")
struct LinuxBindTests {
    @Test("Linux's e1000 binds to the 82540EM (INTx) and the link comes up at 1000 Mb/s full duplex")
    func e1000() throws {
        let s = try bootGuest([E1000Device(chip: .i82540EM)], script: LinuxJobScripts.networkUpForTests + LinuxJobScripts.reportPCIForTests)
        defer { s.close() }
        #expect(s.reports("IFACE").first?.hasSuffix(" e1000") == true)
        #expect(s.reports("LINK") == ["1000 full"])
        #expect(s.reports("PCI") == ["0x8086:0x100e e1000 intx"])
        #expect(s.kernelProblems == [])
        #expect(s.findings == [])
        // UML has no port I/O: Linux's e1000 resets the 8254x through IOADDR/IODATA (a known limitation).
        #expect(s.hostLimitations.allSatisfy { $0.hasPrefix("port I/O") })
    }

    @Test("Linux's e1000e binds to the 82574L using MSI-X and the link comes up")
    func e1000e() throws {
        let s = try bootGuest([E1000Device(chip: .i82574L)], script: LinuxJobScripts.networkUpForTests + LinuxJobScripts.reportPCIForTests)
        defer { s.close() }
        #expect(s.reports("IFACE").first?.hasSuffix(" e1000e") == true)
        #expect(s.reports("LINK") == ["1000 full"])
        #expect(s.reports("PCI").first?.hasPrefix("0x8086:0x10d3 e1000e msix") == true)
        #expect(s.kernelProblems == [])
        #expect(s.findings == [])
        #expect(s.hostLimitations.allSatisfy { $0.hasPrefix("port I/O") })   // the unassigned I/O BAR
    }

    @Test("Linux's ahci binds to the AHCI model using MSI and finds the disk")
    func ahci() throws {
        let disk = SATADisk(backend: MemoryBackend(sectors: 131_072))
        let s = try bootGuest([AHCIController(ports: [disk])], script: LinuxJobScripts.reportPCIForTests + """
            i=0; while [ ! -e /sys/block/sda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
            say DISK $(cat /sys/block/sda/size 2>/dev/null)
            """)
        defer { s.close() }
        #expect(s.reports("PCI").first?.hasPrefix("0x8086:0x2922 ahci msi") == true)
        #expect(s.reports("DISK") == ["131072"])
        #expect(s.kernelProblems == [])
        #expect(s.findings == [])
        #expect(s.hostLimitations.allSatisfy { $0.hasPrefix("port I/O") })   // the unassigned I/O BAR
    }
}
