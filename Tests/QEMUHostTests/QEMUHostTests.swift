import BoxlessPlatform
import E1000Driver
import Foundation
import NativeDriverKit
import QEMUHost
import Testing

@Suite("QEMU host (real QEMU)", .serialized, .enabled(if: qemuInstalled, Comment(rawValue: qemuMissing)))
struct QEMUHostTests {
    @Test func missingBinaryIsOneClearError() {
        let host = QEMUHost(machine: QEMUMachineSpec(device: "e1000", binary: "/nonexistent/qemu-system-x86_64"))
        #expect(throws: QEMUHostError.binaryMissing(path: "/nonexistent/qemu-system-x86_64")) { try host.start() }
    }

    @Test func badDeviceIsAStartFailureWithQEMUsMessage() {
        let host = QEMUHost(machine: QEMUMachineSpec(device: "no-such-device"))
        do {
            try host.start()
            Issue.record("started with a device QEMU does not have")
        } catch {
            guard case let .startFailed(binary, _, stderr) = error else { Issue.record("\(error)"); return }
            #expect(binary == QEMUMachineSpec.defaultBinary)
            #expect(stderr.contains("no-such-device"))
        }
    }

    @Test func enumeratesQ35WithAnE1000() throws {
        let host = QEMUHost(machine: QEMUMachineSpec(device: "e1000"))
        try host.start()
        defer { host.stop() }
        let ids = host.enumerated.map { ($0.vendorID, $0.deviceID) }
        #expect(ids.contains { $0 == (0x8086, 0x29C0) })                       // q35 MCH
        let nic = try #require(host.enumerated.first { $0.address == PCIAddress(device: 3) })
        #expect((nic.vendorID, nic.deviceID) == (0x8086, 0x100E))
        #expect(nic.classCode == 0x02_0000)
        let bar0 = try #require(nic.bars.first { $0.index == 0 })
        #expect(bar0.kind.isMemory && bar0.size == 128 * 1024 && bar0.base >= 0xC000_0000)
        let bar1 = try #require(nic.bars.first { $0.index == 1 })
        #expect(bar1.kind == .io && bar1.size == 64 && bar1.base >= 0xC000)
        #expect(nic.interruptPin == 1 && nic.interruptLine == 23)
        #expect(host.bound.isEmpty)
    }

    @Test func tinyDriverReadsRegistersAndTakesINTx() throws {
        let host = QEMUHost(machine: QEMUMachineSpec(device: "e1000"))
        host.register(RegisterProbeDriver.self)
        try host.start()
        defer { host.stop() }
        let d = try #require(host.bound.first?.instance as? RegisterProbeDriver)
        #expect(d.mac == qemuDefaultMAC)
        #expect(d.status & 0x2 != 0)                                           // STATUS.LU
        #expect(d.allocation == InterruptAllocation(mode: .intx, vectorCount: 1))
        #expect(host.registerRead(bar: 0, offset: RegisterProbeDriver.Reg.status) == UInt64(d.status))
        host.onCPU { d.raise() }
        #expect(try host.run(for: .milliseconds(500)) { d.interrupts > 0 })
        host.detachAll()
        #expect(host.warnings.isEmpty, "\(host.warnings)")
    }

    @Test func tinyDriverTakesMSIXOnE1000e() throws {
        let host = QEMUHost(machine: QEMUMachineSpec(device: "e1000e"))
        host.driverParameters["interrupts"] = "msix"
        host.register(RegisterProbeDriver.self)
        try host.start()
        defer { host.stop() }
        let d = try #require(host.bound.first?.instance as? RegisterProbeDriver)
        #expect(d.mac == qemuDefaultMAC)
        #expect(d.allocation.mode == .msix)
        host.onCPU { d.raise() }
        #expect(try host.run(for: .milliseconds(500)) { d.interrupts > 0 })
        host.detachAll()
        #expect(host.warnings.isEmpty, "\(host.warnings)")
    }

    func e1000Traffic(device: String, interrupts: String? = nil, expectMode: String) throws {
        let host = QEMUHost(machine: QEMUMachineSpec(device: device))
        if let interrupts { host.driverParameters["interrupts"] = interrupts }
        host.register(E1000Driver.self)
        try host.start()
        defer { host.stop() }
        #expect(host.probeFailures.isEmpty, "\(host.probeFailures.map(\.error))")
        let nic = try #require(host.bound.first?.instance as? any NetworkInterface)
        #expect(nic.macAddress.array == qemuDefaultMAC)
        #expect(host.log.contains { $0.message.hasPrefix("interrupts: \(expectMode) ") })
        let client = RecordingClient()
        try host.onCPU { () throws(DriverError) in try nic.open(client: client) }
        #expect(try host.run(for: .seconds(5)) { host.onCPU { nic.linkState.up } })

        // Receive: frames sent into the netdev socket reach the client, in order, byte-identical.
        let peer = try #require(host.network)
        let rx = (0..<3).map { testFrame(to: qemuDefaultMAC, length: 64 + 100 * $0, seed: UInt8($0)) }
        for f in rx { try peer.send(f) }
        #expect(try host.run(for: .seconds(2)) { client.frames.count >= rx.count })
        #expect(client.frames == rx)

        // Transmit: a frame handed to the driver comes out of the socket.
        let tx = testFrame(to: [0x02, 0, 0, 0, 0, 0x02], length: 100, seed: 9)
        let r = tx.withUnsafeBytes { b in host.onCPU { nic.transmit(b, token: 7, offload: .none) } }
        #expect(r == .queued)
        var out: [UInt8]?
        #expect(try host.run(for: .seconds(2)) { out = out ?? peer.receive(); return out != nil && !client.completions.isEmpty })
        #expect(out == tx)
        #expect(client.completions.first?.token == 7 && client.completions.first?.success == true)

        host.onCPU { nic.close() }
        host.detachAll()
        #expect(host.warnings.isEmpty, "\(host.warnings)")
        #expect(host.log.filter { $0.level == .error }.isEmpty, "\(host.log.filter { $0.level == .error }.map(\.message))")
    }

    @Test func e1000DriverMovesTrafficOnQEMUsE1000() throws { try e1000Traffic(device: "e1000", expectMode: "intx") }

    @Test(arguments: [("auto", "msix"), ("msi", "msi"), ("intx", "intx")])
    func e1000DriverMovesTrafficOnQEMUsE1000e(interrupts: String, mode: String) throws {
        try e1000Traffic(device: "e1000e", interrupts: interrupts, expectMode: mode)
    }
}
