// Register map of an AHCI 1.3.1 HBA: the generic host control registers (§3.1) and the port
// registers (§3.3), with their bits named as the specification names them.
//
//   ABAR (BAR5) ──▶ 0x000 ┌──────────────────────────────┐
//                         │ Generic Host Control (§3.1)  │ CAP GHC IS PI VS … CAP2 BOHC
//                   0x0A0 ├──────────────────────────────┤
//                         │ reserved / vendor specific   │
//                   0x100 ├──────────────────────────────┤
//                         │ Port 0 registers (§3.3)      │ 0x80 bytes each
//                   0x180 ├──────────────────────────────┤
//                         │ Port 1 …  up to port 31      │
//                         └──────────────────────────────┘

/// Offsets of the generic host control registers in ABAR (AHCI 1.3.1 §3.1).
enum HBARegister {
    /// CAP — HBA Capabilities (§3.1.1).
    static let cap = 0x00
    /// GHC — Global HBA Control (§3.1.2).
    static let ghc = 0x04
    /// IS — Interrupt Status, one bit per port, RW1C (§3.1.3).
    static let interruptStatus = 0x08
    /// PI — Ports Implemented (§3.1.4).
    static let portsImplemented = 0x0C
    /// VS — AHCI Version (§3.1.5).
    static let version = 0x10
    /// CAP2 — HBA Capabilities Extended (§3.1.10).
    static let cap2 = 0x24
    /// Most ports an HBA can have (CAP.NP is five bits, zero-based; PI has 32 bits).
    static let maximumPorts = 32
    /// Offset of port 0's register block (§3.3).
    static let portBase = 0x100
    /// Size of one port's register block (§3.3).
    static let portStride = 0x80
    /// The register block of `port` starts here.
    @inline(__always) static func port(_ port: Int) -> Int { portBase + port * portStride }
}

/// Bits of CAP — HBA Capabilities (AHCI 1.3.1 §3.1.1).
enum CAP {
    /// NP — Number of Ports, zero-based (bits 4:0).
    static let npMask: UInt32 = 0x1F
    /// NCS — Number of Command Slots, zero-based (bits 12:8).
    static let ncsShift: UInt32 = 8
    /// NCS field width mask (after shifting).
    static let ncsMask: UInt32 = 0x1F
    /// SCLO — Supports Command List Override (bit 24).
    static let sclo: UInt32 = 1 << 24
    /// SSS — Supports Staggered Spin-up (bit 27).
    static let sss: UInt32 = 1 << 27
    /// SNCQ — Supports Native Command Queuing (bit 30).
    static let sncq: UInt32 = 1 << 30
    /// S64A — Supports 64-bit Addressing (bit 31).
    static let s64a: UInt32 = 1 << 31
}

/// Bits of GHC — Global HBA Control (AHCI 1.3.1 §3.1.2).
enum GHC {
    /// HR — HBA Reset (bit 0): set by software, cleared by the HBA when the reset is done (§10.4.3).
    static let hr: UInt32 = 1 << 0
    /// IE — Interrupt Enable (bit 1).
    static let ie: UInt32 = 1 << 1
    /// MRSM — MSI Revert to Single Message (bit 2, read-only).
    static let mrsm: UInt32 = 1 << 2
    /// AE — AHCI Enable (bit 31).
    static let ae: UInt32 = 1 << 31
}

/// Offsets of the port registers within one port's block (AHCI 1.3.1 §3.3).
enum PortRegister {
    /// PxCLB — Command List Base Address, 1 KiB aligned (§3.3.1).
    static let clb = 0x00
    /// PxCLBU — Command List Base Address Upper 32 bits (§3.3.2).
    static let clbu = 0x04
    /// PxFB — FIS Base Address, 256-byte aligned (§3.3.3).
    static let fb = 0x08
    /// PxFBU — FIS Base Address Upper 32 bits (§3.3.4).
    static let fbu = 0x0C
    /// PxIS — Interrupt Status, RW1C (§3.3.5).
    static let interruptStatus = 0x10
    /// PxIE — Interrupt Enable (§3.3.6).
    static let interruptEnable = 0x14
    /// PxCMD — Command and Status (§3.3.7).
    static let cmd = 0x18
    /// PxTFD — Task File Data (§3.3.8).
    static let tfd = 0x20
    /// PxSIG — Signature (§3.3.9).
    static let sig = 0x24
    /// PxSSTS — Serial ATA Status, SStatus (§3.3.10).
    static let ssts = 0x28
    /// PxSCTL — Serial ATA Control, SControl (§3.3.11).
    static let sctl = 0x2C
    /// PxSERR — Serial ATA Error, SError, RW1C (§3.3.12).
    static let serr = 0x30
    /// PxSACT — Serial ATA Active, SActive (§3.3.13).
    static let sact = 0x34
    /// PxCI — Command Issue (§3.3.14).
    static let ci = 0x38
}

/// Bits of PxIS — Port x Interrupt Status (AHCI 1.3.1 §3.3.5). PxIE (§3.3.6) uses the same
/// positions with the enable names (DHRE, PSE, …).
struct PortInterrupt: OptionSet, Sendable {
    var rawValue: UInt32
    /// DHRS — Device to Host Register FIS Interrupt (bit 0).
    static let dhrs = PortInterrupt(rawValue: 1 << 0)
    /// PSS — PIO Setup FIS Interrupt (bit 1).
    static let pss = PortInterrupt(rawValue: 1 << 1)
    /// DSS — DMA Setup FIS Interrupt (bit 2).
    static let dss = PortInterrupt(rawValue: 1 << 2)
    /// SDBS — Set Device Bits Interrupt (bit 3).
    static let sdbs = PortInterrupt(rawValue: 1 << 3)
    /// UFS — Unknown FIS Interrupt (bit 4).
    static let ufs = PortInterrupt(rawValue: 1 << 4)
    /// DPS — Descriptor Processed (bit 5).
    static let dps = PortInterrupt(rawValue: 1 << 5)
    /// PCS — Port Connect Change Status (bit 6).
    static let pcs = PortInterrupt(rawValue: 1 << 6)
    /// DMPS — Device Mechanical Presence Status (bit 7).
    static let dmps = PortInterrupt(rawValue: 1 << 7)
    /// PRCS — PhyRdy Change Status (bit 22).
    static let prcs = PortInterrupt(rawValue: 1 << 22)
    /// IPMS — Incorrect Port Multiplier Status (bit 23).
    static let ipms = PortInterrupt(rawValue: 1 << 23)
    /// OFS — Overflow Status (bit 24).
    static let ofs = PortInterrupt(rawValue: 1 << 24)
    /// INFS — Interface Non-fatal Error Status (bit 26).
    static let infs = PortInterrupt(rawValue: 1 << 26)
    /// IFS — Interface Fatal Error Status (bit 27).
    static let ifs = PortInterrupt(rawValue: 1 << 27)
    /// HBDS — Host Bus Data Error Status (bit 28).
    static let hbds = PortInterrupt(rawValue: 1 << 28)
    /// HBFS — Host Bus Fatal Error Status (bit 29).
    static let hbfs = PortInterrupt(rawValue: 1 << 29)
    /// TFES — Task File Error Status (bit 30).
    static let tfes = PortInterrupt(rawValue: 1 << 30)
    /// CPDS — Cold Port Detect Status (bit 31).
    static let cpds = PortInterrupt(rawValue: 1 << 31)

    /// Errors after which the port stops processing commands until software restarts it
    /// (§6.1.2: TFES, HBFS, HBDS, IFS; OFS is handled the same way because the data moved is bad).
    static let fatal: PortInterrupt = [.tfes, .hbfs, .hbds, .ifs, .ofs]
    /// What the driver enables in PxIE: command completion, every error, and link changes.
    static let enabled: PortInterrupt = [.dhrs, .pss, .dss, .sdbs, .ufs, .pcs, .prcs, .ofs, .infs, .ifs, .hbds, .hbfs, .tfes]
    /// Every defined bit (to clear PxIS in one write).
    static let all = PortInterrupt(rawValue: 0xFDC0_00FF)
}

/// Bits of PxCMD — Port x Command and Status (AHCI 1.3.1 §3.3.7).
enum PxCMD {
    /// ST — Start: the HBA may process the command list (bit 0).
    static let st: UInt32 = 1 << 0
    /// SUD — Spin-Up Device (bit 1; writable only when CAP.SSS = 1).
    static let sud: UInt32 = 1 << 1
    /// POD — Power On Device (bit 2).
    static let pod: UInt32 = 1 << 2
    /// CLO — Command List Override (bit 3): clears PxTFD.STS.BSY and DRQ.
    static let clo: UInt32 = 1 << 3
    /// FRE — FIS Receive Enable (bit 4).
    static let fre: UInt32 = 1 << 4
    /// CCS — Current Command Slot (bits 12:8).
    static let ccsShift: UInt32 = 8
    /// CCS field mask (after shifting).
    static let ccsMask: UInt32 = 0x1F
    /// FR — FIS Receive Running (bit 14).
    static let fr: UInt32 = 1 << 14
    /// CR — Command List Running (bit 15).
    static let cr: UInt32 = 1 << 15
    /// ICC — Interface Communication Control (bits 31:28); the driver keeps it at 0 (No-Op/Idle).
    static let iccMask: UInt32 = 0xF000_0000
}

/// Fields of PxTFD — Port x Task File Data (AHCI 1.3.1 §3.3.8): a copy of the device's ATA
/// Status (bits 7:0) and Error (bits 15:8) registers.
enum PxTFD {
    /// STS.ERR — an error occurred (bit 0).
    static let stsErr: UInt32 = 1 << 0
    /// STS.DRQ — data transfer requested (bit 3).
    static let stsDrq: UInt32 = 1 << 3
    /// STS.BSY — interface busy (bit 7).
    static let stsBsy: UInt32 = 1 << 7
    /// ERR field shift (bits 15:8).
    static let errShift: UInt32 = 8
    /// ERR field mask (after shifting).
    static let errMask: UInt32 = 0xFF
}

/// PxSIG values (AHCI 1.3.1 §3.3.9; the signature of the device's first D2H Register FIS,
/// Serial ATA 3.x §11.3).
enum PxSIG {
    /// An ATA (disk) device.
    static let ata: UInt32 = 0x0000_0101
    /// An ATAPI device.
    static let atapi: UInt32 = 0xEB14_0101
    /// A port multiplier.
    static let portMultiplier: UInt32 = 0x9669_0101
}

/// Fields of PxSSTS — SStatus (AHCI 1.3.1 §3.3.10).
enum PxSSTS {
    /// DET — Device Detection (bits 3:0).
    static let detMask: UInt32 = 0xF
    /// DET = 3: device present and Phy communication established.
    static let detPresentAndPhyUp: UInt32 = 3
    /// SPD — Current Interface Speed (bits 7:4).
    static let spdShift: UInt32 = 4
    /// SPD mask (after shifting).
    static let spdMask: UInt32 = 0xF
}

/// Fields of PxSCTL — SControl (AHCI 1.3.1 §3.3.11).
enum PxSCTL {
    /// DET — Device Detection Initialization (bits 3:0).
    static let detMask: UInt32 = 0xF
    /// DET = 0: no device detection or initialization action requested.
    static let detNone: UInt32 = 0
    /// DET = 1: perform interface communication initialization (COMRESET).
    static let detComreset: UInt32 = 1
    /// IPM — Interface Power Management Transitions Allowed (bits 11:8); 3 = Partial and Slumber disabled.
    static let ipmShift: UInt32 = 8
    /// IPM value disabling both Partial and Slumber.
    static let ipmNoPartialNoSlumber: UInt32 = 3
}

