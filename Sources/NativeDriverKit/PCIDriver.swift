/// A PCI driver: a match table and a probe/remove lifecycle, like a real OS's PCI core.
///
/// The host enumerates the bus, picks for each function the driver whose match-table entry is most
/// specific (see ``PCIMatch/specificity``), and creates the driver with `init(device:context:match:)`
/// (the probe). `remove()` must release everything: every DMA buffer and mapping, interrupt and
/// timer. The host checks.
public protocol PCIDriver: AnyObject {
    /// The driver's name (e.g. `e1000`).
    static var name: String { get }
    /// The functions this driver serves.
    static var matchTable: [PCIMatch] { get }
    /// Probes `device`: resets and initialises it. Throwing leaves the device unbound; the driver
    /// must have released what it took before throwing.
    init(device: any PCIDevice, context: any DriverContext, match: PCIMatch) throws(DriverError)
    /// Quiesces the device and releases every resource.
    func remove()
}
