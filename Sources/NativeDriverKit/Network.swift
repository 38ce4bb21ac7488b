/// A 48-bit Ethernet MAC address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// The six bytes, first transmitted first.
    public var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
    /// Creates from six bytes.
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) { bytes = (b0, b1, b2, b3, b4, b5) }
    /// The bytes as an array.
    public var array: [UInt8] { [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5] }
    public static func == (a: Self, b: Self) -> Bool { a.array == b.array }
    public func hash(into h: inout Hasher) { h.combine(array) }
    /// `52:54:00:12:34:56`.
    public var description: String {
        array.map { let s = String($0, radix: 16); return s.count == 1 ? "0" + s : s }.joined(separator: ":")
    }
}

/// Link state as the PHY reports it.
public struct LinkState: Hashable, Sendable, CustomStringConvertible {
    /// Whether the link is up.
    public var up: Bool
    /// Speed in Mb/s (0 when down).
    public var speedMbps: Int
    /// Full duplex.
    public var fullDuplex: Bool
    /// Creates a link state.
    public init(up: Bool, speedMbps: Int = 0, fullDuplex: Bool = false) {
        self.up = up; self.speedMbps = speedMbps; self.fullDuplex = fullDuplex
    }
    /// Link down.
    public static let down = LinkState(up: false)
    /// `up 1000/full` or `down`.
    public var description: String { up ? "up \(speedMbps)/\(fullDuplex ? "full" : "half")" : "down" }
}

/// Offloads a client asks for on one transmitted frame.
public struct TransmitOffload: Hashable, Sendable {
    /// Insert the IPv4 header checksum.
    public var ipv4Checksum: Bool
    /// Insert the TCP or UDP checksum.
    public var l4Checksum: Bool
    /// Segment a TCP super-frame into frames of at most this MSS (TSO), if set.
    public var tcpSegmentationMSS: Int?
    /// Insert this 802.1Q tag (TCI), if set.
    public var vlanTag: UInt16?
    /// No offload.
    public static let none = TransmitOffload()
    /// Creates an offload request.
    public init(ipv4Checksum: Bool = false, l4Checksum: Bool = false, tcpSegmentationMSS: Int? = nil, vlanTag: UInt16? = nil) {
        self.ipv4Checksum = ipv4Checksum; self.l4Checksum = l4Checksum
        self.tcpSegmentationMSS = tcpSegmentationMSS; self.vlanTag = vlanTag
    }
}

/// What the device said about a received frame.
public struct ReceiveInfo: Hashable, Sendable {
    /// Hardware checked the IPv4 header checksum: true good, false bad, nil not checked.
    public var ipv4ChecksumGood: Bool?
    /// Hardware checked the TCP/UDP checksum: true good, false bad, nil not checked.
    public var l4ChecksumGood: Bool?
    /// The 802.1Q tag the device stripped, if any.
    public var vlanTag: UInt16?
    /// Creates receive info.
    public init(ipv4ChecksumGood: Bool? = nil, l4ChecksumGood: Bool? = nil, vlanTag: UInt16? = nil) {
        self.ipv4ChecksumGood = ipv4ChecksumGood; self.l4ChecksumGood = l4ChecksumGood; self.vlanTag = vlanTag
    }
}

/// Result of handing a frame to the driver.
public enum TransmitResult: Sendable, Equatable {
    /// Queued; ``NetworkClient/transmitCompleted(token:success:)`` follows.
    case queued
    /// The ring is full; try again after a completion.
    case busy
    /// Refused (too long, device closed, bad offload request).
    case rejected(String)
}

/// Interface statistics, from the device's counters where it has them.
public struct NetworkStatistics: Hashable, Sendable {
    /// Frames delivered to the client.
    public var rxPackets: UInt64 = 0
    /// Bytes delivered to the client.
    public var rxBytes: UInt64 = 0
    /// Frames put on the wire.
    public var txPackets: UInt64 = 0
    /// Bytes put on the wire.
    public var txBytes: UInt64 = 0
    /// Frames the device or driver dropped on receive, by reason in the device's own terms
    /// (e.g. `("MPC", 3)` for missed packets), in a fixed order.
    public var rxDropped: [(String, UInt64)] = []
    /// Transmit failures.
    public var txErrors: UInt64 = 0
    /// Creates empty statistics.
    public init() {}
    /// Total receive drops.
    public var rxDroppedTotal: UInt64 { rxDropped.reduce(0) { $0 + $1.1 } }
    public static func == (a: Self, b: Self) -> Bool {
        a.rxPackets == b.rxPackets && a.rxBytes == b.rxBytes && a.txPackets == b.txPackets && a.txBytes == b.txBytes
            && a.txErrors == b.txErrors && a.rxDropped.map(\.0) == b.rxDropped.map(\.0) && a.rxDropped.map(\.1) == b.rxDropped.map(\.1)
    }
    public func hash(into h: inout Hasher) { h.combine(rxPackets); h.combine(txPackets); h.combine(rxBytes); h.combine(txBytes) }
}

/// Who receives a network driver's frames and events (the runner, a test, a stack).
public protocol NetworkClient: AnyObject {
    /// A frame arrived. `frame` is valid only during the call (copy what you keep).
    func received(_ frame: UnsafeRawBufferPointer, info: ReceiveInfo)
    /// A frame handed to ``NetworkInterface/transmit(_:token:offload:)`` left (or failed).
    func transmitCompleted(token: UInt64, success: Bool)
    /// The link changed.
    func linkChanged(_ state: LinkState)
}

/// Which frames the interface accepts besides those addressed to its own MAC address and broadcast.
public struct ReceiveFilter: Hashable, Sendable {
    /// Accept every frame (as a capture tool or a bridge asks).
    public var promiscuous: Bool
    /// Accept every multicast frame.
    public var allMulticast: Bool
    /// Multicast addresses to accept (the driver programs exact filters or a hash table).
    public var multicast: [MACAddress]
    /// Creates a filter.
    public init(promiscuous: Bool = false, allMulticast: Bool = false, multicast: [MACAddress] = []) {
        self.promiscuous = promiscuous; self.allMulticast = allMulticast; self.multicast = multicast
    }
}

/// The network class interface a NIC driver serves.
public protocol NetworkInterface: AnyObject {
    /// The station address (from the EEPROM or NVM).
    var macAddress: MACAddress { get }
    /// Current link state.
    var linkState: LinkState { get }
    /// The largest frame (without FCS) the driver accepts and receives as configured.
    var maximumFrameSize: Int { get }
    /// Starts receiving and transmitting, delivering to `client`.
    func open(client: any NetworkClient) throws(DriverError)
    /// Stops; frames in flight complete or fail first.
    func close()
    /// Queues one frame (without FCS) for transmission; `token` comes back in the completion.
    func transmit(_ frame: UnsafeRawBufferPointer, token: UInt64, offload: TransmitOffload) -> TransmitResult
    /// Current statistics (reading may fold the device's read-to-clear counters in).
    func statistics() -> NetworkStatistics
    /// Sets which frames are accepted (own address and broadcast always are).
    func setReceiveFilter(_ filter: ReceiveFilter)
}
