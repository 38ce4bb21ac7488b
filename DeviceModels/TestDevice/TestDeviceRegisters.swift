import BoxlessPlatform

/// Register map of the Boxless exerciser, a synthetic PCIe function (vendor 0x1234, device 0xB0C5)
/// that uses every platform feature: a 64-bit prefetchable BAR with registers and SRAM, a 32-bit BAR
/// holding the MSI-X table and PBA, an I/O BAR, MSI with per-vector masking, MSI-X, INTx, and a DMA
/// engine. This file is its datasheet: section numbers below (§n) refer to `README.md` beside it.
public enum ExerciserRegister {
    /// ID — RO, reads ``ExerciserRegister/idValue`` (§2.1).
    public static let id: UInt64 = 0x000
    /// SCRATCH — RW, no effect (§2.2).
    public static let scratch: UInt64 = 0x004
    /// STATUS — RO: bit 0 READY, bit 1 DMA_BUSY (§2.3).
    public static let status: UInt64 = 0x008
    /// CONTROL — RW: bit 0 RESET (self-clearing), bit 1 IRQ_ENABLE; other bits reserved (§2.4).
    public static let control: UInt64 = 0x00C
    /// ISR — interrupt causes, write 1 to clear: bit 0 DMA_DONE, bit 1 TIMER, bit 2 DMA_ERROR (§2.5).
    public static let isr: UInt64 = 0x010
    /// IMR — RW interrupt enables, same bits as ISR (§2.5).
    public static let imr: UInt64 = 0x014
    /// DMA_ADDR_LO — RW, low half of the DMA bus address (§2.6).
    public static let dmaAddressLow: UInt64 = 0x018
    /// DMA_ADDR_HI — RW, high half of the DMA bus address (§2.6).
    public static let dmaAddressHigh: UInt64 = 0x01C
    /// DMA_OFFSET — RW, byte offset into SRAM (§2.6).
    public static let dmaOffset: UInt64 = 0x020
    /// DMA_LENGTH — RW, bytes to move, 1–4096 (§2.6).
    public static let dmaLength: UInt64 = 0x024
    /// DMA_COMMAND — WO: bit 0 START, bit 1 TO_MEMORY (0: memory → SRAM, 1: SRAM → memory) (§2.6).
    public static let dmaCommand: UInt64 = 0x028
    /// DMA_RESULT — RO: 0 ok, 1 master abort, 2 IOMMU fault, 3 bad length or offset (§2.6).
    public static let dmaResult: UInt64 = 0x02C
    /// TIMER — RW: raise TIMER after this many microseconds (0 stops it) (§2.7).
    public static let timer: UInt64 = 0x030
    /// DMA_COUNT — read-to-clear count of finished DMA transfers (§2.6).
    public static let dmaCount: UInt64 = 0x034
    /// VECTOR_MAP — RW: bits 3:0 vector for DMA_DONE/DMA_ERROR, bits 7:4 vector for TIMER (§2.5).
    public static let vectorMap: UInt64 = 0x040
    /// SRAM — 4 KiB of RW device memory, any width (§2.8).
    public static let sram: UInt64 = 0x1000
    /// SRAM size.
    public static let sramSize = 4096

    /// The ID register's value: device ID in the high half, register-layout version 1 in the low.
    public static let idValue: UInt32 = 0xB0C5_0001
    /// STATUS.READY.
    public static let statusReady: UInt32 = 1 << 0
    /// STATUS.DMA_BUSY.
    public static let statusDMABusy: UInt32 = 1 << 1
    /// CONTROL.RESET.
    public static let controlReset: UInt32 = 1 << 0
    /// CONTROL.IRQ_ENABLE.
    public static let controlIRQEnable: UInt32 = 1 << 1
    /// ISR/IMR DMA_DONE.
    public static let causeDMADone: UInt32 = 1 << 0
    /// ISR/IMR TIMER.
    public static let causeTimer: UInt32 = 1 << 1
    /// ISR/IMR DMA_ERROR.
    public static let causeDMAError: UInt32 = 1 << 2
    /// DMA_COMMAND.START.
    public static let commandStart: UInt32 = 1 << 0
    /// DMA_COMMAND.TO_MEMORY.
    public static let commandToMemory: UInt32 = 1 << 1

    /// I/O BAR: PORT_ID — RO, reads 0xB0C5 (§3).
    public static let portID: UInt64 = 0x00
    /// I/O BAR: DOORBELL — WO, each write counts one ring (§3).
    public static let portDoorbell: UInt64 = 0x04
    /// I/O BAR: DOORBELL_COUNT — RO (§3).
    public static let portDoorbellCount: UInt64 = 0x08

    /// The BAR0 register map.
    public static let map = RegisterMap([
        RegisterInfo("ID", offset: id, access: .readOnly),
        RegisterInfo("SCRATCH", offset: scratch),
        RegisterInfo("STATUS", offset: status, access: .readOnly),
        RegisterInfo("CONTROL", offset: control),
        RegisterInfo("ISR", offset: isr, access: .writeOneToClear),
        RegisterInfo("IMR", offset: imr),
        RegisterInfo("DMA_ADDR_LO", offset: dmaAddressLow),
        RegisterInfo("DMA_ADDR_HI", offset: dmaAddressHigh),
        RegisterInfo("DMA_OFFSET", offset: dmaOffset),
        RegisterInfo("DMA_LENGTH", offset: dmaLength),
        RegisterInfo("DMA_COMMAND", offset: dmaCommand, access: .writeOnly),
        RegisterInfo("DMA_RESULT", offset: dmaResult, access: .readOnly),
        RegisterInfo("TIMER", offset: timer),
        RegisterInfo("DMA_COUNT", offset: dmaCount, access: .readToClear),
        RegisterInfo("VECTOR_MAP", offset: vectorMap),
        RegisterInfo("SRAM", offset: sram, width: .qword),   // the window continues below
    ] + (1..<sramSize / 8).map { RegisterInfo("SRAM", offset: sram + UInt64($0) * 8, width: .qword) })

    /// The I/O BAR register map.
    public static let portMap = RegisterMap([
        RegisterInfo("PORT_ID", offset: portID, access: .readOnly),
        RegisterInfo("DOORBELL", offset: portDoorbell, access: .writeOnly),
        RegisterInfo("DOORBELL_COUNT", offset: portDoorbellCount, access: .readOnly),
    ])
}
