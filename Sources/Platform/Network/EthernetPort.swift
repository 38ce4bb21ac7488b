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
    public private(set) unowned(unsafe) var peer: EthernetPort?
    /// Link timing.
    public let timing: EthernetTiming
    /// A name for logs.
    public let name: String
    unowned(unsafe) let scheduler: Scheduler
    /// When this end's transmitter is free again.
    public private(set) var busyUntil: VirtualTime = .zero
    /// Whether this end drives carrier (link partner present and powered).
    public private(set) var carrier = true
    /// Frames sent from this end.
    public private(set) var framesSent: UInt64 = 0
    /// Frames on the wire towards the peer, oldest first (they arrive in the order sent: the
    /// transmitter is serialized). Slots are reused, so steady traffic allocates nothing.
    private var inFlight: [(bytes: [UInt8], fcsValid: Bool)] = []
    private var inFlightHead = 0
    private var inFlightCount = 0
    private lazy var deliverAction: () -> Void = { [unowned(unsafe) self] in self.deliverOldest() }

    /// Creates an unconnected port on `machine`'s clock.
    public init(name: String, machine: Machine, timing: EthernetTiming = .gigabit) {
        self.name = name; self.scheduler = machine.scheduler; self.timing = timing
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
        guard let peer, carrier else { return nil }
        let arrival = start + timing.arrivalDelay(frameLength: frame.count)
        if inFlightCount == inFlight.count {
            // Grow the ring, keeping order.
            let old = inFlight
            inFlight = (0..<inFlightCount).map { old[(inFlightHead + $0) % old.count] } + [([], true)]
            inFlightHead = 0
        }
        let slot = (inFlightHead + inFlightCount) % inFlight.count
        inFlight[slot].bytes.removeAll(keepingCapacity: true)
        inFlight[slot].bytes.append(contentsOf: frame)
        inFlight[slot].fcsValid = fcsValid
        inFlightCount += 1
        scheduler.schedule(at: arrival, deliverAction)
        return arrival
    }

    private var spare: [UInt8] = []

    private func deliverOldest() {
        let slot = inFlightHead
        inFlightHead = (inFlightHead + 1) % inFlight.count
        inFlightCount -= 1
        let fcs = inFlight[slot].fcsValid
        // Take the bytes out of the ring first: the receiver may send (and so reuse the slot).
        var frame = spare
        swap(&frame, &inFlight[slot].bytes)
        frame.withUnsafeBytes { peer?.receiver?.frameArrived($0, fcsValid: fcs) }
        spare = frame
    }

    /// Raises or drops this end's carrier; the peer's receiver hears it at once.
    public func setCarrier(_ up: Bool) {
        guard up != carrier else { return }
        carrier = up
        peer?.receiver?.carrierChanged(up)
    }
}
