/// The CPU side of interrupt delivery: the interrupt controller a host implements.
/// Calls arrive on the machine's thread, after the machine's interrupt latency, in event order.
public protocol InterruptSink: AnyObject {
    /// An MSI or MSI-X message arrived: a DWORD write of `data` to `address` (PCI Local Bus 3.0 §6.8).
    func messageSignalled(from device: PCIAddress, address: UInt64, data: UInt32)
    /// An INTx line changed level (lines are level-triggered and shared, wire-OR).
    func lineChanged(_ line: Int, asserted: Bool)
}

/// Where the platform routes INTx pins: PCI IRQ swizzling onto four lines (PCI-to-PCI Bridge
/// Architecture 1.2 §9.1), numbered like the PIRQ A–D → GSI 16–19 routing of a q35 chipset.
public enum INTxRouting {
    /// First line number.
    public static let firstLine = 16
    /// The line a function's pin (1 = INTA#) reaches from slot `device` on bus 0.
    public static func line(device: UInt8, pin: UInt8) -> Int {
        firstLine + (Int(device) + Int(pin) - 1) % 4
    }
}
