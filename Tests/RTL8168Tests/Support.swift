import BoxlessPlatform
import EmulatorHost
import NativeDriverKit
import RTL8168Driver
import RTL8168Model
import Testing

/// The far end of the cable: records what the NIC puts on the wire.
final class WireRecorder: EthernetReceiver {
    var frames: [[UInt8]] = []
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { frames.append(Array(frame)) }
    func carrierChanged(_ up: Bool) {}
}

/// The driver's client: records deliveries, completions and link changes.
final class RecordingClient: NetworkClient {
    var frames: [[UInt8]] = []
    var infos: [ReceiveInfo] = []
    var completions: [(token: UInt64, success: Bool)] = []
    var links: [LinkState] = []
    func received(_ frame: UnsafeRawBufferPointer, info: ReceiveInfo) { frames.append(Array(frame)); infos.append(info) }
    func transmitCompleted(token: UInt64, success: Bool) { completions.append((token, success)) }
    func linkChanged(_ state: LinkState) { links.append(state) }
}

/// Records interrupt events of the log.
final class InterruptRecorder: EventSink {
    var interrupts: [(kind: InterruptKind, vector: UInt16, outcome: InterruptOutcome)] = []
    func record(_ event: EventRecord, at time: VirtualTime, index: UInt64) {
        if case let .interrupt(_, kind, vector, _, outcome) = event { interrupts.append((kind, vector, outcome)) }
    }
}

/// One machine with one RTL8168C in slot 4, the driver bound, and a peer port on the cable.
final class Rig {
    let machine: Machine
    let device: RTL8168Device
    let host: EmulatorHost
    let peer: EthernetPort
    let wire = WireRecorder()
    let client = RecordingClient()
    let irqs = InterruptRecorder()
    private(set) var driver: RTL8168Driver!

    static let mac: [UInt8] = [0x00, 0xE0, 0x4C, 0x68, 0x00, 0x01]
    static let peerMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]

    init(parameters: [String: String] = [:], seed: UInt64 = 1) throws {
        machine = Machine(configuration: MachineConfiguration(seed: seed, strict: true))
        machine.log.sink = irqs
        device = RTL8168Device(macAddress: Rig.mac)
        device.autoNegotiationTime = .milliseconds(5)
        machine.plug(device, at: PCIAddress(device: 4))
        host = EmulatorHost(machine: machine)
        host.driverParameters = parameters
        host.register(RTL8168Driver.self)
        peer = EthernetPort(name: "peer", machine: machine)
        try host.start()
        EthernetPort.connect(device.port, peer)
        peer.receiver = wire
        driver = host.bound.first?.instance as? RTL8168Driver
    }

    /// Opens the interface and runs until the link is up.
    func openAndWaitForLink() throws {
        let d = try #require(driver)
        let client = self.client
        try host.onCPU { () throws(DriverError) in try d.open(client: client) }
        let deadline = machine.now + .seconds(2)
        while client.links.last?.up != true, machine.scheduler.step(notAfter: deadline) {}
        #expect(client.links.last?.up == true, "link did not come up")
    }

    func run(_ d: VirtualDuration) { machine.scheduler.run(until: machine.now + d) }
    func send(_ frame: [UInt8]) { frame.withUnsafeBytes { _ = peer.send($0) } }
    func transmit(_ frame: [UInt8], token: UInt64, offload: TransmitOffload = .none) -> TransmitResult {
        let d = driver!
        return host.onCPU { frame.withUnsafeBytes { d.transmit($0, token: token, offload: offload) } }
    }
    func statistics() -> NetworkStatistics { let d = driver!; return host.onCPU { d.statistics() } }

    /// Closes, detaches, and returns the findings of the whole run.
    func finish() -> [Finding] {
        if let d = driver { host.onCPU { d.close() } }
        run(.milliseconds(1))
        host.detachAll()
        run(.milliseconds(1))
        return machine.log.findings
    }
}

/// Test frames with checksums computed here, independently of driver and model.
enum Frames {
    static func numbered(_ index: Int, length: Int, to destination: [UInt8] = Rig.mac) -> [UInt8] {
        var f = destination + Rig.peerMAC + [0x88, 0xB5]
        f += withUnsafeBytes(of: UInt32(index).bigEndian, Array.init)
        var x = UInt32(truncatingIfNeeded: index &* 2_654_435_761)
        while f.count < length { x = x &* 1_103_515_245 &+ 12_345; f.append(UInt8(truncatingIfNeeded: x >> 16)) }
        return Array(f.prefix(length))
    }

    static func sum(_ bytes: ArraySlice<UInt8>, initial: UInt32 = 0) -> UInt32 {
        var s = initial
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex { s += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1]); i += 2 }
        if i < bytes.endIndex { s += UInt32(bytes[i]) << 8 }
        while s > 0xFFFF { s = (s & 0xFFFF) + (s >> 16) }
        return s
    }
    static func be16(_ f: [UInt8], _ o: Int) -> UInt16 { UInt16(f[o]) << 8 | UInt16(f[o + 1]) }
    static func be32(_ f: [UInt8], _ o: Int) -> UInt32 { UInt32(be16(f, o)) << 16 | UInt32(be16(f, o + 2)) }

    /// IPv4 + TCP (6) or UDP (17); checksums zero unless `checksums`.
    static func ipv4(proto: UInt8, payload: [UInt8], seq: UInt32 = 1000, checksums: Bool = false,
                     destination: [UInt8] = Rig.peerMAC, source: [UInt8] = Rig.mac, flags: UInt8 = 0x18) -> [UInt8] {
        var f = destination + source + [0x08, 0x00]
        let l4Header = proto == 6 ? 20 : 8
        let total = 20 + l4Header + payload.count
        f += [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0x12, 0x34, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        if proto == 6 {
            f += [0x30, 0x39, 0x00, 0x50] + withUnsafeBytes(of: seq.bigEndian, Array.init) + [0, 0, 0, 0, 0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]
        } else {
            let ulen = 8 + payload.count
            f += [0x30, 0x39, 0x00, 0x35, UInt8(ulen >> 8), UInt8(ulen & 0xFF), 0, 0]
        }
        f += payload
        if checksums { fix(&f) }
        return f
    }

    static func fix(_ f: inout [UInt8]) {
        let l3 = 14, l4 = 34
        f[l3 + 10] = 0; f[l3 + 11] = 0
        let ipc = ~UInt16(sum(f[l3..<l4]))
        f[l3 + 10] = UInt8(ipc >> 8); f[l3 + 11] = UInt8(ipc & 0xFF)
        let proto = f[l3 + 9]
        let co = l4 + (proto == 6 ? 16 : 6)
        f[co] = 0; f[co + 1] = 0
        let end = l3 + Int(be16(f, l3 + 2))
        let c = ~UInt16(sum(f[l4..<end], initial: sum(f[(l3 + 12)..<(l3 + 20)]) + UInt32(proto) + UInt32(end - l4)))
        f[co] = UInt8(c >> 8); f[co + 1] = UInt8(c & 0xFF)
    }

    static func valid(_ f: [UInt8]) -> (ip: Bool, l4: Bool) {
        let l3 = 14, l4 = 34
        let ip = sum(f[l3..<l4]) == 0xFFFF
        let proto = f[l3 + 9]
        let end = l3 + Int(be16(f, l3 + 2))
        let l4ok = sum(f[l4..<end], initial: sum(f[(l3 + 12)..<(l3 + 20)]) + UInt32(proto) + UInt32(end - l4)) == 0xFFFF
        return (ip, l4ok)
    }
}
