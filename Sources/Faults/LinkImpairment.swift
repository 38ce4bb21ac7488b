import BoxlessPlatform

/// Which way a frame crosses an impaired link.
public enum LinkDirection: Sendable, Equatable {
    /// From the traffic source to the NIC (the NIC's receive side: plan event `rx-frame`).
    case towardDevice
    /// From the NIC to the far end (`tx-frame`).
    case fromDevice
}

/// A frame about to cross an impaired link.
public struct LinkFrame: Sendable {
    /// Which way.
    public var direction: LinkDirection
    /// Length without FCS.
    public var length: Int
    /// The NIC on the link, if known.
    public var device: PCIAddress?
    /// When it finished arriving at the impairment.
    public var time: VirtualTime
}

/// What the link does to one frame (netem's vocabulary: loss, delay, duplicate, reorder, corrupt, rate).
public struct LinkVerdict: Sendable, Equatable {
    /// Lost on the wire.
    public var drop = false
    /// Added latency (frames keep their order unless held back).
    public var delay: VirtualDuration = .zero
    /// How many copies arrive (2: duplicated).
    public var copies = 1
    /// Bit of the frame to flip, if corrupted.
    public var corruptBit: Int?
    /// Held back this long, letting later frames overtake it (reorder).
    public var holdBack: VirtualDuration?
    /// Rate limit in bits per second, if any.
    public var rateBitsPerSecond: UInt64?
    /// Nothing happens to the frame.
    public static let pass = LinkVerdict()
}

/// Decides the fate of each frame on an impaired link (a ``PlanFaultInjector`` implements it).
public protocol LinkImpairmentPolicy: AnyObject {
    /// The verdict for `frame`.
    func impair(_ frame: LinkFrame) -> LinkVerdict
}

/// An impaired cable between a traffic source's ``EthernetPort`` and a NIC's port, like Linux
/// netem on a veth pair. Connect the source's port to ``outer`` and the NIC's port to ``inner``:
///
/// ```swift
/// let link = LinkImpairment(machine: m, device: nic.address, policy: injector)
/// EthernetPort.connect(source.port, link.outer)
/// EthernetPort.connect(link.inner, nicPort)
/// ```
///
/// Frames crossing it are copied, asked about (``LinkImpairmentPolicy``) and sent on from the other
/// port at their new time; each direction keeps its frames' order except those held back (reorder);
/// a rate limit serializes frames at that rate. Carrier changes pass straight through.
public final class LinkImpairment {
    /// The end facing the traffic source.
    public let outer: EthernetPort
    /// The end facing the NIC.
    public let inner: EthernetPort
    /// The NIC on this link (for plan `device:` selectors and fault records).
    public let device: PCIAddress?
    /// Frames lost on the link so far, per direction (towards the device, from it).
    public private(set) var lost: (towardDevice: UInt64, fromDevice: UInt64) = (0, 0)
    private let scheduler: Scheduler
    private unowned let policy: any LinkImpairmentPolicy
    private let towardSide: Side, fromSide: Side

    /// One end's receiver: what arrives here is impaired and sent out of the other end.
    final class Side: EthernetReceiver {
        let direction: LinkDirection
        unowned(unsafe) var link: LinkImpairment!
        var lastDeparture = VirtualTime.zero
        var rateFree = VirtualTime.zero
        init(_ d: LinkDirection) { direction = d }
        func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { link.cross(frame, fcsValid: fcsValid, side: self) }
        func carrierChanged(_ up: Bool) { link.carrier(up, side: self) }
    }

    /// Creates an impaired link on `machine`'s clock, at `timing` on both ends.
    public init(machine: Machine, device: PCIAddress?, timing: EthernetTiming = .gigabit, policy: any LinkImpairmentPolicy) {
        outer = EthernetPort(name: "impairment-outer", machine: machine, timing: timing)
        inner = EthernetPort(name: "impairment-inner", machine: machine, timing: timing)
        scheduler = machine.scheduler
        self.device = device
        self.policy = policy
        towardSide = Side(.towardDevice); fromSide = Side(.fromDevice)
        towardSide.link = self; fromSide.link = self
        outer.receiver = towardSide
        inner.receiver = fromSide
    }

    private func cross(_ frame: UnsafeRawBufferPointer, fcsValid: Bool, side: Side) {
        let now = scheduler.now
        let v = policy.impair(LinkFrame(direction: side.direction, length: frame.count, device: device, time: now))
        if v.drop {
            if side.direction == .towardDevice { lost.towardDevice += 1 } else { lost.fromDevice += 1 }
            return
        }
        var bytes = [UInt8](frame)
        if let bit = v.corruptBit, !bytes.isEmpty { bytes[(bit / 8) % bytes.count] ^= UInt8(1 << (bit % 8)) }
        var departure = now + v.delay
        if let hold = v.holdBack { departure = departure + hold } else {
            departure = max(departure, side.lastDeparture)
            side.lastDeparture = departure
        }
        if let rate = v.rateBitsPerSecond {
            departure = max(departure, side.rateFree)
            side.rateFree = departure + .transfer(bytes: bytes.count + EthernetTiming.fcsBytes, bytesPerSecond: max(1, rate / 8))
        }
        let out = side.direction == .towardDevice ? inner : outer
        for _ in 0..<v.copies {
            scheduler.schedule(at: departure) {
                bytes.withUnsafeBytes { _ = out.send($0, fcsValid: fcsValid) }
            }
        }
    }

    private func carrier(_ up: Bool, side: Side) {
        (side.direction == .towardDevice ? inner : outer).setCarrier(up)
    }
}
