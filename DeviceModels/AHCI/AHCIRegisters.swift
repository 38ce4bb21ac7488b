import BoxlessPlatform

// Register map of the HBA memory space (ABAR, BAR5) — Serial ATA AHCI 1.3.1 §3.
// Names are the specification's; each constant's doc comment keeps the datasheet name.

/// Generic Host Control registers (AHCI 1.3.1 §3.1), offsets in ABAR.
enum HostRegister {
    /// CAP — Host Capabilities (§3.1.1).
    static let cap: UInt64 = 0x00
    /// GHC — Global HBA Control (§3.1.2).
    static let ghc: UInt64 = 0x04
    /// IS — Interrupt Status, one RW1C bit per port (§3.1.3).
    static let interruptStatus: UInt64 = 0x08
    /// PI — Ports Implemented (§3.1.4).
    static let pi: UInt64 = 0x0C
    /// VS — Version (§3.1.5).
    static let vs: UInt64 = 0x10
    /// CCC_CTL — Command Completion Coalescing Control (§3.1.6); not supported (CAP.CCCS = 0).
    static let cccCtl: UInt64 = 0x14
    /// CCC_PORTS (§3.1.7); not supported.
    static let cccPorts: UInt64 = 0x18
    /// EM_LOC — Enclosure Management Location (§3.1.8); not supported (CAP.EMS = 0).
    static let emLoc: UInt64 = 0x1C
    /// EM_CTL (§3.1.9); not supported.
    static let emCtl: UInt64 = 0x20
    /// CAP2 — Host Capabilities Extended (§3.1.10).
    static let cap2: UInt64 = 0x24
    /// BOHC — BIOS/OS Handoff Control and Status (§3.1.11).
    static let bohc: UInt64 = 0x28
    /// First port register block (§3.3): port *n* is at 0x100 + n × 0x80.
    static let portBase: UInt64 = 0x100
    /// Bytes per port register block.
    static let portStride: UInt64 = 0x80
}

/// CAP bits (§3.1.1).
enum CAPBit {
    /// S64A — Supports 64-bit Addressing.
    static let s64a: UInt32 = 1 << 31
    /// SNCQ — Supports Native Command Queuing.
    static let sncq: UInt32 = 1 << 30
    /// SSNTF — Supports SNotification Register.
    static let ssntf: UInt32 = 1 << 29
    /// SSS — Supports Staggered Spin-up (PxCMD.SUD is then software controlled).
    static let sss: UInt32 = 1 << 27
    /// SCLO — Supports Command List Override.
    static let sclo: UInt32 = 1 << 24
    /// ISS — Interface Speed Support, bits 23:20 (1 = Gen1, 2 = Gen2, 3 = Gen3).
    static let issShift: UInt32 = 20
    /// PMD — PIO Multiple DRQ Block.
    static let pmd: UInt32 = 1 << 15
    /// NCS — Number of Command Slots, bits 12:8, zero based.
    static let ncsShift: UInt32 = 8
}

/// GHC bits (§3.1.2).
enum GHCBit {
    /// AE — AHCI Enable.
    static let ae: UInt32 = 1 << 31
    /// MRSM — MSI Revert to Single Message (read-only; one vector here).
    static let mrsm: UInt32 = 1 << 2
    /// IE — Interrupt Enable.
    static let ie: UInt32 = 1 << 1
    /// HR — HBA Reset (self-clearing).
    static let hr: UInt32 = 1 << 0
}

/// CAP2 bits (§3.1.10).
enum CAP2Bit {
    /// BOH — BIOS/OS Handoff.
    static let boh: UInt32 = 1 << 0
}

/// BOHC bits (§3.1.11).
enum BOHCBit {
    /// BOS — BIOS Owned Semaphore.
    static let bos: UInt32 = 1 << 0
    /// OOS — OS Owned Semaphore.
    static let oos: UInt32 = 1 << 1
    /// SOOE — SMI on OS Ownership Change Enable.
    static let sooe: UInt32 = 1 << 2
    /// OOC — OS Ownership Change (RW1C).
    static let ooc: UInt32 = 1 << 3
    /// BB — BIOS Busy.
    static let bb: UInt32 = 1 << 4
}

/// Port registers (§3.3), offsets inside a port's 0x80-byte block.
enum PortRegister {
    /// PxCLB — Command List Base Address, 1 KiB aligned (§3.3.1).
    static let clb: UInt64 = 0x00
    /// PxCLBU — upper 32 bits (§3.3.2).
    static let clbu: UInt64 = 0x04
    /// PxFB — FIS Base Address, 256-byte aligned (§3.3.3).
    static let fb: UInt64 = 0x08
    /// PxFBU — upper 32 bits (§3.3.4).
    static let fbu: UInt64 = 0x0C
    /// PxIS — Interrupt Status, RW1C (§3.3.5).
    static let interruptStatus: UInt64 = 0x10
    /// PxIE — Interrupt Enable (§3.3.6).
    static let interruptEnable: UInt64 = 0x14
    /// PxCMD — Command and Status (§3.3.7).
    static let cmd: UInt64 = 0x18
    /// PxTFD — Task File Data (§3.3.8).
    static let tfd: UInt64 = 0x20
    /// PxSIG — Signature (§3.3.9).
    static let sig: UInt64 = 0x24
    /// PxSSTS — SATA Status, SCR0: SStatus (§3.3.10).
    static let ssts: UInt64 = 0x28
    /// PxSCTL — SATA Control, SCR2: SControl (§3.3.11).
    static let sctl: UInt64 = 0x2C
    /// PxSERR — SATA Error, SCR1: SError, RW1C (§3.3.12).
    static let serr: UInt64 = 0x30
    /// PxSACT — SATA Active, SCR3: SActive (§3.3.13).
    static let sact: UInt64 = 0x34
    /// PxCI — Command Issue (§3.3.14).
    static let ci: UInt64 = 0x38
    /// PxSNTF — SATA Notification, SCR4, RW1C (§3.3.15).
    static let sntf: UInt64 = 0x3C
    /// PxFBS — FIS-based Switching Control (§3.3.16); not supported, reads 0.
    static let fbs: UInt64 = 0x40
    /// PxDEVSLP — Device Sleep (§3.3.17); not supported, reads 0.
    static let devslp: UInt64 = 0x44
}

/// PxIS / PxIE bits (§3.3.5, §3.3.6).
enum PortIRQ {
    /// DHRS — Device to Host Register FIS Interrupt.
    static let dhrs: UInt32 = 1 << 0
    /// PSS — PIO Setup FIS Interrupt.
    static let pss: UInt32 = 1 << 1
    /// DSS — DMA Setup FIS Interrupt.
    static let dss: UInt32 = 1 << 2
    /// SDBS — Set Device Bits Interrupt.
    static let sdbs: UInt32 = 1 << 3
    /// UFS — Unknown FIS Interrupt (read-only here).
    static let ufs: UInt32 = 1 << 4
    /// DPS — Descriptor Processed.
    static let dps: UInt32 = 1 << 5
    /// PCS — Port Connect Change Status (reflects PxSERR.DIAG.X; read-only).
    static let pcs: UInt32 = 1 << 6
    /// DMPS — Device Mechanical Presence Status.
    static let dmps: UInt32 = 1 << 7
    /// PRCS — PhyRdy Change Status (reflects PxSERR.DIAG.N; read-only).
    static let prcs: UInt32 = 1 << 22
    /// IPMS — Incorrect Port Multiplier Status.
    static let ipms: UInt32 = 1 << 23
    /// OFS — Overflow Status.
    static let ofs: UInt32 = 1 << 24
    /// INFS — Interface Non-fatal Error Status.
    static let infs: UInt32 = 1 << 26
    /// IFS — Interface Fatal Error Status.
    static let ifs: UInt32 = 1 << 27
    /// HBDS — Host Bus Data Error Status.
    static let hbds: UInt32 = 1 << 28
    /// HBFS — Host Bus Fatal Error Status.
    static let hbfs: UInt32 = 1 << 29
    /// TFES — Task File Error Status.
    static let tfes: UInt32 = 1 << 30
    /// CPDS — Cold Port Detect Status.
    static let cpds: UInt32 = 1 << 31
    /// Bits software clears by writing 1 (PCS, PRCS and UFS are cleared through PxSERR instead).
    static let writeOneToClear: UInt32 = dhrs | pss | dss | sdbs | dps | dmps | ipms | ofs | infs | ifs | hbds | hbfs | tfes | cpds
    /// Errors that halt the port until software clears PxCMD.ST (§6.1.2 fatal errors, plus OFS).
    static let fatal: UInt32 = tfes | hbfs | hbds | ifs | ofs
    /// Bits PxIE implements.
    static let enableMask: UInt32 = writeOneToClear | ufs | pcs | prcs
}

/// PxCMD bits (§3.3.7).
enum PortCMD {
    /// ST — Start.
    static let st: UInt32 = 1 << 0
    /// SUD — Spin-Up Device.
    static let sud: UInt32 = 1 << 1
    /// POD — Power On Device (read-only 1: no cold presence detect).
    static let pod: UInt32 = 1 << 2
    /// CLO — Command List Override.
    static let clo: UInt32 = 1 << 3
    /// FRE — FIS Receive Enable.
    static let fre: UInt32 = 1 << 4
    /// CCS — Current Command Slot, bits 12:8.
    static let ccsShift: UInt32 = 8
    /// FR — FIS Receive Running.
    static let fr: UInt32 = 1 << 14
    /// CR — Command List Running.
    static let cr: UInt32 = 1 << 15
    /// Bits stored as written without behaviour here: PMA(17), ATAPI(24), DLAE(25), ALPE(26), ASP(27).
    static let plainRW: UInt32 = 1 << 17 | 1 << 24 | 1 << 25 | 1 << 26 | 1 << 27
    /// ICC — Interface Communication Control, bits 31:28.
    static let iccShift: UInt32 = 28
}

/// PxTFD / ATA Status fields (§3.3.8).
enum PortTFD {
    /// Value after reset and during COMRESET (§3.3.8 default, §3.3.11).
    static let resetValue: UInt32 = 0x7F
}

/// PxSSTS fields (§3.3.10).
enum SStatus {
    /// DET = 0: no device detected and Phy communication not established.
    static let detNone: UInt32 = 0
    /// DET = 1: device presence detected but Phy communication not established.
    static let detPresent: UInt32 = 1
    /// DET = 3: device presence detected and Phy communication established.
    static let detEstablished: UInt32 = 3
    /// DET = 4: Phy in offline mode (interface disabled or BIST loopback).
    static let detOffline: UInt32 = 4
    /// IPM = 1: interface in active state (bits 11:8).
    static let ipmActive: UInt32 = 1 << 8
    /// SPD field shift (bits 7:4).
    static let spdShift: UInt32 = 4
}

/// PxSERR bits (§3.3.12): DIAG in 31:16, ERR in 15:0.
enum SError {
    /// ERR.I — Recovered Data Integrity Error.
    static let errRecoveredData: UInt32 = 1 << 0
    /// ERR.T — Transient Data Integrity Error.
    static let errTransientData: UInt32 = 1 << 8
    /// ERR.C — Persistent Communication or Data Integrity Error.
    static let errPersistent: UInt32 = 1 << 9
    /// ERR.P — Protocol Error.
    static let errProtocol: UInt32 = 1 << 10
    /// ERR.E — Internal Error.
    static let errInternal: UInt32 = 1 << 11
    /// DIAG.N — PhyRdy Change.
    static let diagPhyRdyChange: UInt32 = 1 << 16
    /// DIAG.C — CRC Error.
    static let diagCRC: UInt32 = 1 << 21
    /// DIAG.F — Unknown FIS Type.
    static let diagUnknownFIS: UInt32 = 1 << 25
    /// DIAG.X — Exchanged (COMINIT received).
    static let diagExchanged: UInt32 = 1 << 26
}

/// Received FIS area layout (§4.2.1), offsets from PxFB.
enum ReceivedFIS {
    /// DSFIS — DMA Setup FIS.
    static let dmaSetup: UInt64 = 0x00
    /// PSFIS — PIO Setup FIS.
    static let pioSetup: UInt64 = 0x20
    /// RFIS — D2H Register FIS.
    static let d2hRegister: UInt64 = 0x40
    /// SDBFIS — Set Device Bits FIS.
    static let setDeviceBits: UInt64 = 0x58
    /// Size of the area (and its alignment without FIS-based switching).
    static let size: UInt64 = 0x100
}

/// Command list and command table layout (§4.2.2, §4.2.3).
enum CommandList {
    /// Command slots (CAP.NCS + 1).
    static let slots = 32
    /// Bytes per command header.
    static let headerSize: UInt64 = 32
    /// Alignment of PxCLB (§3.3.1).
    static let alignment: UInt64 = 1024
    /// Offset of the PRDT in a command table (§4.2.3).
    static let prdtOffset = 0x80
    /// Bytes per PRD entry.
    static let prdSize = 16
    /// DW0 CFL — Command FIS Length in DWORDs, bits 4:0.
    static let cflMask: UInt32 = 0x1F
    /// DW0 A — ATAPI.
    static let atapi: UInt32 = 1 << 5
    /// DW0 W — Write (H2D data direction).
    static let write: UInt32 = 1 << 6
    /// DW0 P — Prefetchable.
    static let prefetchable: UInt32 = 1 << 7
    /// DW0 R — Reset.
    static let reset: UInt32 = 1 << 8
    /// DW0 C — Clear Busy upon R_OK.
    static let clearBusy: UInt32 = 1 << 10
    /// DW0 PRDTL — PRD Table Length, bits 31:16.
    static let prdtlShift: UInt32 = 16
    /// PRD DW3 I — Interrupt on Completion.
    static let prdInterrupt: UInt32 = 1 << 31
    /// PRD DW3 DBC — Data Byte Count (zero based, bit 0 always 1), bits 21:0.
    static let prdByteCountMask: UInt32 = 0x3F_FFFF
}

/// Intel ICH9 SATA controller specifics (ICH9 datasheet, SATA controller D31:F2 in AHCI mode).
enum ICH9 {
    /// PCI vendor ID (Intel).
    static let vendorID: UInt16 = 0x8086
    /// PCI device ID of the ICH9 6-port SATA AHCI controller.
    static let deviceID: UInt16 = 0x2922
    /// Class code: mass storage (01), SATA (06), AHCI 1.0 programming interface (01).
    static let classCode: UInt32 = 0x01_06_01
    /// Revision ID (ICH9 A2-stepping style value; software does not depend on it).
    static let revision: UInt8 = 0x02
    /// BAR4 (LBAR/"SIDPBA" in AHCI mode) I/O window size: the legacy bus-master registers
    /// (0x00–0x0F, not modelled) and the AHCI index/data pair.
    static let bar4Size: UInt64 = 32
    /// AIR — AHCI Index Register at BAR4 + 0x10: bits select a DWORD offset in ABAR.
    static let indexRegister: UInt64 = 0x10
    /// AIDR — AHCI Index Data Register at BAR4 + 0x14: reads and writes the ABAR DWORD AIR selects.
    static let dataRegister: UInt64 = 0x14
    /// ABAR (BAR5) size used here. ICH9 silicon decodes 2 KiB; 8 KiB is what the AHCI
    /// specification's register map allows for and what generic drivers accept.
    static let abarSize: UInt64 = 8192
}
