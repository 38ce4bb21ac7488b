/// Receives what arrives at one end of an Ethernet link (a NIC model's MAC, a replay source, a capture).
public protocol EthernetReceiver: AnyObject {
    /// A frame finished arriving. `frame` is the destination address through the payload, without
    /// preamble, SFD or FCS; it is valid only during the call. `fcsValid` is false for a frame whose
    /// FCS was bad on the wire (a fault, or a replayed frame marked bad).
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool)
    /// The far end's carrier came or went.
    func carrierChanged(_ up: Bool)
}

/// Timing of an Ethernet link (IEEE 802.3 clause 4.4.2 and clause 35/36 for 1000BASE-X/T).
public struct EthernetTiming: Sendable, Equatable {
    /// Bit rate in bits per second.
    public var bitsPerSecond: UInt64
    /// Preamble and start-of-frame delimiter: 8 bytes.
    public static let preambleBytes = 8
    /// Minimum inter-frame gap: 96 bit times = 12 bytes.
    public static let interFrameGapBytes = 12
    /// Frame check sequence: 4 bytes.
    public static let fcsBytes = 4
    /// Minimum frame on the wire, FCS included (802.3 §4.4.2: 512 bits).
    public static let minimumFrameBytes = 64
    /// 1 Gb/s: 8 ns per byte.
    public static let gigabit = EthernetTiming(bitsPerSecond: 1_000_000_000)
    /// 100 Mb/s: 80 ns per byte.
    public static let fastEthernet = EthernetTiming(bitsPerSecond: 100_000_000)
    /// Creates link timing.
    public init(bitsPerSecond: UInt64) { self.bitsPerSecond = bitsPerSecond }
    /// Time per byte.
    public var byteTime: VirtualDuration { .picoseconds(8_000_000_000_000 / bitsPerSecond) }
    /// Time a frame of `length` bytes (without FCS) occupies the wire, from the first preamble bit to
    /// the end of the inter-frame gap: short frames are padded to the minimum (802.3 §4.2.3.3).
    public func occupancy(frameLength length: Int) -> VirtualDuration {
        let onWire = max(length + Self.fcsBytes, Self.minimumFrameBytes) + Self.preambleBytes + Self.interFrameGapBytes
        return byteTime * UInt64(onWire)
    }
    /// Time from the first preamble bit until the last FCS bit has arrived.
    public func arrivalDelay(frameLength length: Int) -> VirtualDuration {
        byteTime * UInt64(max(length + Self.fcsBytes, Self.minimumFrameBytes) + Self.preambleBytes)
    }
}

/// One end of a point-to-point Ethernet link. A frame sent on one end arrives at the other end's
/// receiver when its last bit has crossed the wire; each end's transmitter is serialized (a frame
/// starts when the previous one and its inter-frame gap are done), as on a full-duplex link.
public final class EthernetPort {
    /// Who gets what arrives at this end. Not retained: the receiver (a model, a replay source)
    /// must outlive the port's traffic, as it does when both belong to one machine or run.
    public unowned(unsafe) var receiver: (any EthernetReceiver)?
    /// The other end, once connected (not retained; both ends live as long as the machine).
    public private(set) unowned(unsafe) var peer: EthernetPort? {
        didSet { peerRef = peer.map { .passUnretained($0) } }
    }
    /// `peer`, borrowed without reference counting on the per-frame paths.
    private var peerRef: Unmanaged<EthernetPort>?
    /// Link timing.
    public let timing: EthernetTiming
    /// A name for logs.
    public let name: String
    let scheduler: Scheduler
    /// When this end's transmitter is free again.
    public private(set) var busyUntil: VirtualTime = .zero
    /// Whether this end drives carrier (link partner present and powered).
    public private(set) var carrier = true
    /// Frames sent from this end.
    public private(set) var framesSent: UInt64 = 0
    /// A frame on the wire: its bytes in a buffer the slot owns (grown, never shrunk, so steady
    /// traffic allocates nothing).
    private struct Slot {
        var bytes: UnsafeMutableRawPointer?
        var capacity = 0
        var length = 0
        var fcsValid = true
        /// When its last bit arrives, and its place in the scheduler's order (reserved when sent).
        var arrival = VirtualTime.zero
        var sequence: UInt64 = 0
    }
    /// Frames on the wire towards the peer, oldest first (they arrive in the order sent: the
    /// transmitter is serialized), in a ring of slots. Only the oldest has a scheduled arrival; the
    /// others keep the sequence number reserved when they were sent, so every arrival runs exactly
    /// where it would have had each been scheduled at its send (a short event queue).
    private var inFlight: UnsafeMutablePointer<Slot>
    private var ringSize = 0
    private var inFlightHead = 0
    private var inFlightCount = 0
    /// A buffer swapped with the oldest slot's while the receiver looks at it.
    private var spare = Slot()
    private var deliverAction: () -> Void = {}

    /// Creates an unconnected port on `machine`'s clock.
    public init(name: String, machine: Machine, timing: EthernetTiming = .gigabit) {
        self.name = name; self.scheduler = machine.scheduler; self.timing = timing
        inFlight = .allocate(capacity: 0)
        let me = Unmanaged.passUnretained(self)   // borrowed in the action: no retain per frame
        deliverAction = { me._withUnsafeGuaranteedRef { $0.deliverOldest() } }
    }

    deinit {
        for i in 0..<ringSize { inFlight[i].bytes?.deallocate() }
        inFlight.deinitialize(count: ringSize)
        inFlight.deallocate()
        spare.bytes?.deallocate()
    }

    /// Creates an unconnected port for a device model's MAC, on its function's machine.
    public convenience init(name: String, function: PCIFunction, timing: EthernetTiming = .gigabit) {
        self.init(name: name, machine: function.machine, timing: timing)
    }

    /// Connects two ports.
    public static func connect(_ a: EthernetPort, _ b: EthernetPort) {
        precondition(a.timing == b.timing, "both ends of a link run at one speed")
        a.peer = b; b.peer = a
    }

    /// The time a frame sent now would start (after the one on the wire and its gap).
    public var nextStart: VirtualTime { max(busyUntil, scheduler.now) }

    /// Sends a frame (without FCS): it starts at ``nextStart`` and arrives at the peer when its last
    /// bit has crossed. Returns the arrival time. Frames sent with no peer, or without carrier, are lost
    /// (as on an unplugged cable) and return nil.
    @discardableResult
    public func send(_ frame: UnsafeRawBufferPointer, fcsValid: Bool = true) -> VirtualTime? {
        send(frame, fcsValid: fcsValid, notBefore: scheduler.now)
    }

    /// Sends a frame that starts no earlier than `earliest` (a source that knows its frames' times
    /// can hand several over at once; they cross the wire exactly as if sent one by one).
    @discardableResult
    public func send(_ frame: UnsafeRawBufferPointer, fcsValid: Bool = true, notBefore earliest: VirtualTime) -> VirtualTime? {
        let start = max(busyUntil, scheduler.now, earliest)
        busyUntil = start + timing.occupancy(frameLength: frame.count)
        framesSent &+= 1
        guard peerRef != nil, carrier else { return nil }
        let arrival = start + timing.arrivalDelay(frameLength: frame.count)
        if inFlightCount == ringSize { growRing() }
        var slot = inFlightHead + inFlightCount
        if slot >= ringSize { slot -= ringSize }
        Self.store(frame, in: &inFlight[slot])
        inFlight[slot].fcsValid = fcsValid
        inFlight[slot].arrival = arrival
        inFlight[slot].sequence = scheduler.reserveSequence()
        inFlightCount += 1
        if inFlightCount == 1 { scheduler.schedule(at: arrival, reserved: inFlight[slot].sequence, deliverAction) }
        return arrival
    }

    /// Copies `frame` into `slot`'s buffer, growing it if needed.
    private static func store(_ frame: UnsafeRawBufferPointer, in slot: inout Slot) {
        let n = frame.count
        if n > slot.capacity {
            slot.bytes?.deallocate()
            slot.capacity = max(n, 2048)
            slot.bytes = .allocate(byteCount: slot.capacity, alignment: 16)
        }
        if n > 0 { slot.bytes!.copyMemory(from: frame.baseAddress!, byteCount: n) }
        slot.length = n
    }

    /// Doubles the ring, keeping the frames' order.
    private func growRing() {
        let size = max(8, ringSize * 2)
        let ring = UnsafeMutablePointer<Slot>.allocate(capacity: size)
        for i in 0..<ringSize { (ring + i).initialize(to: inFlight[(inFlightHead + i) % ringSize]) }
        (ring + ringSize).initialize(repeating: Slot(), count: size - ringSize)
        inFlight.deinitialize(count: ringSize)
        inFlight.deallocate()
        inFlight = ring
        ringSize = size
        inFlightHead = 0
    }

    private func deliverOldest() {
        let slot = inFlightHead
        inFlightHead = inFlightHead + 1 == ringSize ? 0 : inFlightHead + 1
        inFlightCount -= 1
        // Take the bytes out of the ring first: the receiver may send (and so reuse the slot).
        swap(&spare, &inFlight[slot])
        if inFlightCount > 0 {
            let next = inFlight[inFlightHead]
            scheduler.schedule(at: next.arrival, reserved: next.sequence, deliverAction)
        }
        let frame = UnsafeRawBufferPointer(start: spare.bytes, count: spare.length)
        let fcs = spare.fcsValid
        peerRef?._withUnsafeGuaranteedRef { $0.receiver?.frameArrived(frame, fcsValid: fcs) }
    }

    /// Raises or drops this end's carrier; the peer's receiver hears it at once.
    public func setCarrier(_ up: Bool) {
        guard up != carrier else { return }
        carrier = up
        peer?.receiver?.carrierChanged(up)
    }
}
