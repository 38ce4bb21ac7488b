import NativeDriverKit

// The in-memory structures an AHCI port shares with the HBA (AHCI 1.3.1 §4.2), laid out in
// coherent DMA memory the driver allocates per port:
//
//   command list (§4.2.2): 32 command headers × 32 bytes, 1 KiB aligned
//   ┌────────────────────────────────────────────────────────────────┐
//   │ DW0  PRDTL[31:16] PMP[15:12] C B R P W A CFL[4:0]              │
//   │ DW1  PRDBC (bytes transferred)                                 │
//   │ DW2  CTBA (command table base, 128-byte aligned)               │
//   │ DW3  CTBAU                                                     │
//   │ DW4–7 reserved                                                 │
//   └────────────────────────────────────────────────────────────────┘
//   command table (§4.2.3): CFIS (64 B) · ACMD (16 B) · reserved (48 B) · PRDT (16 B per entry)
//   received FIS area (§4.2.1): DSFIS 0x00 · PSFIS 0x20 · RFIS 0x40 · SDBFIS 0x58 · UFIS 0x60, 256 B

/// The command list and its headers (AHCI 1.3.1 §4.2.2).
enum CommandList {
    /// Command slots an HBA can have (CAP.NCS is at most 31, zero-based).
    static let maximumSlots = 32
    /// Size of one command header.
    static let headerSize = 32
    /// Size of the whole list (32 headers).
    static let size = maximumSlots * headerSize
    /// PxCLB must be 1 KiB aligned (§3.3.1).
    static let alignment = 1024

    /// DW0 — Description Information.
    static let dw0 = 0x00
    /// DW1 — PRDBC, Physical Region Descriptor Byte Count.
    static let prdbc = 0x04
    /// DW2 — CTBA, Command Table Base Address.
    static let ctba = 0x08
    /// DW3 — CTBAU, Command Table Base Address Upper 32 bits.
    static let ctbau = 0x0C

    /// DW0.CFL — Command FIS Length in DWORDs (bits 4:0).
    static let cflMask: UInt32 = 0x1F
    /// DW0.W — Write: data moves from memory to the device (bit 6).
    static let write: UInt32 = 1 << 6
    /// DW0.PRDTL — Physical Region Descriptor Table Length (bits 31:16).
    static let prdtlShift: UInt32 = 16

    /// DW0 for a command whose FIS is `fisDWords` long, moving data to the device if `write`,
    /// with `prdEntries` PRDT entries.
    @inline(__always) static func descriptionInformation(fisDWords: Int, write isWrite: Bool, prdEntries: Int) -> UInt32 {
        UInt32(fisDWords) & cflMask | (isWrite ? write : 0) | UInt32(prdEntries) << prdtlShift
    }
}

/// A command table (AHCI 1.3.1 §4.2.3).
enum CommandTable {
    /// CFIS — the command FIS, up to 64 bytes.
    static let cfis = 0x00
    /// ACMD — the ATAPI command, 16 bytes.
    static let acmd = 0x40
    /// PRDT — the Physical Region Descriptor Table.
    static let prdt = 0x80
    /// CTBA must be 128-byte aligned (§4.2.2 DW2).
    static let alignment = 128
    /// PRDT entries the driver uses per command (one bounce buffer per slot: one region).
    static let prdEntries = 1
    /// Bytes per command table with ``prdEntries`` entries, rounded up to the alignment.
    static let stride = (prdt + prdEntries * PRD.size + alignment - 1) / alignment * alignment
}

/// A Physical Region Descriptor, one PRDT entry (AHCI 1.3.1 §4.2.3.3).
enum PRD {
    /// Size of an entry.
    static let size = 16
    /// DW0 — DBA, Data Base Address (bit 0 reserved: word aligned).
    static let dba = 0x00
    /// DW1 — DBAU, Data Base Address Upper 32 bits.
    static let dbau = 0x04
    /// DW3 — DBC (bits 21:0, byte count minus one, bit 0 always 1) and I (bit 31).
    static let dw3 = 0x0C
    /// DW3.DBC mask.
    static let dbcMask: UInt32 = 0x3F_FFFF
    /// DW3.I — Interrupt on Completion of this region.
    static let interruptOnCompletion: UInt32 = 1 << 31
    /// Largest byte count one entry describes (4 MiB).
    static let maximumBytes = 4 << 20
}

/// The received FIS area (AHCI 1.3.1 §4.2.1).
enum ReceivedFIS {
    /// Size of the area without FIS-based switching.
    static let size = 256
    /// PxFB must be 256-byte aligned (§3.3.3).
    static let alignment = 256
    /// DSFIS — DMA Setup FIS.
    static let dsfis = 0x00
    /// PSFIS — PIO Setup FIS.
    static let psfis = 0x20
    /// RFIS — D2H Register FIS.
    static let rfis = 0x40
    /// SDBFIS — Set Device Bits FIS.
    static let sdbfis = 0x58
    /// UFIS — Unknown FIS.
    static let ufis = 0x60
}

/// FIS types (Serial ATA 3.x §10.3).
enum FISType {
    /// Register — Host to Device.
    static let registerH2D: UInt8 = 0x27
    /// Register — Device to Host.
    static let registerD2H: UInt8 = 0x34
}

/// A Register Host-to-Device FIS (Serial ATA 3.x §10.3.4), 20 bytes: the ATA task file of one command.
struct RegisterH2DFIS {
    /// Length in DWORDs (the command header's CFL).
    static let dwords = 5
    /// Byte 1 bit 7 — C: this FIS carries a command (not a Device Control update).
    static let commandBit: UInt8 = 1 << 7

    var command: UInt8
    var features: UInt16 = 0
    var lba: UInt64 = 0
    var device: UInt8 = 0
    var count: UInt16 = 0

    /// Writes the FIS into `table` at CFIS (AHCI 1.3.1 §4.2.3.1) as five little-endian DWORDs.
    @inline(__always) func store(into table: DMABuffer, at offset: Int) {
        let dw0 = UInt32(FISType.registerH2D) | UInt32(Self.commandBit) << 8 | UInt32(command) << 16
            | UInt32(features & 0xFF) << 24
        let dw1 = UInt32(truncatingIfNeeded: lba & 0xFF_FFFF) | UInt32(device) << 24
        let dw2 = UInt32(truncatingIfNeeded: (lba >> 24) & 0xFF_FFFF) | UInt32(features >> 8) << 24
        let dw3 = UInt32(count)              // ICC and Control stay 0
        table.store32(offset, dw0)
        table.store32(offset + 4, dw1)
        table.store32(offset + 8, dw2)
        table.store32(offset + 12, dw3)
        table.store32(offset + 16, 0)        // Auxiliary
    }
}

/// A Register Device-to-Host FIS as the HBA copies it into RFIS (Serial ATA 3.x §10.3.5).
struct RegisterD2HFIS {
    /// ATA Status.
    var status: UInt8
    /// ATA Error.
    var error: UInt8
    /// LBA (for a failed command, the first failing sector).
    var lba: UInt64

    /// Reads the FIS at `offset` of the received-FIS area.
    init(from area: DMABuffer, at offset: Int) {
        status = area.load8(offset + 2)
        error = area.load8(offset + 3)
        let low = UInt64(area.load32(offset + 4) & 0xFF_FFFF)
        let high = UInt64(area.load32(offset + 8) & 0xFF_FFFF)
        lba = low | high << 24
    }
}
