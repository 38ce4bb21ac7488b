import BoxlessDeviceKit

/// The WBX-100's registers in BAR0 (README.md, "Datasheet" §3): byte offsets, as the datasheet
/// names them.
public enum WBX100Register {
    /// Device Control (§3.1): RXEN, TXEN, RST.
    public static let CTRL: UInt64 = 0x00
    /// Device Status (§3.2): LU, RXON, TXON. Read-only.
    public static let STATUS: UInt64 = 0x04
    /// Interrupt Cause (§3.3): write 1 to clear.
    public static let ICR: UInt64 = 0x08
    /// Interrupt Mask (§3.3): 1 enables a cause.
    public static let IMR: UInt64 = 0x0C
    /// Receive Descriptor Base Address, low 32 bits (§4.1).
    public static let RDBAL: UInt64 = 0x10
    /// Receive Descriptor Base Address, high 32 bits.
    public static let RDBAH: UInt64 = 0x14
    /// Receive Descriptor Ring Length, in descriptors (§4.1).
    public static let RDLEN: UInt64 = 0x18
    /// Receive Descriptor Head: the next descriptor the device fills. Read-only.
    public static let RDH: UInt64 = 0x1C
    /// Receive Descriptor Tail: one past the last descriptor the driver handed over (§4.2).
    public static let RDT: UInt64 = 0x20
    /// Transmit Descriptor Base Address, low 32 bits (§4.1).
    public static let TDBAL: UInt64 = 0x30
    /// Transmit Descriptor Base Address, high 32 bits.
    public static let TDBAH: UInt64 = 0x34
    /// Transmit Descriptor Ring Length, in descriptors.
    public static let TDLEN: UInt64 = 0x38
    /// Transmit Descriptor Head: the next descriptor the device sends. Read-only.
    public static let TDH: UInt64 = 0x3C
    /// Transmit Descriptor Tail (§4.2).
    public static let TDT: UInt64 = 0x40
    /// Receive Address Low: station address bytes 0–3. Read-only.
    public static let RAL: UInt64 = 0x50
    /// Receive Address High: station address bytes 4–5. Read-only.
    public static let RAH: UInt64 = 0x54
    /// Missed Packets Count: frames dropped for want of a descriptor (§5). Read-only.
    public static let MPC: UInt64 = 0x60
    /// Receive Oversize Count: frames longer than 1518 bytes (§5). Read-only.
    public static let ROC: UInt64 = 0x64
    /// CRC Error Count: frames with a bad FCS (§5). Read-only.
    public static let CRCERRS: UInt64 = 0x68
    /// Good Packets Received Count (§5). Read-only.
    public static let GPRC: UInt64 = 0x70
    /// Good Packets Transmitted Count (§5). Read-only.
    public static let GPTC: UInt64 = 0x74
    /// BAR0's size.
    public static let size: UInt64 = 0x100

    /// The register map: widths and access rules, declared once (the platform checks them).
    public static let map = RegisterMap([
        RegisterInfo("CTRL", offset: CTRL), RegisterInfo("STATUS", offset: STATUS, access: .readOnly),
        RegisterInfo("ICR", offset: ICR, access: .writeOneToClear), RegisterInfo("IMR", offset: IMR),
        RegisterInfo("RDBAL", offset: RDBAL), RegisterInfo("RDBAH", offset: RDBAH), RegisterInfo("RDLEN", offset: RDLEN),
        RegisterInfo("RDH", offset: RDH, access: .readOnly), RegisterInfo("RDT", offset: RDT),
        RegisterInfo("TDBAL", offset: TDBAL), RegisterInfo("TDBAH", offset: TDBAH), RegisterInfo("TDLEN", offset: TDLEN),
        RegisterInfo("TDH", offset: TDH, access: .readOnly), RegisterInfo("TDT", offset: TDT),
        RegisterInfo("RAL", offset: RAL, access: .readOnly), RegisterInfo("RAH", offset: RAH, access: .readOnly),
        RegisterInfo("MPC", offset: MPC, access: .readOnly), RegisterInfo("ROC", offset: ROC, access: .readOnly),
        RegisterInfo("CRCERRS", offset: CRCERRS, access: .readOnly), RegisterInfo("GPRC", offset: GPRC, access: .readOnly),
        RegisterInfo("GPTC", offset: GPTC, access: .readOnly),
    ])
}

/// Register bits (README.md, "Datasheet" §3, §4).
public enum WBX100Bits {
    /// CTRL.RXEN: receiver enable.
    public static let RXEN: UInt32 = 1 << 0
    /// CTRL.TXEN: transmitter enable.
    public static let TXEN: UInt32 = 1 << 1
    /// CTRL.RST: device reset, self-clearing after ``WBX100Device/resetTime``.
    public static let RST: UInt32 = 1 << 31
    /// STATUS.LU: link up.
    public static let LU: UInt32 = 1 << 0
    /// ICR/IMR.RXDW: a receive descriptor was written back.
    public static let RXDW: UInt32 = 1 << 0
    /// ICR/IMR.TXDW: a transmit descriptor was written back.
    public static let TXDW: UInt32 = 1 << 1
    /// ICR/IMR.LSC: link status changed.
    public static let LSC: UInt32 = 1 << 2
    /// ICR/IMR.RXO: a frame was missed (no descriptor).
    public static let RXO: UInt32 = 1 << 3
    /// Every cause.
    public static let allCauses: UInt32 = RXDW | TXDW | LSC | RXO
    /// Descriptor STATUS.DD: descriptor done.
    public static let DD: UInt8 = 1 << 0
    /// Descriptor STATUS.EOP: end of packet.
    public static let EOP: UInt8 = 1 << 1
}

/// The 16-byte descriptor (§4.4): ADDR (8 bytes), LENGTH (2), STATUS (1), reserved (5).
public enum WBX100Descriptor {
    /// Descriptor size in bytes.
    public static let size = 16
    /// Offset of ADDR.
    public static let addr = 0
    /// Offset of LENGTH.
    public static let length = 8
    /// Offset of STATUS.
    public static let status = 10
    /// Receive buffer size the device assumes for every receive descriptor (§4.4).
    public static let bufferSize = 2048
    /// Longest frame (without FCS) the device receives or sends (§4.5).
    public static let maximumFrame = 1518
}
