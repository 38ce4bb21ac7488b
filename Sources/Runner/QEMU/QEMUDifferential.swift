import NICCore
import BoxlessPlatform
import Foundation
import NativeDriverKit
import QEMUHost

/// Differential helpers: the same driver on the emulator's model and on QEMU's, compared.
public enum QEMUDifferential {
    /// A register compared after driver initialisation (8254x SDM §13.4 / 82574 DS §10.2 offsets).
    /// Only registers whose reads have no side effect: no read-to-clear ones (ICR, statistics).
    public struct Register: Sendable, Hashable {
        /// The datasheet's name.
        public let name: String
        /// Offset in BAR 0.
        public let offset: Int
        /// Bits compared (others are configuration- or time-dependent).
        public let mask: UInt32
        public init(_ name: String, _ offset: Int, mask: UInt32 = 0xFFFF_FFFF) { self.name = name; self.offset = offset; self.mask = mask }
    }

    /// The registers compared after `open` and link-up.
    public static let e1000Registers: [Register] = [
        Register("CTRL", 0x0000), Register("STATUS", 0x0008), Register("STATUS.FD|LU|SPEED", 0x0008, mask: 0x0000_00C3),
        Register("CTRL_EXT", 0x0018), Register("VET", 0x0038), Register("ITR", 0x00C4), Register("IMS", 0x00D0),
        Register("RCTL", 0x0100), Register("TCTL", 0x0400), Register("TIPG", 0x0410),
        Register("RDLEN", 0x2808), Register("RDH", 0x2810), Register("RDT", 0x2818), Register("RDTR", 0x2820), Register("RADV", 0x282C),
        Register("TDLEN", 0x3808), Register("TDH", 0x3810), Register("TDT", 0x3818), Register("TIDV", 0x3820),
        Register("RXCSUM", 0x5000), Register("RAL0", 0x5400), Register("RAH0", 0x5404),
    ]

    /// Reads `registers` on the emulator host after the driver opened the NIC and the link came up.
    public static func emulatorRegisters(nic: String, registers: [Register] = e1000Registers) throws -> [String: UInt32] {
        let m = try BoxlessMachine(MachineSpec(slots: [.init(model: nic, device: 3)], seed: 1, strict: true))
        guard let model = m.machine.function(at: PCIAddress(device: 3))?.model as? any NICModel else { throw RunnerError.badOption("\(nic): no Ethernet model") }
        let wire = EthernetPort(name: "wire", machine: m.machine)
        EthernetPort.connect(model.port, wire)
        try m.start()
        guard let n = m.host.bound.first?.instance as? any NetworkInterface else { throw RunnerError.badOption("\(nic): no driver bound") }
        let client = ReplayClient()
        try m.host.onCPU { () throws(DriverError) in try n.open(client: client); n.setReceiveFilter(ReceiveFilter(promiscuous: true)) }
        let s = m.machine.scheduler
        let deadline = s.now + .seconds(10)
        while !client.link.up, s.step(notAfter: deadline) {}
        s.run(until: s.now + .milliseconds(10))
        guard let f = m.machine.function(at: PCIAddress(device: 3)) else { throw RunnerError.badOption("\(nic): no function") }
        let bar = f.barBase(0)
        var out: [String: UInt32] = [:]
        for r in registers { out[r.name] = UInt32(truncatingIfNeeded: m.machine.mmioRead(bar + UInt64(r.offset), width: .dword)) & r.mask }
        m.host.onCPU { n.close() }
        m.host.detachAll()
        return out
    }

    /// Reads `registers` on QEMU's model after the driver opened the NIC and the link came up.
    public static func qemuRegisters(nic: String, registers: [Register] = e1000Registers, mac: [UInt8]? = nil,
                                     binary: String = QEMUMachineSpec.defaultBinary) throws -> [String: UInt32] {
        guard let entry = DeviceCatalog.entry(named: nic), let dev = QEMUModels.nic(nic) else { throw RunnerError.badOption("--nic \(nic): not on QEMU") }
        var props: [String] = []
        if let mac { props.append("mac=" + mac.map { String(format: "%02x", $0) }.joined(separator: ":")) }
        let host = QEMUHost(machine: QEMUMachineSpec(device: dev, deviceProperties: props, binary: binary))
        host.register(entry.driver)
        defer { host.stop() }
        do { try host.start() } catch { throw QEMUModels.runnerError(error) }
        guard let n = host.bound.first?.instance as? any NetworkInterface else { throw RunnerError.badOption("\(nic) on QEMU: no driver bound") }
        let client = ReplayClient()
        try host.onCPU { () throws(DriverError) in try n.open(client: client); n.setReceiveFilter(ReceiveFilter(promiscuous: true)) }
        let deadline = host.now + .seconds(5)
        do {
            while !client.link.up, host.now < deadline { try host.advance(by: .milliseconds(1)) }
            try host.advance(by: .milliseconds(10))
        } catch { throw QEMUModels.runnerError(error) }
        var out: [String: UInt32] = [:]
        for r in registers { out[r.name] = UInt32(truncatingIfNeeded: host.registerRead(bar: 0, offset: r.offset) ?? 0xFFFF_FFFF) & r.mask }
        host.onCPU { n.close() }
        host.detachAll()
        return out
    }

    /// The station address the emulator's model of `nic` has (so QEMU can be given the same).
    public static func emulatorMAC(nic: String) throws -> [UInt8] {
        let m = try BoxlessMachine(MachineSpec(slots: [.init(model: nic, device: 3)], seed: 1))
        try m.start()
        guard let n = m.host.bound.first?.instance as? any NetworkInterface else { throw RunnerError.badOption("\(nic): no driver bound") }
        defer { m.host.detachAll() }
        return m.host.onCPU { n.macAddress.array }
    }

    /// Replays `trace` (RX) through the emulator and returns the delivered frames in order.
    public static func emulatorDelivered(trace: String, nic: String, source: (any FrameSource)? = nil,
                                         parameters: [String: String] = [:]) throws -> (ReplaySummary, [[UInt8]]) {
        var o = ReplayOptions(trace: trace, nic: nic)
        o.driverParameters = parameters
        o.timing = .lineRate
        let path = NSTemporaryDirectory() + "/boxless-diff-\(getpid())-\(UInt64.random(in: 0..<UInt64.max)).pcap"
        o.captureRX = path
        defer { unlink(path) }
        let s = try ReplayRun(o, source: source).run()
        return (s, try readFrames(path))
    }

    /// Replays `trace` (RX) through QEMU and returns the delivered frames in order.
    public static func qemuDelivered(trace: String, nic: String, source: (any FrameSource)? = nil, parameters: [String: String] = [:],
                                     binary: String = QEMUMachineSpec.defaultBinary) throws -> (ReplaySummary, [[UInt8]]) {
        var o = ReplayOptions(trace: trace, nic: nic)
        o.driverParameters = parameters
        let r = try QEMUReplayRun(o, source: source, binary: binary)
        r.keepDelivered = true
        let s = try r.run()
        return (s, r.deliveredFrames)
    }

    /// After `frames` received frames (MSI-X on the 82574): IMS and CTRL_EXT, read outside the
    /// driver, on QEMU's e1000e. Pins QEMU's auto-masking of EIAC causes (docs/QEMU-DEVIATIONS.md).
    public static func qemuIMSAfterMSIXReceive(frames: Int = 4, binary: String = QEMUMachineSpec.defaultBinary) throws -> (ims: UInt32, ctrlExt: UInt32, delivered: Int) {
        let host = QEMUHost(machine: QEMUMachineSpec(device: "e1000e", binary: binary))
        host.driverParameters["interrupts"] = "msix"
        host.register(DeviceCatalog.entry(named: "e1000e")!.driver)
        defer { host.stop() }
        do { try host.start() } catch { throw QEMUModels.runnerError(error) }
        guard let n = host.bound.first(where: { $0.location.device == host.spec.slot })?.instance as? any NetworkInterface,
              let peer = host.network else { throw RunnerError.badOption("e1000e on QEMU: no driver bound") }
        let client = ReplayClient()
        var delivered = 0
        client.onReceive = { _, _ in delivered += 1 }
        try host.onCPU { () throws(DriverError) in try n.open(client: client); n.setReceiveFilter(ReceiveFilter(promiscuous: true)) }
        do {
            let deadline = host.now + .seconds(5)
            while !client.link.up, host.now < deadline { try host.advance(by: .milliseconds(1)) }
            for i in 0..<frames {
                try peer.send([0x52, 0x54, 0, 0x12, 0x34, 0x56, 2, 0, 0, 0, 0, 2, 0x88, 0xB5] + [UInt8](repeating: UInt8(i), count: 50))
            }
            let d2 = host.now + .milliseconds(500)
            while host.now < d2 { try host.advance(by: .milliseconds(1)) }
        } catch { throw QEMUModels.runnerError(error) }
        let ims = UInt32(truncatingIfNeeded: host.registerRead(bar: 0, offset: 0x00D0) ?? 0xFFFF_FFFF)
        let ext = UInt32(truncatingIfNeeded: host.registerRead(bar: 0, offset: 0x0018) ?? 0xFFFF_FFFF)
        host.onCPU { n.close() }
        host.detachAll()
        return (ims, ext, delivered)
    }

    /// The same on the emulator's 82574L model.
    public static func emulatorIMSAfterMSIXReceive(frames: Int = 4) throws -> (ims: UInt32, ctrlExt: UInt32, delivered: Int) {
        let m = try BoxlessMachine(MachineSpec(slots: [.init(model: "e1000e", device: 3)], seed: 1, strict: true,
                                               driverParameters: ["interrupts": "msix"]))
        guard let fmodel = m.machine.function(at: PCIAddress(device: 3))?.model as? any NICModel else { throw RunnerError.badOption("no model") }
        let wire = EthernetPort(name: "wire", machine: m.machine)
        EthernetPort.connect(fmodel.port, wire)
        try m.start()
        guard let n = m.host.bound.first?.instance as? any NetworkInterface else { throw RunnerError.badOption("e1000e: no driver bound") }
        let client = ReplayClient()
        var delivered = 0
        client.onReceive = { _, _ in delivered += 1 }
        try m.host.onCPU { () throws(DriverError) in try n.open(client: client); n.setReceiveFilter(ReceiveFilter(promiscuous: true)) }
        let s = m.machine.scheduler
        let deadline = s.now + .seconds(10)
        while !client.link.up, s.step(notAfter: deadline) {}
        for i in 0..<frames {
            let f = [0x52, 0x54, 0, 0x12, 0x34, 0x56, 2, 0, 0, 0, 0, 2, 0x88, 0xB5] + [UInt8](repeating: UInt8(i), count: 50)
            f.withUnsafeBytes { _ = wire.send($0, notBefore: s.now) }
        }
        s.run(until: s.now + .milliseconds(50))
        let bar = m.machine.function(at: PCIAddress(device: 3))!.barBase(0)
        let ims = UInt32(truncatingIfNeeded: m.machine.mmioRead(bar + 0xD0, width: .dword))
        let ext = UInt32(truncatingIfNeeded: m.machine.mmioRead(bar + 0x18, width: .dword))
        m.host.onCPU { n.close() }
        m.host.detachAll()
        return (ims, ext, delivered)
    }

    static func readFrames(_ path: String) throws -> [[UInt8]] {
        let src = try PcapFrameSource(path: path)
        var out: [[UInt8]] = []
        while let f = try src.next() { out.append(f.bytes) }
        return out
    }
}

/// `boxless bench` on the QEMU host: frames/s through QEMU's NIC model and our driver (RX, paced).
public enum QEMUReplayBench {
    /// One measurement (`wall_ns`: the traffic alone, after QEMU's link-up).
    public struct Result: Codable, Sendable {
        public var nic: String
        public var frameSize: Int
        public var frames: Int
        public var delivered: Int
        public var wall_ns: UInt64
        public var frames_per_second: Double
        public var qtest_commands: UInt64
        public var passed: Bool
    }

    /// Replays `frames` generated frames of 64 or 1514 bytes into QEMU's `nic` and times it.
    public static func run(nic: String = "e1000", size: Int, frames: Int, window: Int? = nil,
                           binary: String = QEMUMachineSpec.defaultBinary) throws -> Result {
        var g = TraceGenerator(kind: size <= 64 ? .min : .max, seed: 1)
        let src = RepeatingFrameSource(name: "generated \(size)-byte frames", frame: g.next().bytes, count: frames)
        var o = ReplayOptions(trace: "", nic: nic)
        o.timing = .lineRate
        let r = try QEMUReplayRun(o, source: src, binary: binary)
        if let window { r.window = window }
        let s = try r.run()
        let wallNs = DiskRun.nanoseconds(r.trafficWall)
        let wall = Double(wallNs) / 1e9
        return Result(nic: nic, frameSize: size, frames: s.packets_in, delivered: s.delivered, wall_ns: wallNs,
                      frames_per_second: Double(s.delivered) / max(wall, 1e-9), qtest_commands: s.events, passed: s.passed)
    }
}
