/// The exerciser's registers as the driver knows them (from the device's datasheet,
/// `DeviceModels/TestDevice/README.md`, §2–§3). A driver keeps its own copy: it never sees the model.
enum Reg {
    static let id = 0x000, scratch = 0x004, status = 0x008, control = 0x00C, isr = 0x010, imr = 0x014
    static let dmaAddressLow = 0x018, dmaAddressHigh = 0x01C, dmaOffset = 0x020, dmaLength = 0x024
    static let dmaCommand = 0x028, dmaResult = 0x02C, timer = 0x030, dmaCount = 0x034, vectorMap = 0x040
    static let sram = 0x1000
    /// I/O BAR ports (§3).
    static let portID = 0x00, portDoorbell = 0x04
}

/// Bit values of the exerciser's registers (§2).
enum Bits {
    static let idValue: UInt32 = 0xB0C5_0001
    static let statusReady: UInt32 = 1 << 0
    static let controlReset: UInt32 = 1 << 0
    static let controlIRQEnable: UInt32 = 1 << 1
    static let causeDMADone: UInt32 = 1 << 0
    static let causeTimer: UInt32 = 1 << 1
    static let causeDMAError: UInt32 = 1 << 2
    static let commandStart: UInt32 = 1 << 0
    static let commandToMemory: UInt32 = 1 << 1
}
