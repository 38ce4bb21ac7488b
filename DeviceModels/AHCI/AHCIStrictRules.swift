import BoxlessPlatform

/// The AHCI rules strict mode checks (DESIGN.md, "Strict mode"): what real HBAs punish and lenient
/// emulators forgive. Each finding's message starts with the rule's ``summary`` and cites its section.
public enum AHCIRule: String, CaseIterable, StrictRule {
    /// `ahci.` and the case name.
    public var id: String { "ahci." + rawValue }

    /// GHC.AE clear while software uses AHCI registers.
    case aeNotSet
    /// PxCMD.ST set while PxCMD.CR is still set (the engine was not allowed to stop).
    case startWhileRunning
    /// PxCMD.ST set while PxCMD.FRE is clear.
    case startWithoutFRE
    /// PxCMD.FRE set before PxFB was programmed.
    case freWithoutFB
    /// PxCMD.FRE cleared while PxCMD.ST or CR is set.
    case freClearedWhileRunning
    /// PxCLB/PxCLBU written while the command list engine runs (ST or CR set).
    case clbWrittenWhileRunning
    /// PxFB/PxFBU written while FIS receive runs (FRE or FR set).
    case fbWrittenWhileRunning
    /// PxCLB with bits 9:0 set (not 1 KiB aligned).
    case clbMisaligned
    /// PxFB with bits 7:0 set (not 256-byte aligned).
    case fbMisaligned
    /// PxCI written while PxCMD.ST is clear.
    case ciWhileStopped
    /// PxSACT written while PxCMD.ST is clear.
    case sactWhileStopped
    /// PxCMD.CLO set while PxCMD.ST is set.
    case cloWhileRunning
    /// PxSCTL.DET changed while PxCMD.ST is set.
    case sctlWhileRunning
    /// Command table base (CTBA) not 128-byte aligned.
    case ctbaMisaligned
    /// Command FIS length (CFL) outside 5…16 DWORDs for a Register FIS, or not an H2D Register FIS.
    case badCommandFIS
    /// A PRD with an odd byte count (DBC bit 0 must be 1).
    case prdOddByteCount
    /// A PRD data base address with bit 0 set (must be word aligned).
    case prdMisaligned
    /// A data command with PRDTL = 0, or a PRDT shorter than the data.
    case prdtTooShort
    /// The command header's W bit does not match the command's data direction.
    case writeBitMismatch
    /// An NCQ command whose PxSACT bit was not set before PxCI.
    case ncqWithoutSACT
    /// An NCQ command whose TAG is not its command slot.
    case ncqTagMismatch
    /// A non-queued command issued while NCQ commands are outstanding.
    case nonQueuedDuringNCQ

    /// What the driver did wrong, in a few words.
    public var summary: String {
        switch self {
        case .aeNotSet: return "AHCI registers used while GHC.AE is clear"
        case .startWhileRunning: return "PxCMD.ST set while PxCMD.CR is still set (engine not yet stopped)"
        case .startWithoutFRE: return "PxCMD.ST set while PxCMD.FRE is clear"
        case .freWithoutFB: return "PxCMD.FRE set before PxFB/PxFBU were programmed"
        case .freClearedWhileRunning: return "PxCMD.FRE cleared while PxCMD.ST or PxCMD.CR is set"
        case .clbWrittenWhileRunning: return "PxCLB/PxCLBU written while PxCMD.ST or PxCMD.CR is set"
        case .fbWrittenWhileRunning: return "PxFB/PxFBU written while PxCMD.FRE or PxCMD.FR is set"
        case .clbMisaligned: return "PxCLB not 1 KiB aligned (bits 9:0 are reserved)"
        case .fbMisaligned: return "PxFB not 256-byte aligned (bits 7:0 are reserved)"
        case .ciWhileStopped: return "PxCI written while PxCMD.ST is clear"
        case .sactWhileStopped: return "PxSACT written while PxCMD.ST is clear"
        case .cloWhileRunning: return "PxCMD.CLO set while PxCMD.ST is set"
        case .sctlWhileRunning: return "PxSCTL.DET changed while PxCMD.ST is set"
        case .ctbaMisaligned: return "command table base address (CTBA) not 128-byte aligned"
        case .badCommandFIS: return "command FIS is not a 5–16 DWORD H2D Register FIS"
        case .prdOddByteCount: return "PRD data byte count is odd (DBC bit 0 must be 1)"
        case .prdMisaligned: return "PRD data base address not word aligned (DBA bit 0 set)"
        case .prdtTooShort: return "PRD table too short for the command's data"
        case .writeBitMismatch: return "command header W bit does not match the command's data direction"
        case .ncqWithoutSACT: return "NCQ command issued without its PxSACT bit set first"
        case .ncqTagMismatch: return "NCQ command TAG differs from its command slot"
        case .nonQueuedDuringNCQ: return "non-queued command issued while NCQ commands are outstanding"
        }
    }

    /// The section that states the rule.
    public var reference: String {
        switch self {
        case .aeNotSet: return "AHCI 1.3.1 §3.1.2 (GHC.AE)"
        case .startWhileRunning: return "AHCI 1.3.1 §3.3.7 (PxCMD.ST), §10.3.1"
        case .startWithoutFRE: return "AHCI 1.3.1 §3.3.7 (PxCMD.ST), §10.3.1"
        case .freWithoutFB: return "AHCI 1.3.1 §3.3.7 (PxCMD.FRE), §10.3.2"
        case .freClearedWhileRunning: return "AHCI 1.3.1 §3.3.7 (PxCMD.FRE), §10.3.2"
        case .clbWrittenWhileRunning: return "AHCI 1.3.1 §3.3.1, §10.3.1"
        case .fbWrittenWhileRunning: return "AHCI 1.3.1 §3.3.3, §10.3.2"
        case .clbMisaligned: return "AHCI 1.3.1 §3.3.1 (PxCLB)"
        case .fbMisaligned: return "AHCI 1.3.1 §3.3.3 (PxFB)"
        case .ciWhileStopped: return "AHCI 1.3.1 §3.3.14 (PxCI), §5.3.1"
        case .sactWhileStopped: return "AHCI 1.3.1 §3.3.13 (PxSACT)"
        case .cloWhileRunning: return "AHCI 1.3.1 §3.3.7 (PxCMD.CLO)"
        case .sctlWhileRunning: return "AHCI 1.3.1 §3.3.11 (PxSCTL.DET)"
        case .ctbaMisaligned: return "AHCI 1.3.1 §4.2.2 (command header DW2 CTBA)"
        case .badCommandFIS: return "AHCI 1.3.1 §4.2.2 (command header CFL), §4.2.3"
        case .prdOddByteCount: return "AHCI 1.3.1 §4.2.3.3 (PRD DBC)"
        case .prdMisaligned: return "AHCI 1.3.1 §4.2.3.3 (PRD DBA)"
        case .prdtTooShort: return "AHCI 1.3.1 §4.2.2 (PRDTL), §4.2.3.3"
        case .writeBitMismatch: return "AHCI 1.3.1 §4.2.2 (command header W)"
        case .ncqWithoutSACT: return "AHCI 1.3.1 §3.3.13 (PxSACT), §5.3.1"
        case .ncqTagMismatch: return "AHCI 1.3.1 §3.3.13 (PxSACT: bit n is the tag of slot n)"
        case .nonQueuedDuringNCQ: return "ATA8-ACS Native Command Queuing feature set"
        }
    }
}
