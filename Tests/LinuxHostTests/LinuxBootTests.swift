import AHCIModel
import BoxlessPlatform
import BoxlessRunner
import E1000Model
import LinuxHost
import Testing

/// Boots a guest on `model`, runs `script`, and returns the session (closed by the caller).
func bootGuest(_ models: [any PCIDeviceModel], script: String, timeout: Double = 90, sink: (any EventSink)? = nil) throws -> LinuxSession {
    let s = try LinuxSession(models: models, files: try LinuxGuestFiles.locate())
    s.machine.log.sink = sink
    try s.boot(LinuxGuestImage(script: script))
    let done = try s.waitForDone(timeoutSeconds: timeout)
    if !done || !s.kernelProblems.isEmpty {
        print("---- guest kernel log ----\n" + s.kernelLog.joined(separator: "\n"))
        print("---- agent ----\n" + s.reports.joined(separator: "\n"))
    }
    #expect(done, "the guest did not finish its script")
    return s
}

/// Collects the port (I/O space) register writes a guest made.
final class PortWrites: EventSink {
    var writes: [(offset: UInt64, value: UInt64)] = []
    func record(_ event: EventRecord, at time: VirtualTime, index: UInt64) {
        if case .registerWrite(_, .io, _, let offset, _, let value) = event { writes.append((offset, value)) }
    }
}

@Suite("Linux host: the real Linux drivers bind to Boxless's models", .enabled(if: umlAvailable, Comment(rawValue: umlMissing)))
struct LinuxBindTests {
    @Test("Linux's e1000 binds to the 82540EM (INTx) and the link comes up at 1000 Mb/s full duplex")
    func e1000() throws {
        let io = PortWrites()
        let s = try bootGuest([E1000Device(chip: .i82540EM)], script: LinuxJobScripts.networkUpForTests + LinuxJobScripts.reportPCIForTests,
                              sink: io)
        defer { s.close() }
        #expect(s.reports("IFACE").first?.hasSuffix(" e1000") == true)
        #expect(s.reports("LINK") == ["1000 full"])
        #expect(s.reports("PCI") == ["0x8086:0x100e e1000 intx"])
        #expect(s.kernelProblems == [])
        #expect(s.findings == [])
        // Linux's e1000 resets the 82540EM through its I/O BAR (IOADDR = CTRL, IODATA = CTRL.RST;
        // 8254x SDM §13.2.1): the port accesses reach the model's I/O window.
        #expect(io.writes.contains { $0.offset == 0 && $0.value == 0 })
        #expect(io.writes.contains { $0.offset == 4 && $0.value & 1 << 26 != 0 })
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
    }

    @Test("device DMA reaches exactly the guest's RAM: inside it works, past its end it is an IOMMU fault and a finding")
    func dmaIsConfinedToGuestMemory() throws {
        let s = try bootGuest([E1000Device(chip: .i82574L)], script: LinuxJobScripts.networkUpForTests)
        defer { s.close() }
        let f = try #require(s.machine.functions.first)
        // The guest shares its RAM from the end of the kernel image (UML's reserved low memory is
        // not in the vhost-user memory table) to mem=256M; the function's IOMMU maps that range.
        let shared = try #require(s.host.devices.first?.connection.memory.guestRanges.first)
        #expect(shared.guestAddress + shared.size == 256 << 20)
        var word = [UInt8](repeating: 0, count: 8)
        let inside = word.withUnsafeMutableBytes { f.dmaRead(BusAddress(shared.guestAddress + 0x1000), into: $0) }
        #expect(inside == .ok)
        #expect(s.findings == [])
        let past = word.withUnsafeMutableBytes { f.dmaRead(BusAddress(256 << 20), into: $0) }   // mem=256M
        #expect(past == .iommuFault)
        #expect(word == [UInt8](repeating: 0xFF, count: 8))
        let below = word.withUnsafeMutableBytes { f.dmaRead(BusAddress(0x1000), into: $0) }        // the guest kernel's own
        #expect(below == .iommuFault)
        #expect(s.findings.count == 2)
        #expect(s.findings.allSatisfy { $0.contains("dma.unmapped") })
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
    }
}
