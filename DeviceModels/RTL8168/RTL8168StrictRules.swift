import BoxlessPlatform

/// The RTL8111C/8168C rules strict mode checks (DESIGN.md, "Strict mode"): what the datasheet and
/// Linux's r8169 say real chips punish and lenient emulators forgive. Each finding's message starts
/// with the rule's ``summary`` and its reference is ``reference``; tests identify a finding by both.
public enum RTL8168Rule: String, CaseIterable, StrictRule {
    /// `rtl8168.` and the case name.
    public var id: String { "rtl8168." + rawValue }

    /// TNPDS or RDSAR programmed with a base that is not 256-byte aligned.
    case ringNotAligned
    /// The chip walked a whole ring's worth of descriptors (1024) without meeting EOR.
    case ringWithoutEOR
    /// A configuration register (IDR, Config0–5) written while 9346CR is locked.
    case configWriteWhileLocked
    /// TxPoll.NPQ set while ChipCmd.TE is clear.
    case pollWhileTransmitterOff
    /// RxMaxSize larger than the buffer of a posted receive descriptor (frames would span descriptors).
    case rxMaxSizeExceedsBuffer
    /// A ring base (TNPDS/RDSAR) written while its engine is enabled.
    case ringBaseWrittenWhileEnabled
    /// DTCCR.Cmd set with an address that is not 64-byte aligned.
    case tallyNotAligned
    /// DTCCR.Cmd set again before the previous dump finished.
    case tallyDumpWhileBusy
    /// PHYAR written while a previous PHY access is still in progress.
    case phyAccessWhileBusy
    /// A transmit descriptor with FS missing on the first segment, or a packet without LS.
    case txSegmentationBroken
    /// Giant send with MSS 0 or a TCP header offset beyond the packet.
    case badLargeSend
    /// A transmit packet larger than MaxTxPacketSize allows (and not a giant send).
    case txPacketTooLong
    /// One receive buffer in two descriptors the chip owns at once.
    case bufferPostedTwice

    /// What the driver did wrong, in a few words.
    public var summary: String {
        switch self {
        case .ringNotAligned: return "descriptor ring base not 256-byte aligned"
        case .ringWithoutEOR: return "descriptor ring has no EOR within 1024 descriptors"
        case .configWriteWhileLocked: return "configuration register written without the 9346CR unlock"
        case .pollWhileTransmitterOff: return "TxPoll.NPQ set while ChipCmd.TE is clear"
        case .rxMaxSizeExceedsBuffer: return "RxMaxSize larger than a posted receive buffer"
        case .ringBaseWrittenWhileEnabled: return "descriptor ring base written while its engine is enabled"
        case .tallyNotAligned: return "tally counter dump address not 64-byte aligned"
        case .tallyDumpWhileBusy: return "tally counter dump requested while the previous one runs"
        case .phyAccessWhileBusy: return "PHYAR written while a PHY access is in progress"
        case .txSegmentationBroken: return "transmit descriptors do not bracket a packet with FS … LS"
        case .badLargeSend: return "giant send with MSS 0 or a TCP header offset outside the packet"
        case .txPacketTooLong: return "transmit packet longer than MaxTxPacketSize or the jumbo limit allows"
        case .bufferPostedTwice: return "receive buffer handed to the chip in two descriptors at once"
        }
    }

    /// The section (datasheet or r8169) that states the rule.
    public var reference: String {
        switch self {
        case .ringNotAligned: return "RTL8111C DS §7 (TNPDS/RDSAR: 256-byte alignment)"
        case .ringWithoutEOR: return "RTL8111C DS §8 (EOR: end of descriptor ring)"
        case .configWriteWhileLocked: return "RTL8111C DS §7 (9346CR EEM1:0 = 11b: config register write enable)"
        case .pollWhileTransmitterOff: return "RTL8111C DS §7 (TPPoll), §7 Command Register TE"
        case .rxMaxSizeExceedsBuffer: return "RTL8111C DS §7 (RMS), §8.2; r8169 rtl8169_fragmented_frame"
        case .ringBaseWrittenWhileEnabled: return "RTL8111C DS §7 (TNPDS/RDSAR); r8169 rtl_set_rx_tx_desc_registers (before RE/TE)"
        case .tallyNotAligned: return "RTL8111C DS §7 (DTCCR: 64-byte alignment)"
        case .tallyDumpWhileBusy: return "RTL8111C DS §7 (DTCCR.Cmd self-clears when the dump is done); r8169 rtl8169_do_counters"
        case .phyAccessWhileBusy: return "RTL8111C DS §7 (PHYAR Flag); r8169 r8169_mdio_read/write"
        case .txSegmentationBroken: return "RTL8111C DS §8.1 (FS/LS)"
        case .badLargeSend: return "RTL8111C DS §8.1 (GTSENV4/6, MSS); r8169 rtl8169_tso_csum_v2"
        case .txPacketTooLong: return "RTL8111C DS §7 (MTPS); r8169 MaxTxPacketSize, rtl_jumbo_max (6 KiB on RTL_GIGA_MAC_VER_22)"
        case .bufferPostedTwice: return "RTL8111C DS §8.2 (the chip writes each frame into its descriptor's buffer); r8169 rtl8169_rx_fill (one buffer per descriptor)"
        }
    }
}
