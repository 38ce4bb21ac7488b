/// What QEMU machine to start: a q35 with one device under test (STYLE.md §10: a labelled
/// configuration struct instead of positional arguments).
public struct QEMUMachineSpec: Sendable {
    /// QEMU's device model name, e.g. `e1000`, `e1000e`, `rtl8139`, `ich9-ahci`.
    public var device: String
    /// Extra `key=value` properties for the device (e.g. `mac=52:54:00:12:34:56`).
    public var deviceProperties: [String]
    /// The PCI slot on bus 0 (`addr=`).
    public var slot: UInt8
    /// Whether the device gets a network backend (a datagram socket this host reads and writes
    /// through ``QEMUNetworkPeer``). Nil: decided by the device name (NICs QEMU names `e1000*`,
    /// `rtl8139`, `virtio-net-pci`, `ne2k_pci`, `pcnet`, `i8255*`).
    public var attachNetwork: Bool?
    /// Guest RAM in MiB; DMA memory comes from [1 MiB, RAM).
    public var memoryMiB: Int
    /// More QEMU arguments, appended as given (e.g. `-drive …`).
    public var extraArguments: [String]
    /// The QEMU binary.
    public var binary: String
    /// How long QEMU may take to connect to the qtest socket.
    public var startTimeout: Duration
    /// How often the scheduler polls for MSI/MSI-X messages while it waits (INTx wakes it at once).
    public var pollInterval: Duration

    /// Creates a spec.
    public init(device: String, deviceProperties: [String] = [], slot: UInt8 = 3, attachNetwork: Bool? = nil,
                memoryMiB: Int = 256, extraArguments: [String] = [], binary: String = QEMUMachineSpec.defaultBinary,
                startTimeout: Duration = .seconds(20), pollInterval: Duration = .microseconds(100)) {
        self.device = device; self.deviceProperties = deviceProperties; self.slot = slot
        self.attachNetwork = attachNetwork; self.memoryMiB = memoryMiB; self.extraArguments = extraArguments
        self.binary = binary; self.startTimeout = startTimeout; self.pollInterval = pollInterval
    }

    /// `/usr/bin/qemu-system-x86_64`.
    public static let defaultBinary = "/usr/bin/qemu-system-x86_64"

    /// Whether a network backend is attached.
    public var hasNetwork: Bool {
        if let attachNetwork { return attachNetwork }
        return ["e1000", "rtl8139", "virtio-net", "ne2k_pci", "pcnet", "i8255"].contains { device.hasPrefix($0) }
    }
}
