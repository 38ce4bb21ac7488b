import BoxlessPlatform

/// Config space of QEMU's q35 over qtest: ECAM (PCIe Base §7.2.2) once the MCH's PCIEXBAR is
/// programmed, else configuration mechanism #1 at ports 0xCF8/0xCFC (PCI Local Bus 3.0 §3.2.2.3.2).
///
/// Without firmware nothing programs PCIEXBAR, so ``enableECAM()`` does it as firmware would: base
/// 0xB000_0000, 256 buses (Intel 3 Series Express Chipset datasheet §5.1.13 "PCIEXBAR").
final class QTestConfigMechanism: ConfigMechanism {
    unowned let qtest: QTestConnection
    /// Set when a qtest command failed (the caller checks after a batch of accesses).
    var failure: QEMUHostError?
    private(set) var ecam: UInt64?

    /// CONFIG_ADDRESS.
    static let configAddressPort: UInt64 = 0xCF8
    /// CONFIG_DATA.
    static let configDataPort: UInt64 = 0xCFC
    /// Where this host puts the ECAM window (below the 0xC000_0000 MMIO window).
    static let ecamBase: UInt64 = 0xB000_0000
    /// PCIEXBAR's offset in the MCH (00:00.0) config space.
    static let pciexbarOffset = 0x60
    /// PCIEXBAR.PCIEXBAREN.
    static let pciexbarEnable: UInt32 = 1

    init(qtest: QTestConnection) { self.qtest = qtest }

    /// Programs PCIEXBAR and switches to ECAM if the window then reads back the host bridge's IDs.
    func enableECAM() {
        let mch = PCIAddress(device: 0)
        let id = read(mch, offset: 0, width: .dword)
        write(mch, offset: Self.pciexbarOffset + 4, width: .dword, value: 0)
        write(mch, offset: Self.pciexbarOffset, width: .dword, value: UInt32(Self.ecamBase) | Self.pciexbarEnable)
        ecam = Self.ecamBase
        if read(mch, offset: 0, width: .dword) != id { ecam = nil }
    }

    private func run<T>(_ fallback: T, _ body: () throws(QEMUHostError) -> T) -> T {
        do { return try body() } catch { if failure == nil { failure = error }; return fallback }
    }

    private func select(_ a: PCIAddress, _ offset: Int) throws(QEMUHostError) {
        let v = 0x8000_0000 | UInt32(a.bus) << 16 | UInt32(a.device) << 11 | UInt32(a.function) << 8 | UInt32(offset & 0xFC)
        try qtest.portWrite(Self.configAddressPort, bytes: 4, value: UInt64(v))
    }

    private func ecamAddress(_ base: UInt64, _ a: PCIAddress, _ offset: Int) -> UInt64 {
        base | UInt64(a.bus) << 20 | UInt64(a.device) << 15 | UInt64(a.function) << 12 | UInt64(offset & 0xFFF)
    }

    func read(_ address: PCIAddress, offset: Int, width: AccessWidth) -> UInt32 {
        run(UInt32(truncatingIfNeeded: width.mask)) { () throws(QEMUHostError) -> UInt32 in
            if let base = ecam {
                return UInt32(truncatingIfNeeded: try qtest.memoryRead(ecamAddress(base, address, offset), bytes: width.bytes))
            }
            guard offset < 256 else { return UInt32(truncatingIfNeeded: width.mask) }
            try select(address, offset)
            return UInt32(truncatingIfNeeded: try qtest.portRead(Self.configDataPort + UInt64(offset & 3), bytes: width.bytes))
        }
    }

    func write(_ address: PCIAddress, offset: Int, width: AccessWidth, value: UInt32) {
        run(()) { () throws(QEMUHostError) in
            if let base = ecam {
                try qtest.memoryWrite(ecamAddress(base, address, offset), bytes: width.bytes, value: UInt64(value))
                return
            }
            guard offset < 256 else { return }
            try select(address, offset)
            try qtest.portWrite(Self.configDataPort + UInt64(offset & 3), bytes: width.bytes, value: UInt64(value))
        }
    }
}
