import NICCore
import BoxlessPlatform
import Foundation
import NativeDriverKit
import QEMUHost

/// Differential helpers: the same driver on the emulator's model and on QEMU's, compared.
public enum QEMUDifferential {
    /// The registers compared after `open` and link-up: the catalog entry's diagnostic registers.
    static func registers(of nic: String) throws -> [DiagnosticRegister] {
        guard let e = DeviceCatalog.entry(named: nic) else { throw RunnerError.badOption("--nic \(nic): \(MachineError.unknownModel(nic))") }
        return e.diagnosticRegisters
    }

    /// A started emulator machine with `nic` at 00:03.0, a wire on its port and its driver bound.
    private static func openOnEmulator(nic: String, parameters: [String: String]) throws -> (BoxlessMachine, any NICModel, any NetworkInterface, EthernetPort) {
        let m = try BoxlessMachine(MachineSpec(slots: [.init(model: nic, device: 3)], seed: 1, strict: true, driverParameters: parameters))
        guard let model = m.machine.function(at: PCIAddress(device: 3))?.model as? any NICModel else { throw RunnerError.badOption("--nic \(nic) is not a network device") }
        let wire = EthernetPort(name: "wire", machine: m.machine, timing: model.port.timing)
        EthernetPort.connect(model.port, wire)
        try m.start()
        guard let n = m.host.bound.first?.instance as? any NetworkInterface else { throw RunnerError.probeFailed("\(nic): no driver bound") }
        return (m, model, n, wire)
    }

    /// Reads `registers` on the emulator host after the driver opened the NIC and the link came up.
    public static func emulatorRegisters(nic: String, registers: [DiagnosticRegister]? = nil) throws -> [String: UInt32] {
        let registers = try registers ?? Self.registers(of: nic)
        let (m, _, n, wire) = try openOnEmulator(nic: nic, parameters: [:])
        let client = ReplayClient()
        try m.host.onCPU { () throws(DriverError) in try n.open(client: client); n.setReceiveFilter(ReceiveFilter(promiscuous: true)) }
        let s = m.machine.scheduler
        let deadline = s.now + .seconds(10)
        while !client.link.up, s.step(notAfter: deadline) {}
        s.run(until: s.now + .milliseconds(10))
        guard let f = m.machine.function(at: PCIAddress(device: 3)) else { throw RunnerError.probeFailed("\(nic): no function at slot 3") }
        var out: [String: UInt32] = [:]
        for r in registers { out[r.name] = UInt32(truncatingIfNeeded: m.machine.mmioRead(f.barBase(r.bar) + UInt64(r.offset), width: .dword)) & r.mask }
        m.host.onCPU { n.close() }
        m.host.detachAll()
        return out
    }

    /// Reads `registers` on QEMU's model after the driver opened the NIC and the link came up.
    public static func qemuRegisters(nic: String, registers: [DiagnosticRegister]? = nil, mac: [UInt8]? = nil,
                                     binary: String = QEMUMachineSpec.defaultBinary) throws -> [String: UInt32] {
        let registers = try registers ?? Self.registers(of: nic)
        let entry = try QEMUModels.entry(nic)
        let dev = entry.qemuDevice!
        var props: [String] = []
        if let mac { props.append("mac=" + mac.map { String(format: "%02x", $0) }.joined(separator: ":")) }
        let host = QEMUHost(machine: QEMUMachineSpec(device: dev, deviceProperties: props, binary: binary))
        host.register(entry.driver)
        defer { host.stop() }
        do { try host.start() } catch { throw QEMUModels.runnerError(error) }
        guard let n = host.bound.first?.instance as? any NetworkInterface else { throw RunnerError.probeFailed("\(nic) on QEMU: no driver bound") }
        let client = ReplayClient()
        try host.onCPU { () throws(DriverError) in try n.open(client: client); n.setReceiveFilter(ReceiveFilter(promiscuous: true)) }
        let deadline = host.now + .seconds(5)
        do {
            while !client.link.up, host.now < deadline { try host.advance(by: .milliseconds(1)) }
            try host.advance(by: .milliseconds(10))
        } catch { throw QEMUModels.runnerError(error) }
        var out: [String: UInt32] = [:]
        for r in registers { out[r.name] = UInt32(truncatingIfNeeded: host.registerRead(bar: r.bar, offset: r.offset) ?? 0xFFFF_FFFF) & r.mask }
        host.onCPU { n.close() }
        host.detachAll()
        return out
    }

    /// The station address the emulator's model of `nic` has (so QEMU can be given the same).
    public static func emulatorMAC(nic: String) throws -> [UInt8] {
        let m = try BoxlessMachine(MachineSpec(slots: [.init(model: nic, device: 3)], seed: 1))
        try m.start()
        guard let n = m.host.bound.first?.instance as? any NetworkInterface else { throw RunnerError.probeFailed("\(nic): no driver bound") }
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

    /// A short test frame to the model's station address (EtherType 0x88B5, local experimental).
    static func testFrame(_ i: Int, to mac: [UInt8]) -> [UInt8] {
        mac + [2, 0, 0, 0, 0, 2, 0x88, 0xB5] + [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 50)
    }

    /// On QEMU's model of `nic`: after `frames` received frames with driver `parameters`, the
    /// `registers` read outside the driver, and how many frames the driver delivered.
    public static func qemuRegistersAfterReceive(nic: String, frames: Int = 4, parameters: [String: String] = [:],
                                                 registers: [DiagnosticRegister],
                                                 binary: String = QEMUMachineSpec.defaultBinary) throws -> (registers: [String: UInt32], delivered: Int) {
        let entry = try QEMUModels.entry(nic)
        let host = QEMUHost(machine: QEMUMachineSpec(device: entry.qemuDevice!, binary: binary))
        host.driverParameters = parameters
        host.register(entry.driver)
        defer { host.stop() }
        do { try host.start() } catch { throw QEMUModels.runnerError(error) }
        guard let n = host.bound.first(where: { $0.location.device == host.spec.slot })?.instance as? any NetworkInterface,
              let peer = host.network else { throw RunnerError.probeFailed("\(nic) on QEMU: no driver bound") }
        let client = ReplayClient()
        var delivered = 0
        client.onReceive = { _, _ in delivered += 1 }
        try host.onCPU { () throws(DriverError) in try n.open(client: client); n.setReceiveFilter(ReceiveFilter(promiscuous: true)) }
        let mac = host.onCPU { n.macAddress.array }
        do {
            let deadline = host.now + .seconds(5)
            while !client.link.up, host.now < deadline { try host.advance(by: .milliseconds(1)) }
            for i in 0..<frames { try peer.send(testFrame(i, to: mac)) }
            let d2 = host.now + .milliseconds(500)
            while host.now < d2 { try host.advance(by: .milliseconds(1)) }
        } catch { throw QEMUModels.runnerError(error) }
        var out: [String: UInt32] = [:]
        for r in registers { out[r.name] = UInt32(truncatingIfNeeded: host.registerRead(bar: r.bar, offset: r.offset) ?? 0xFFFF_FFFF) & r.mask }
        host.onCPU { n.close() }
        host.detachAll()
        return (out, delivered)
    }

    /// The same on the emulator's model of `nic`.
    public static func emulatorRegistersAfterReceive(nic: String, frames: Int = 4, parameters: [String: String] = [:],
                                                     registers: [DiagnosticRegister]) throws -> (registers: [String: UInt32], delivered: Int) {
        let (m, fmodel, n, wire) = try openOnEmulator(nic: nic, parameters: parameters)
        let client = ReplayClient()
        var delivered = 0
        client.onReceive = { _, _ in delivered += 1 }
        try m.host.onCPU { () throws(DriverError) in try n.open(client: client); n.setReceiveFilter(ReceiveFilter(promiscuous: true)) }
        let s = m.machine.scheduler
        let deadline = s.now + .seconds(10)
        while !client.link.up, s.step(notAfter: deadline) {}
        for i in 0..<frames { testFrame(i, to: fmodel.macAddress).withUnsafeBytes { _ = wire.send($0, notBefore: s.now) } }
        s.run(until: s.now + .milliseconds(50))
        let f = m.machine.function(at: PCIAddress(device: 3))!
        var out: [String: UInt32] = [:]
        for r in registers { out[r.name] = UInt32(truncatingIfNeeded: m.machine.mmioRead(f.barBase(r.bar) + UInt64(r.offset), width: .dword)) & r.mask }
        m.host.onCPU { n.close() }
        m.host.detachAll()
        return (out, delivered)
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
