/// Builders for capabilities several chips share beyond the base set in `ConfigSpaceBuilder.swift`:
/// VPD, Advanced Error Reporting, Virtual Channel and Device Serial Number.
extension ConfigSpaceBuilder {
    /// Adds a VPD capability (PCI Local Bus 3.0 §6.4): VPD Address and VPD Data are writable; the
    /// device model answers reads and writes through ``PCIDeviceModel/configWritten(offset:width:value:)``.
    @discardableResult
    public mutating func addVPD(at offset: Int? = nil) -> VPDCapabilityLayout {
        let off = addCapability(CapabilityID.vpd, body: [UInt8](repeating: 0, count: 6),
                                writable: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], at: offset)
        return VPDCapabilityLayout(offset: off)
    }

    /// Adds Advanced Error Reporting, version 1, for an endpoint (PCIe Base 1.1 §7.10): status
    /// registers zero, masks and severity writable, ECRC generation/check enables writable.
    /// `length` is the capability's size including its header (at least 0x2C; real chips often
    /// reserve up to the next capability).
    @discardableResult
    public mutating func addAdvancedErrorReporting(length: Int = 0x40, at offset: Int? = nil) -> Int {
        precondition(length >= 0x2C && length % 4 == 0)
        var w = [UInt8](repeating: 0, count: length - 4)
        for o in [0x08, 0x0C, 0x14] { for i in 0..<4 { w[o - 4 + i] = 0xFF } }   // Uncorrectable Mask/Severity, Correctable Mask
        w[0x18 - 4] = 0x40; w[0x19 - 4] = 0x01                                    // ECRC Generation/Check Enable (bits 6, 8)
        return addExtendedCapability(CapabilityID.extendedAER, version: 1, body: [UInt8](repeating: 0, count: length - 4),
                                     writable: w, at: offset)
    }

    /// Adds a Virtual Channel capability, version 1, with VC0 only (PCIe Base 1.1 §7.11): Extended VC
    /// Count 0, VC0 enabled with TC0–TC7 mapped to it (the reset value, §7.11.7). TC/VC Map bits 7:1
    /// are writable. 0x1C bytes.
    @discardableResult
    public mutating func addVirtualChannel(at offset: Int? = nil) -> Int {
        var body = [UInt8](repeating: 0, count: 0x1C - 4)
        // VC Resource Control (0) at 0x14: VC Enable (bit 31), TC/VC Map = FFh.
        body[0x14 - 4] = 0xFF; body[0x17 - 4] = 0x80
        var w = [UInt8](repeating: 0, count: body.count)
        w[0x14 - 4] = 0xFE
        return addExtendedCapability(CapabilityID.extendedVirtualChannel, version: 1, body: body, writable: w, at: offset)
    }

    /// Adds a Device Serial Number capability, version 1 (PCIe Base 1.1 §7.9): the 64-bit number,
    /// lower DWORD first.
    @discardableResult
    public mutating func addDeviceSerialNumber(_ serial: UInt64, at offset: Int? = nil) -> Int {
        addExtendedCapability(CapabilityID.extendedSerialNumber, version: 1,
                              body: (0..<8).map { UInt8(truncatingIfNeeded: serial >> (8 * UInt64($0))) }, at: offset)
    }
}
