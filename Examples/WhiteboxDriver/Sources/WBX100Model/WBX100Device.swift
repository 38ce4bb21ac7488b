import BoxlessDeviceKit

/// The Whitebox WBX-100: a small DMA-capable Fast/Gigabit Ethernet controller with one receive
/// and one transmit descriptor ring (README.md, "Datasheet"). Written against BoxlessDeviceKit only.
///
/// Timing (§6): reset completes ``resetTime`` after CTRL.RST; the link comes up ``linkUpTime``
/// after reset when the partner has carrier; a received frame is written to memory, and RXDW
/// raised, when its last bit arrives; transmit starts ``descriptorFetch`` after a TDT write and
/// frames leave back to back at 1 Gb/s.
public final class WBX100Device: NICModel, EthernetReceiver {
    /// PCI vendor ID (0x1234: unassigned, used by test devices).
    public static let vendorID: UInt16 = 0x1234
    /// PCI device ID.
    public static let deviceID: UInt16 = 0xB100
    /// Reset duration (§6).
    public static let resetTime = VirtualDuration.microseconds(5)
    /// Link-up delay after reset (§6).
    public static let linkUpTime = VirtualDuration.milliseconds(1)
    /// Descriptor fetch delay after a TDT write (§6).
    public static let descriptorFetch = VirtualDuration.microseconds(1)

    /// Listing name.
    public let name = "WBX-100"
    /// The station address in the device's ROM (§3.4).
    public let macAddress: [UInt8]
    /// The MAC's side of the link.
    public private(set) var port: EthernetPort!

    unowned var function: PCIFunction!
    var ctrl: UInt32 = 0
    var icr: UInt32 = 0
    var imr: UInt32 = 0
    var rx = DescriptorRing(base: 0, count: 0, descriptorSize: UInt32(WBX100Descriptor.size))
    var tx = DescriptorRing(base: 0, count: 0, descriptorSize: UInt32(WBX100Descriptor.size))
    var rdh: UInt32 = 0, rdt: UInt32 = 0, tdh: UInt32 = 0, tdt: UInt32 = 0
    var linkUp = false
    var stats = WBX100Statistics()
    var pending: EventID?
    var transmitScheduled = false
    /// One frame's bytes, reused (no allocation per frame).
    var frameBuffer = [UInt8](repeating: 0, count: WBX100Descriptor.bufferSize)

    /// Creates a WBX-100 with station address `macAddress` (six bytes).
    public init(macAddress: [UInt8] = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x01]) {
        precondition(macAddress.count == 6, "a station address has six bytes")
        self.macAddress = macAddress
    }

    // MARK: NICStatisticsSource

    /// Running totals since power-on, in the datasheet's order (§5).
    public var counters: [(name: String, value: UInt64)] { stats.named }
    /// MPC (missed), ROC (oversize) and CRCERRS (bad FCS) count dropped frames.
    public var dropCounters: [CounterInfo] { WBX100Statistics.dropCounters }
    /// Frames that arrived while the receiver was off or the link down.
    public var framesIgnoredWhileDisabled: UInt64 { stats.ignored }

    // MARK: PCIDeviceModel

    /// Identity, BAR0 (256 bytes of 32-bit registers), INTA#, power management and one MSI vector (§2).
    public func buildConfigSpace() -> ConfigSpaceBuilder {
        var b = ConfigSpaceBuilder(vendorID: Self.vendorID, deviceID: Self.deviceID, classCode: 0x02_0000, revision: 1,
                                   subsystemVendorID: Self.vendorID, subsystemID: 0x0001, express: false)
        b.addBAR(0, .memory32(prefetchable: false), size: WBX100Register.size, rules: .dwordOnly,
                 registers: WBX100Register.map, label: "registers")
        b.setInterruptPin(1)
        b.addPowerManagement()
        _ = b.addMSI(vectors: 1, is64Bit: true, perVectorMasking: false)
        return b
    }

    /// Keeps the function, sets 33 MHz PCI timing and creates the Ethernet port.
    public func attach(to function: PCIFunction) {
        self.function = function
        function.timing = .pci33
        port = EthernetPort(name: "\(name)@\(function.address)", function: function, timing: .gigabit)
        port.receiver = self
    }

    /// Power-on: counters zero, registers to their defaults, link negotiation started.
    public func reset() {
        stats = WBX100Statistics()
        softwareReset()
    }

    /// Serves a register read (32-bit, aligned: the platform enforces BAR0's rules).
    public func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64 {
        UInt64(readRegister(offset))
    }

    /// Serves a register write.
    public func write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64) {
        writeRegister(offset, UInt32(truncatingIfNeeded: value))
    }

    /// After Command or MSI changes, the interrupt output follows the new settings.
    public func configWritten(offset: Int, width: AccessWidth, value: UInt32) { updateInterrupt(newCauses: 0) }

    // MARK: EthernetReceiver

    /// A frame's last bit arrived (§4.5).
    public func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { receive(frame, fcsValid: fcsValid) }

    /// The partner's carrier changed: the link follows (up after ``linkUpTime``).
    public func carrierChanged(_ up: Bool) {
        if up { startLink() } else { setLink(false) }
    }
}
