import BoxlessPlatform
import E1000Driver
import E1000Model
import EmulatorHost
import NativeDriverKit
import Testing

/// The far end of the cable: records what the NIC puts on the wire.
final class WireRecorder: EthernetReceiver {
    var frames: [[UInt8]] = []
    var carrier: [Bool] = []
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { frames.append(Array(frame)) }
    func carrierChanged(_ up: Bool) { carrier.append(up) }
}

/// The driver's client: records deliveries, completions and link changes.
final class RecordingClient: NetworkClient {
    var frames: [[UInt8]] = []
    var infos: [ReceiveInfo] = []
    var completions: [(token: UInt64, success: Bool)] = []
    var links: [LinkState] = []
    var onReceive: (() -> Void)?
    func received(_ frame: UnsafeRawBufferPointer, info: ReceiveInfo) {
        frames.append(Array(frame)); infos.append(info)
        onReceive?()
    }
    func transmitCompleted(token: UInt64, success: Bool) { completions.append((token, success)) }
    func linkChanged(_ state: LinkState) { links.append(state) }
}

/// One machine with one e1000 in slot 3, the driver bound, and a peer port on the other end of the cable.
final class Rig {
    let machine: Machine
    let device: E1000Device
    let host: EmulatorHost
    let peer: EthernetPort
    let wire = WireRecorder()
    let client = RecordingClient()
    private(set) var driver: E1000Driver!

    /// The station address the model's EEPROM holds by default.
    static let defaultMAC: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
    /// The peer's address.
    static let peerMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]

    init(chip: E1000Device.Chip, parameters: [String: String] = [:], mac: [UInt8] = Rig.defaultMAC,
         faults: (any FaultInjector)? = nil, configure: (E1000Device) -> Void = { _ in }) throws {
        machine = Machine(configuration: MachineConfiguration(seed: 1, strict: true))
        machine.faults = faults
        device = E1000Device(chip: chip, macAddress: mac)
        configure(device)
        machine.plug(device, at: PCIAddress(device: 3))
        host = EmulatorHost(machine: machine)
        host.driverParameters = parameters
        host.register(E1000Driver.self)
        peer = EthernetPort(name: "peer", machine: machine)
        try host.start()
        EthernetPort.connect(device.port, peer)
        peer.receiver = wire
        driver = host.bound.first?.instance as? E1000Driver
    }

    /// Opens the interface and runs until the link is up (at most `limit` of virtual time).
    func openAndWaitForLink(limit: VirtualDuration = .seconds(10)) throws {
        let d = try #require(driver)
        let client = self.client
        try host.onCPU { () throws(DriverError) in try d.open(client: client) }
        let deadline = machine.now + limit
        while client.links.last?.up != true, machine.scheduler.step(notAfter: deadline) {}
        #expect(client.links.last?.up == true, "link did not come up")
    }

    /// Runs the machine for `d` of virtual time.
    func run(_ d: VirtualDuration) { machine.scheduler.run(until: machine.now + d) }

    /// The peer sends `frame` toward the NIC.
    func send(_ frame: [UInt8]) { frame.withUnsafeBytes { _ = peer.send($0) } }

    /// Hands `frame` to the driver.
    func transmit(_ frame: [UInt8], token: UInt64, offload: TransmitOffload = .none) -> TransmitResult {
        let d = driver!
        return host.onCPU { frame.withUnsafeBytes { d.transmit($0, token: token, offload: offload) } }
    }

    /// Closes (if open), detaches every driver, and returns the findings of the whole run.
    func finish() -> [Finding] {
        if let d = driver { host.onCPU { d.close() } }
        run(.milliseconds(1))
        host.detachAll()
        run(.milliseconds(1))
        return machine.log.findings
    }
}

// MARK: frames

/// Test frames: Ethernet, IPv4/IPv6, TCP/UDP, with checksums computed here, independently of the driver.
enum Frames {
    /// An Ethernet frame of `length` bytes (without FCS) to `destination`, EtherType 0x88B5 (local
    /// experimental), payload numbered by `index` so order and content are checkable.
    static func numbered(_ index: Int, length: Int, to destination: [UInt8] = Rig.defaultMAC) -> [UInt8] {
        var f = destination + Rig.peerMAC + [0x88, 0xB5]
        f += withUnsafeBytes(of: UInt32(index).bigEndian, Array.init)
        var x = UInt32(truncatingIfNeeded: index &* 2_654_435_761)
        while f.count < length {
            x = x &* 1_103_515_245 &+ 12_345
            f.append(UInt8(truncatingIfNeeded: x >> 16))
        }
        return Array(f.prefix(length))
    }

    /// One's-complement sum of `bytes` (big-endian words), folded, not complemented.
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

    /// An IPv4 frame carrying TCP (proto 6) or UDP (17) with `payload`; checksums left zero
    /// unless `checksums`.
    static func ipv4(proto: UInt8, payload: [UInt8], seq: UInt32 = 1000, checksums: Bool = false,
                     destination: [UInt8] = Rig.peerMAC, vlan: UInt16? = nil) -> [UInt8] {
        var f = destination + Rig.defaultMAC
        if let v = vlan { f += [0x81, 0x00, UInt8(v >> 8), UInt8(v & 0xFF)] }
        f += [0x08, 0x00]
        let l3 = f.count
        let l4Header = proto == 6 ? 20 : 8
        let total = 20 + l4Header + payload.count
        f += [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0x12, 0x34, 0x40, 0, 64, proto, 0, 0,
              10, 0, 0, 1, 10, 0, 0, 2]
        let l4 = f.count
        if proto == 6 {
            f += [0x30, 0x39, 0x00, 0x50] + withUnsafeBytes(of: seq.bigEndian, Array.init) + [0, 0, 0, 0,
                  0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0]
        } else {
            let ulen = 8 + payload.count
            f += [0x30, 0x39, 0x00, 0x35, UInt8(ulen >> 8), UInt8(ulen & 0xFF), 0, 0]
        }
        f += payload
        if checksums { fixChecksums(&f, l3: l3, l4: l4) }
        return f
    }

    /// Writes correct IPv4 header and TCP/UDP checksums into `f`.
    static func fixChecksums(_ f: inout [UInt8], l3: Int, l4: Int) {
        f[l3 + 10] = 0; f[l3 + 11] = 0
        let ipc = ~UInt16(sum(f[l3..<l4]))
        f[l3 + 10] = UInt8(ipc >> 8); f[l3 + 11] = UInt8(ipc & 0xFF)
        let proto = f[l3 + 9]
        let co = l4 + (proto == 6 ? 16 : 6)
        f[co] = 0; f[co + 1] = 0
        let total = Int(be16(f, l3 + 2))
        let end = l3 + total
        var pseudo = sum(f[(l3 + 12)..<(l3 + 20)])
        pseudo += UInt32(proto) + UInt32(end - l4)
        let c = ~UInt16(sum(f[l4..<end], initial: pseudo))
        f[co] = UInt8(c >> 8); f[co + 1] = UInt8(c & 0xFF)
    }

    /// Whether the IPv4 header and TCP/UDP checksums of `f` verify.
    static func checksumsValid(_ f: [UInt8], l3: Int = 14) -> (ip: Bool, l4: Bool) {
        let ihl = Int(f[l3] & 0x0F) * 4
        let l4 = l3 + ihl
        let ip = sum(f[l3..<l4]) == 0xFFFF
        let proto = f[l3 + 9]
        let end = l3 + Int(be16(f, l3 + 2))
        var pseudo = sum(f[(l3 + 12)..<(l3 + 20)])
        pseudo += UInt32(proto) + UInt32(end - l4)
        let l4ok = sum(f[l4..<end], initial: pseudo) == 0xFFFF
        return (ip, l4ok)
    }
}
