/// Bits of the Command register a driver turns on (PCI Local Bus 3.0 §6.2.2).
public struct CommandFeatures: OptionSet, Sendable {
    /// Raw Command register bits.
    public var rawValue: UInt16
    /// Creates from raw bits.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// I/O Space decoding.
    public static let ioSpace = CommandFeatures(rawValue: 1 << 0)
    /// Memory Space decoding.
    public static let memorySpace = CommandFeatures(rawValue: 1 << 1)
    /// Bus mastering (DMA).
    public static let busMaster = CommandFeatures(rawValue: 1 << 2)
}

/// The handle a driver gets for its PCI function: config space, BARs, DMA and interrupts.
/// Every host (emulator, QEMU, VFIO) implements it; drivers use nothing else to reach hardware.
public protocol PCIDevice: AnyObject {
    /// Where the function is.
    var location: PCILocation { get }
    /// Its IDs and class, as read at enumeration.
    var identity: PCIIdentity { get }

    /// Reads 8 bits of config space.
    func configRead8(_ offset: Int) -> UInt8
    /// Reads 16 bits of config space.
    func configRead16(_ offset: Int) -> UInt16
    /// Reads 32 bits of config space.
    func configRead32(_ offset: Int) -> UInt32
    /// Writes 8 bits of config space.
    func configWrite8(_ offset: Int, _ value: UInt8)
    /// Writes 16 bits of config space.
    func configWrite16(_ offset: Int, _ value: UInt16)
    /// Writes 32 bits of config space.
    func configWrite32(_ offset: Int, _ value: UInt32)

    /// BAR `index` as a register region, or nil if the function has no such BAR.
    func region(_ index: Int) -> DeviceRegion?
    /// Sets Command bits (decoding, bus mastering).
    func enable(_ features: CommandFeatures)
    /// Clears Command bits.
    func disable(_ features: CommandFeatures)

    /// The function's DMA memory.
    var dma: any DMAAllocator { get }

    /// Allocates interrupt vectors, trying `request.modes` in order; programs MSI/MSI-X as needed.
    func allocateInterrupts(_ request: InterruptRequest) throws(DriverError) -> InterruptAllocation
    /// Attaches `handler` to vector `vector` (0 for INTx). Handlers run on the machine's CPU, never
    /// re-entered, never concurrently with the driver's other callbacks.
    func attachInterrupt(vector: Int, name: String, _ handler: @escaping () -> InterruptResult) throws(DriverError)
    /// Masks one vector (MSI-X Mask Bit, MSI per-vector mask, or disabling the INTx handler).
    func maskInterrupt(vector: Int)
    /// Unmasks one vector; a message that arrived while masked is then delivered.
    func unmaskInterrupt(vector: Int)
    /// Detaches every handler and releases the vectors.
    func freeInterrupts()
}

extension PCIDevice {
    /// Walks the capability list (PCI Local Bus 3.0 §6.7) for `id`; returns its offset.
    public func findCapability(_ id: UInt8) -> Int? {
        guard configRead16(0x06) & (1 << 4) != 0 else { return nil }     // Status.Capabilities List
        var ptr = Int(configRead8(0x34) & 0xFC)
        var hops = 0
        while ptr >= 0x40 && hops < 48 {                                  // at most 48 capabilities fit
            if configRead8(ptr) == id { return ptr }
            ptr = Int(configRead8(ptr + 1) & 0xFC)
            hops += 1
        }
        return nil
    }

    /// Walks the extended capability list (PCIe Base §7.6.3) for `id`; returns its offset.
    public func findExtendedCapability(_ id: UInt16) -> Int? {
        var ptr = 0x100
        var hops = 0
        while ptr >= 0x100 && hops < 960 {
            let h = configRead32(ptr)
            if h == 0 || h == 0xFFFF_FFFF { return nil }
            if UInt16(h & 0xFFFF) == id { return ptr }
            ptr = Int(h >> 20) & 0xFFC
            hops += 1
        }
        return nil
    }
}
