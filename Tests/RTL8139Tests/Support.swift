import BoxlessPlatform
import EmulatorHost
import NativeDriverKit
import RTL8139Driver
import RTL8139Model
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

/// One machine with one RTL8139 in slot 3, the driver bound, and a peer port on the cable.
final class Rig {
    let machine: Machine
    let device: RTL8139Device
    let host: EmulatorHost
    let peer: EthernetPort
    let wire = WireRecorder()
    let client = RecordingClient()
    private(set) var driver: RTL8139Driver!

    static let defaultMAC: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
    static let peerMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]

    init(chip: RTL8139Chip, parameters: [String: String] = [:], mac: [UInt8] = Rig.defaultMAC) throws {
        machine = Machine(configuration: MachineConfiguration(seed: 1, strict: true))
        device = RTL8139Device(chip: chip, macAddress: mac)
        device.autoNegotiationTime = .milliseconds(2)
        machine.plug(device, at: PCIAddress(device: 3))
        host = EmulatorHost(machine: machine)
        host.driverParameters = parameters
        host.register(RTL8139Driver.self)
        peer = EthernetPort(name: "peer", machine: machine, timing: .fastEthernet)
        try host.start()
        EthernetPort.connect(device.port, peer)
        peer.receiver = wire
        driver = host.bound.first?.instance as? RTL8139Driver
    }

    func openAndWaitForLink() throws {
        let d = try #require(driver)
        let client = self.client
        try host.onCPU { () throws(DriverError) in try d.open(client: client) }
        let deadline = machine.now + .seconds(1)
        while client.links.last?.up != true, machine.scheduler.step(notAfter: deadline) {}
        #expect(client.links.last?.up == true, "link did not come up")
    }

    func run(_ d: VirtualDuration) { machine.scheduler.run(until: machine.now + d) }
    func send(_ frame: [UInt8]) { frame.withUnsafeBytes { _ = peer.send($0) } }
    func transmit(_ frame: [UInt8], token: UInt64, offload: TransmitOffload = .none) -> TransmitResult {
        let d = driver!
        return host.onCPU { frame.withUnsafeBytes { d.transmit($0, token: token, offload: offload) } }
    }

    /// Closes, detaches, and returns the findings of the whole run.
    func finish() -> [Finding] {
        if let d = driver { host.onCPU { d.close() } }
        run(.milliseconds(1))
        host.detachAll()
        run(.milliseconds(1))
        return machine.log.findings
    }
}

enum Frames {
    /// A frame of `length` bytes to `destination`, EtherType 88B5h, numbered payload.
    static func numbered(_ index: Int, length: Int, to destination: [UInt8] = Rig.defaultMAC) -> [UInt8] {
        var f = destination + Rig.peerMAC + [0x88, 0xB5]
        f += withUnsafeBytes(of: UInt32(index).bigEndian, Array.init)
        var x = UInt32(truncatingIfNeeded: index &* 2_654_435_761)
        while f.count < length { x = x &* 1_103_515_245 &+ 12_345; f.append(UInt8(truncatingIfNeeded: x >> 16)) }
        return Array(f.prefix(length))
    }

    static func sum(_ b: ArraySlice<UInt8>, initial: UInt32 = 0) -> UInt32 {
        var s = initial, i = b.startIndex
        while i + 1 < b.endIndex { s += UInt32(b[i]) << 8 | UInt32(b[i + 1]); i += 2 }
        if i < b.endIndex { s += UInt32(b[i]) << 8 }
        while s > 0xFFFF { s = (s & 0xFFFF) + (s >> 16) }
        return s
    }

    /// A UDP/IPv4 frame with `payload`; checksums correct when `checksums`, else zero.
    static func udp(payload: [UInt8], checksums: Bool, destination: [UInt8]) -> [UInt8] {
        var f = destination + Rig.peerMAC + [0x08, 0x00]
        let total = 28 + payload.count
        f += [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        f += [0x30, 0x39, 0x00, 0x35, UInt8((8 + payload.count) >> 8), UInt8((8 + payload.count) & 0xFF), 0, 0] + payload
        if checksums {
            let ipc = ~UInt16(sum(f[14..<34])); f[24] = UInt8(ipc >> 8); f[25] = UInt8(ipc & 0xFF)
            let c = ~UInt16(sum(f[34...], initial: sum(f[26..<34]) + 17 + UInt32(8 + payload.count)))
            f[40] = UInt8(c >> 8); f[41] = UInt8(c & 0xFF)
        }
        return f
    }

    /// Whether a UDP/IPv4 frame's checksums verify.
    static func valid(_ f: [UInt8]) -> Bool {
        let l4 = 8 + Int(be16(f, 38) - 8)
        return sum(f[14..<34]) == 0xFFFF && sum(f[34..<(34 + l4)], initial: sum(f[26..<34]) + 17 + UInt32(l4)) == 0xFFFF
    }
    static func be16(_ f: [UInt8], _ o: Int) -> UInt16 { UInt16(f[o]) << 8 | UInt16(f[o + 1]) }
}

extension Frames {
    /// A TCP/IPv4 frame (ACK | PSH | FIN, sequence 1000, IP ID 77h) with zero checksums.
    static func tcp(payload: [UInt8], destination: [UInt8]) -> [UInt8] {
        var f = destination + Rig.peerMAC + [0x08, 0x00]
        let total = 40 + payload.count
        f += [0x45, 0, UInt8(total >> 8 & 0xFF), UInt8(total & 0xFF), 0x00, 0x77, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        f += [0x30, 0x39, 0x00, 0x50, 0, 0, 0x03, 0xE8, 0, 0, 0, 1, 0x50, 0x19, 0xFF, 0xFF, 0, 0, 0, 0] + payload
        return f
    }

    /// Whether a TCP/IPv4 frame's IPv4 and TCP checksums verify.
    static func validTCP(_ f: [UInt8]) -> Bool {
        let l4 = Int(be16(f, 16)) - 20
        return sum(f[14..<34]) == 0xFFFF && sum(f[34..<(34 + l4)], initial: sum(f[26..<34]) + 6 + UInt32(l4)) == 0xFFFF
    }
}
