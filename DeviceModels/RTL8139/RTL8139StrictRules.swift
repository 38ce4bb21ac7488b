import BoxlessPlatform

/// The RTL8139 rules strict mode checks (DESIGN.md, "Strict mode"): what the datasheets forbid that
/// real silicon punishes and lenient emulators (QEMU's rtl8139) forgive. Each finding's message
/// starts with the rule's ``summary`` and cites ``reference``. Sections marked "(inferred)" are
/// explained in Definitions/FACTS.md.
public enum RTL8139Rule: String, CaseIterable, StrictRule {
    /// `rtl8139.` and the case name.
    public var id: String { "rtl8139." + rawValue }

    /// RBSTART written with bits 1:0 set.
    case rbstartMisaligned
    /// CAPR moved past CBR: the driver claims to have read bytes the chip has not written.
    case caprPastCBR
    /// TSD or TSAD of a C-mode slot rewritten while the chip owns the slot.
    case txSlotRewrittenWhileOwned
    /// TNPDS, THPDS or RxRingAddr not 256-byte aligned.
    case cplusRingMisaligned
    /// A C+ descriptor ring walked past its largest size without a descriptor with EOR.
    case ringWithoutEOR
    /// CONFIG0–4 (or BMCR bits 13, 12, 8) written while 9346CR.EEM is not 11b.
    case configWriteLocked
    /// A C+ register (TxPoll, DTCCR, RxRingAddr, TNPDS, THPDS) used while C+ mode is off, or on a
    /// part without C+ mode.
    case cplusRegisterInCMode
    /// A C-mode transmit slot (TSD2/TSD3) written while C+ transmit mode is on.
    case cModeSlotInCPlusMode

    /// What the driver did wrong, in a few words.
    public var summary: String {
        switch self {
        case .rbstartMisaligned: return "RBSTART not 4-byte aligned"
        case .caprPastCBR: return "CAPR moved past CBR (read pointer beyond the chip's write pointer)"
        case .txSlotRewrittenWhileOwned: return "TSD/TSAD of a transmit slot rewritten while the chip owns the slot"
        case .cplusRingMisaligned: return "C+ descriptor ring base not 256-byte aligned"
        case .ringWithoutEOR: return "C+ descriptor ring without EOR within 64 descriptors"
        case .configWriteLocked: return "CONFIG register written without the 9346CR unlock (EEM = 11b)"
        case .cplusRegisterInCMode: return "C+ register used while C+ mode is off"
        case .cModeSlotInCPlusMode: return "C-mode transmit slot (TSD2/TSD3) written in C+ transmit mode"
        }
    }

    /// The section that states the rule.
    public var reference: String {
        switch self {
        case .rbstartMisaligned: return "RTL8139C(L) datasheet §5 RBSTART (inferred: dword DMA start), Programming Guide §2 (receive buffer)"
        case .caprPastCBR: return "RTL8139C(L) datasheet §5 CAPR/CBR, §6.1 (receive ring buffer)"
        case .txSlotRewrittenWhileOwned: return "RTL8139C(L) datasheet §5.2 TSD (OWN), §6.2 (transmit)"
        case .cplusRingMisaligned: return "RTL8139C(L)+ datasheet §6 TNPDS/THPDS/RDSAR (256-byte alignment)"
        case .ringWithoutEOR: return "RTL8139C(L)+ datasheet §9 (EOR; at most 64 descriptors per ring)"
        case .configWriteLocked: return "RTL8139C(L) datasheet §5.11 9346CR (EEM1:0 = 11: config register write enable)"
        case .cplusRegisterInCMode: return "RTL8139C(L)+ datasheet §6 C+CR (C+ mode enabled by TxEnb/RxEnb), v1.6 §6.33"
        case .cModeSlotInCPlusMode: return "RTL8139C(L)+ datasheet §6 (TSD0–3 are not used in C+ mode; 10h–17h is DTCCR)"
        }
    }
}
