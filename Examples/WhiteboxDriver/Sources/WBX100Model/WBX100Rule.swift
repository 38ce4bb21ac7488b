import BoxlessDeviceKit

/// The WBX-100 rules strict mode checks (README.md, "Datasheet" §4.3): what the chip punishes.
/// Each finding names its rule by ``id`` and cites ``reference``.
public enum WBX100Rule: String, CaseIterable, StrictRule {
    /// A ring base not 128-byte aligned.
    case ringMisaligned
    /// A ring length not a power of two in 4…256.
    case ringSize
    /// A ring's base or length written while its engine is enabled.
    case ringWrittenWhileEnabled
    /// RDT or TDT written with a value outside the ring.
    case tailOutOfRange

    /// `wbx100.` and the case name.
    public var id: String { "wbx100." + rawValue }

    /// What the driver did wrong, in a few words.
    public var summary: String {
        switch self {
        case .ringMisaligned: return "descriptor ring base not 128-byte aligned"
        case .ringSize: return "descriptor ring length not a power of two in 4…256"
        case .ringWrittenWhileEnabled: return "descriptor ring base or length written while the engine is enabled"
        case .tailOutOfRange: return "tail written outside the ring"
        }
    }

    /// The datasheet section (README.md).
    public var reference: String {
        switch self {
        case .ringMisaligned, .ringSize: return "WBX-100 datasheet §4.1"
        case .ringWrittenWhileEnabled: return "WBX-100 datasheet §4.3"
        case .tailOutOfRange: return "WBX-100 datasheet §4.2"
        }
    }
}
