// Device-level fault hooks: what NIC and disk models ask at their own event points (a frame about
// to be received or sent, a descriptor about to be written back, a disk command about to complete),
// and what the fault layer pushes onto a model at a planned time (link down, power loss, ...).
// The platform defines the vocabulary; models call the hooks; a fault plan implements them.

/// A frame at a NIC's MAC, as a fault hook sees it.
public struct FrameSite: Sendable {
    /// The NIC's function.
    public var device: PCIAddress
    /// Frame length without FCS.
    public var length: Int
    /// Virtual time.
    public var time: VirtualTime
    /// Creates a site.
    public init(device: PCIAddress, length: Int, time: VirtualTime) {
        self.device = device; self.length = length; self.time = time
    }
}

/// What a fault hook does to a frame arriving at a NIC's MAC from the wire (before address
/// filtering). The model treats each outcome as its hardware treats the real event: it counts it in
/// the statistics register the datasheet names for it (CRCERRS, RUC, ROC, MPC, ...).
public enum RxFrameFault: Sendable, Equatable {
    /// Receive normally.
    case none
    /// The FCS is bad (counted as a CRC error; stored only if the driver asked for bad frames).
    case fcsError
    /// The frame is cut short below the 64-byte minimum (a runt: undersize/fragment counters).
    case runt
    /// The frame runs on past the maximum length (jabber: oversize counters).
    case jabber
    /// The receive FIFO overflows: the frame is missed (missed-packet counter, RX overrun cause).
    case fifoOverflow
}

/// What a fault hook does to a frame a NIC is about to put on the wire.
public enum TxFrameFault: Sendable, Equatable {
    /// Send normally.
    case none
    /// The transmitter hangs: this frame and every later one stay queued (descriptors not written
    /// back) until the driver resets the device.
    case hang
}

/// A descriptor write-back a NIC model is about to do.
public struct WritebackSite: Sendable {
    /// The NIC's function.
    public var device: PCIAddress
    /// True for a receive descriptor, false for transmit.
    public var receive: Bool
    /// Ring index of the descriptor.
    public var index: Int
    /// Virtual time.
    public var time: VirtualTime
    /// Creates a site.
    public init(device: PCIAddress, receive: Bool, index: Int, time: VirtualTime) {
        self.device = device; self.receive = receive; self.index = index; self.time = time
    }
}

/// What a fault hook does to a descriptor write-back.
public enum WritebackFault: Sendable, Equatable {
    /// Write back normally, now.
    case none
    /// Write it back this much later (interrupt and head pointer follow the write-back).
    case delay(VirtualDuration)
    /// Write it back with a hostile length (a receive length larger than the buffer, or zero).
    case badLength(UInt16)
    /// Write it back with a hostile status byte (e.g. DD with reserved or contradictory bits).
    case badStatus(UInt8)
    /// Advance the head (write back) to this ring index instead of the next one.
    case badIndex(Int)
}

/// A disk command about to be executed by the device behind a storage controller.
public struct DiskCommandSite: Sendable {
    /// The controller's function.
    public var device: PCIAddress
    /// Port (or namespace) the disk sits on.
    public var port: Int
    /// ATA command code (or the controller's equivalent).
    public var command: UInt8
    /// First LBA (media commands; 0 otherwise).
    public var lba: UInt64
    /// Sectors (media commands; 0 otherwise).
    public var sectors: Int
    /// Virtual time.
    public var time: VirtualTime
    /// Creates a site.
    public init(device: PCIAddress, port: Int, command: UInt8, lba: UInt64, sectors: Int, time: VirtualTime) {
        self.device = device; self.port = port; self.command = command; self.lba = lba; self.sectors = sectors; self.time = time
    }
}

/// What a fault hook does to a disk command.
public enum DiskCommandFault: Sendable, Equatable {
    /// Execute normally.
    case none
    /// The medium fails: the command ends with an uncorrectable error (ATA UNC) at its first LBA.
    case mediaError
    /// The device never answers: no completion, no error (the host's command timer must fire).
    case timeout
    /// The link corrupts the transfer: an interface CRC error (ATA ICRC + ABRT, PxSERR.ERR.C/DIAG.C).
    case interfaceCRC
    /// The command completes correctly but this much later (a latency outlier: a drive's internal
    /// housekeeping, a retried read).
    case latency(VirtualDuration)
}

/// The device-level hook points. A fault injector that also conforms to this protocol is asked by
/// models at each of these points (through ``PCIFunction/deviceFaultHooks``). The default
/// implementations let everything through.
public protocol DeviceFaultHooks: AnyObject {
    /// A frame has arrived from the wire at the NIC's MAC (before filtering).
    func rxFrame(_ site: FrameSite) -> RxFrameFault
    /// A frame is about to leave the NIC's MAC onto the wire.
    func txFrame(_ site: FrameSite) -> TxFrameFault
    /// A descriptor is about to be written back.
    func descriptorWriteback(_ site: WritebackSite) -> WritebackFault
    /// A disk command is about to be executed.
    func diskCommand(_ site: DiskCommandSite) -> DiskCommandFault
}

extension DeviceFaultHooks {
    /// Default: no fault.
    public func rxFrame(_ site: FrameSite) -> RxFrameFault { .none }
    /// Default: no fault.
    public func txFrame(_ site: FrameSite) -> TxFrameFault { .none }
    /// Default: no fault.
    public func descriptorWriteback(_ site: WritebackSite) -> WritebackFault { .none }
    /// Default: no fault.
    public func diskCommand(_ site: DiskCommandSite) -> DiskCommandFault { .none }
}

/// A state fault the fault layer pushes onto a model at a planned time.
public enum DeviceStateFault: Sendable, Equatable {
    /// The link partner drops carrier (PHY link down); it comes back after `duration` if given.
    case linkDown(duration: VirtualDuration?)
    /// The link goes down and up `count` times, each state lasting `period`.
    case linkFlap(count: Int, period: VirtualDuration)
    /// Auto-negotiation fails (no link partner ability) until `duration` has passed, if given.
    case autonegFail(duration: VirtualDuration?)
    /// The transmitter hangs until the driver resets the device.
    case txHang
    /// Reads of these sectors fail with UNC (until rewritten, if `healedByWrite`).
    case mediaError(lba: ClosedRange<UInt64>, healedByWrite: Bool)
    /// The disk's power is cut (volatile cache lost) and comes back.
    case powerLoss
    /// The SATA PHY loses PhyRdy (link loss) for `duration`, then retrains (COMINIT).
    case phyNotReady(duration: VirtualDuration?)
}

/// A model that accepts state faults (its `PCIDeviceModel` conforms too). The fault layer finds it
/// as the model of the function a plan entry targets.
public protocol DeviceStateFaultTarget: AnyObject {
    /// Applies `fault` now; returns false if this model cannot do it (the fault layer then records
    /// the fault as not applicable instead of injected).
    func applyStateFault(_ fault: DeviceStateFault) -> Bool
}
