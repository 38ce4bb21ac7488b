/// A way for software to reach configuration space. The enumerator works through one of these, so it
/// runs unchanged over the legacy ports, ECAM, or another host's bus (e.g. QEMU's, over qtest).
public protocol ConfigMechanism: AnyObject {
    /// Reads `width` bytes of config space.
    func read(_ address: PCIAddress, offset: Int, width: AccessWidth) -> UInt32
    /// Writes `width` bytes of config space.
    func write(_ address: PCIAddress, offset: Int, width: AccessWidth, value: UInt32)
}

/// Configuration mechanism #1: CONFIG_ADDRESS at port 0xCF8, CONFIG_DATA at 0xCFC–0xCFF
/// (PCI Local Bus 3.0 §3.2.2.3.2). Reaches the first 256 bytes only.
public final class LegacyConfigMechanism: ConfigMechanism {
    unowned let machine: Machine
    /// Uses `machine`'s I/O ports.
    public init(_ machine: Machine) { self.machine = machine }
    private func select(_ a: PCIAddress, _ offset: Int) {
        let v = 0x8000_0000 | UInt32(a.bus) << 16 | UInt32(a.device) << 11 | UInt32(a.function) << 8 | UInt32(offset & 0xFC)
        machine.ioWrite(Machine.configAddressPort, width: .dword, value: UInt64(v))
    }
    /// Reads through CONFIG_ADDRESS/CONFIG_DATA.
    public func read(_ address: PCIAddress, offset: Int, width: AccessWidth) -> UInt32 {
        precondition(offset < 256, "mechanism #1 reaches only the first 256 bytes")
        select(address, offset)
        return UInt32(truncatingIfNeeded: machine.ioRead(Machine.configDataPort + UInt64(offset & 3), width: width))
    }
    /// Writes through CONFIG_ADDRESS/CONFIG_DATA.
    public func write(_ address: PCIAddress, offset: Int, width: AccessWidth, value: UInt32) {
        precondition(offset < 256, "mechanism #1 reaches only the first 256 bytes")
        select(address, offset)
        machine.ioWrite(Machine.configDataPort + UInt64(offset & 3), width: width, value: UInt64(value))
    }
}

/// The Enhanced Configuration Access Mechanism: config space as memory (PCIe Base §7.2.2).
public final class ECAMConfigMechanism: ConfigMechanism {
    unowned let machine: Machine
    /// Uses `machine`'s ECAM window.
    public init(_ machine: Machine) { self.machine = machine }
    private func addr(_ a: PCIAddress, _ offset: Int) -> UInt64 {
        Machine.ecamBase | UInt64(a.bus) << 20 | UInt64(a.device) << 15 | UInt64(a.function) << 12 | UInt64(offset)
    }
    /// Reads through ECAM.
    public func read(_ address: PCIAddress, offset: Int, width: AccessWidth) -> UInt32 {
        UInt32(truncatingIfNeeded: machine.mmioRead(addr(address, offset), width: width))
    }
    /// Writes through ECAM.
    public func write(_ address: PCIAddress, offset: Int, width: AccessWidth, value: UInt32) {
        machine.mmioWrite(addr(address, offset), width: width, value: UInt64(value))
    }
}
