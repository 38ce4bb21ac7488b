import NICCore

/// The tally counters the chip dumps by DMA through DTCCR (RTL8111C/8168C datasheet §7 "Dump Tally
/// Counter Command Register" and its counter table; layout as r8169 `struct rtl8169_counters`):
/// 64 bytes, little-endian.
///
/// | offset | size | name     | r8169              |
/// |--------|------|----------|--------------------|
/// | 0      | 8    | TxOk     | tx_packets         |
/// | 8      | 8    | RxOk     | rx_packets         |
/// | 16     | 8    | TxEr     | tx_errors          |
/// | 24     | 4    | RxEr     | rx_errors          |
/// | 28     | 2    | MissPkt  | rx_missed          |
/// | 30     | 2    | FAE      | align_errors       |
/// | 32     | 4    | Tx1Col   | tx_one_collision   |
/// | 36     | 4    | TxMCol   | tx_multi_collision |
/// | 40     | 8    | RxOkPhy  | rx_unicast         |
/// | 48     | 8    | RxOkBrd  | rx_broadcast       |
/// | 56     | 4    | RxOkMul  | rx_multicast       |
/// | 60     | 2    | TxAbt    | tx_aborted         |
/// | 62     | 2    | TxUndrn  | tx_underrun        |
///
/// Narrow counters saturate at their width in the dump (as the chip's do); the model keeps
/// 64-bit totals.
public struct RTL8168TallyCounters: Sendable, Equatable {
    /// One counter: its datasheet name, offset and width in the dump.
    public struct Field: Sendable, Equatable {
        /// Datasheet name.
        public var name: String
        /// Byte offset in the 64-byte dump.
        public var offset: Int
        /// Bytes in the dump.
        public var width: Int
    }

    /// The dump layout, in order.
    public static let fields: [Field] = [
        Field(name: "TxOk", offset: 0, width: 8), Field(name: "RxOk", offset: 8, width: 8),
        Field(name: "TxEr", offset: 16, width: 8), Field(name: "RxEr", offset: 24, width: 4),
        Field(name: "MissPkt", offset: 28, width: 2), Field(name: "FAE", offset: 30, width: 2),
        Field(name: "Tx1Col", offset: 32, width: 4), Field(name: "TxMCol", offset: 36, width: 4),
        Field(name: "RxOkPhy", offset: 40, width: 8), Field(name: "RxOkBrd", offset: 48, width: 8),
        Field(name: "RxOkMul", offset: 56, width: 4), Field(name: "TxAbt", offset: 60, width: 2),
        Field(name: "TxUndrn", offset: 62, width: 2),
    ]
    /// Bytes of one dump.
    public static let dumpSize = 64
    /// Dump alignment.
    public static let alignment: UInt64 = 64

    /// Index of each counter in ``values``.
    public enum Index: Int, Sendable {
        case TxOk, RxOk, TxEr, RxEr, MissPkt, FAE, Tx1Col, TxMCol, RxOkPhy, RxOkBrd, RxOkMul, TxAbt, TxUndrn
    }

    /// Counts since power-on or the last DTCCR.Reset, in ``fields`` order.
    public private(set) var values = [UInt64](repeating: 0, count: 13)

    /// Counts since power-on, which DTCCR.Reset does not clear (what the runner's checks read).
    public private(set) var totals = [UInt64](repeating: 0, count: 13)

    /// Adds one to a counter.
    public mutating func count(_ i: Index, _ n: UInt64 = 1) { values[i.rawValue] &+= n; totals[i.rawValue] &+= n }
    /// A counter's value.
    public subscript(_ i: Index) -> UInt64 { values[i.rawValue] }
    /// Clears every counter (DTCCR.Reset).
    public mutating func clear() { for i in values.indices { values[i] = 0 } }
    /// Clears the counters and the totals (power-on).
    public mutating func powerOn() { clear(); for i in totals.indices { totals[i] = 0 } }

    /// The 64-byte dump as the chip writes it.
    public var dump: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.dumpSize)
        for (i, f) in Self.fields.enumerated() {
            let limit: UInt64 = f.width == 8 ? .max : (1 << UInt64(8 * f.width)) - 1
            let v = min(values[i], limit)
            for b in 0..<f.width { out[f.offset + b] = UInt8(truncatingIfNeeded: v >> UInt64(8 * b)) }
        }
        return out
    }
}

/// Receive errors by the name of the descriptor status bit or limit that stops them (RTL8111C DS
/// §8.2 RUNT, CRC, RWT; §7 RMS; the chip table's jumbo limit). The chip counts all of them only in
/// the tally's RxEr; the model keeps them apart so a replay can account for each dropped frame.
struct RTL8168ReceiveErrors: Sendable, Equatable {
    /// Shorter than 64 bytes with FCS, without RxConfig.AR.
    var runt: UInt64 = 0
    /// Bad FCS, without RxConfig.AER.
    var crc: UInt64 = 0
    /// Receive watchdog: a frame that ran on past the longest the chip takes (jabber).
    var rwt: UInt64 = 0
    /// Longer than RxMaxSize.
    var rms: UInt64 = 0
    /// Longer than the chip's jumbo limit (``RTL8168ChipVersion/jumboFrameBytes``) while RxMaxSize allows more.
    var jumbo: UInt64 = 0
    /// Lost for want of FIFO room (also tally MissPkt).
    var missed: UInt64 = 0

    /// The counters by name, after the tally counters.
    var named: [(name: String, value: UInt64)] {
        [("RUNT", runt), ("CRC", crc), ("RWT", rwt), ("RMS", rms), ("JUMBO", jumbo)]
    }

    /// The counters of dropped frames and their reasons (MissPkt is the tally's own).
    static let dropCounters: [CounterInfo] = [
        CounterInfo("MissPkt", drop: .missed), CounterInfo("RUNT", drop: .undersize), CounterInfo("CRC", drop: .badFCS),
        CounterInfo("RWT", drop: .oversize), CounterInfo("RMS", drop: .oversize), CounterInfo("JUMBO", drop: .oversize),
    ]
}
