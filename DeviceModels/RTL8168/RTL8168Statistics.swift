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

    /// Adds one to a counter.
    public mutating func count(_ i: Index, _ n: UInt64 = 1) { values[i.rawValue] &+= n }
    /// A counter's value.
    public subscript(_ i: Index) -> UInt64 { values[i.rawValue] }
    /// Clears every counter (DTCCR.Reset, power-on).
    public mutating func clear() { for i in values.indices { values[i] = 0 } }

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

/// Frames the model did not deliver, by reason (what the replay check accounts drops to). Each
/// maps to the tally counter that counts it, if any.
public enum RTL8168DropReason: String, CaseIterable, Sendable {
    /// No receive descriptor owned by the chip, or the receive FIFO was full (tally MissPkt).
    case missed
    /// Longer than RxMaxSize (tally RxEr).
    case oversize
    /// Runt (shorter than 64 bytes with FCS) without RxConfig.AR (tally RxEr).
    case runt
    /// Bad FCS without RxConfig.AER (tally RxEr).
    case badFCS
    /// Rejected by the address filter (no counter).
    case filtered
    /// Arrived while ChipCmd.RE was clear or the link was down (no counter).
    case receiverOff

    /// The tally counter that counts this reason, or nil.
    public var tallyCounter: String? {
        switch self {
        case .missed: return "MissPkt"
        case .oversize, .runt, .badFCS: return "RxEr"
        case .filtered, .receiverOff: return nil
        }
    }
}
