/// A device model: the device side of one PCI function (DESIGN.md, "Device models").
///
/// A model sees only the platform's device-side API: it builds its config space, serves register
/// accesses to its BARs as `(BAR, offset, width)`, and acts on the machine through the
/// ``PCIFunction`` it is attached to (DMA, interrupts, scheduler, findings). It never sees a driver
/// or a host: models must not care who drives them.
public protocol PCIDeviceModel: AnyObject {
    /// A short name for listings and logs (e.g. `82540EM`).
    var name: String { get }
    /// Fills the function's config space: identity, BARs, capabilities, interrupt pin.
    func buildConfigSpace() -> ConfigSpaceBuilder
    /// Called once the function exists, before any access; keep `function` unowned.
    func attach(to function: PCIFunction)
    /// Serves a read of `width` at `offset` in BAR `bar`. Widths and offsets already satisfy the
    /// BAR's ``RegionAccessRules`` and register map; MSI-X table and PBA accesses never arrive here.
    func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64
    /// Serves a write (see ``read(bar:offset:width:)``).
    func write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64)
    /// Told after software wrote config space (the platform has already applied the masks).
    func configWritten(offset: Int, width: AccessWidth, value: UInt32)
    /// Told when the function is reset (power-on or Function Level Reset).
    func reset()
}

extension PCIDeviceModel {
    /// Default: nothing to do.
    public func configWritten(offset: Int, width: AccessWidth, value: UInt32) {}
    /// Default: nothing to do.
    public func reset() {}
}
