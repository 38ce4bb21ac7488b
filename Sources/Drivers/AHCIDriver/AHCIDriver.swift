import NativeDriverKit

/// Driver for AHCI 1.3.1 SATA host bus adapters with ATA disks (ATA8-ACS), e.g. Intel ICH9
/// (8086:2922), and any function of class 01/06/01 (mass storage, SATA, AHCI).
///
/// Probe (AHCI 1.3.1 §10.1): enable memory decoding and bus mastering, set GHC.AE, reset the HBA
/// (GHC.HR, §10.4.3), set GHC.AE again, read CAP and PI, choose the DMA addressing limit from
/// CAP.S64A, bring every implemented port up (``AHCIPort``), allocate an MSI vector (or INTx), then
/// set GHC.IE. Each port with an ATA disk is a ``BlockDevice`` in ``disks``; the driver itself
/// serves the first one, so a client that binds "the" block device gets the first disk.
///
/// Interrupts: the handler reads IS, acknowledges PxIS (RW1C) of each flagged port and then IS
/// (with a single disk it reads that port's PxIS directly), and schedules the bottom half, which handles errors (§6.2.2), completes the slots no longer set
/// in PxCI/PxSACT and issues waiting requests.
///
/// Parameters: see ``AHCIParameters`` — `interrupts` (msi | intx | auto), `ncq` (1 | 0),
/// `timeout_ms`, `retries`, `range_check` (1 | 0).
public final class AHCIDriver: PCIDriver, BlockDevice {
    public static let name = "ahci"
    /// Intel ICH9 AHCI (8086:2922), and class 01/06/01 (PCI Code and ID Assignment §1.2).
    public static let matchTable: [PCIMatch] = [
        .device(0x8086, 0x2922),
        .pciClass(0x01_06_01, mask: 0xFF_FFFF),
    ]

    /// ABAR: the AHCI register BAR (§2.1.11, BAR5).
    static let abarIndex = 5
    /// How long the HBA may take to finish GHC.HR (§10.4.3: one second).
    static let hbaResetTimeout: Duration = .seconds(1)

    private let device: any PCIDevice
    private let context: any DriverContext
    private let regs: DeviceRegion
    private let parameters: AHCIParameters
    /// CAP as read after the reset.
    public let capabilities: UInt32
    /// PI: the implemented ports.
    public let portsImplemented: UInt32
    /// The interrupt mode in use.
    public private(set) var interruptMode: InterruptMode = .intx
    /// Ports with an ATA disk, in port order.
    public private(set) var disks: [AHCIPort] = []
    private var portByNumber: [AHCIPort?] = Array(repeating: nil, count: HBARegister.maximumPorts)
    private var portMask: UInt32 = 0
    /// The port, when exactly one has a disk (the interrupt handler's fast path).
    private var onlyPort: AHCIPort?
    private var pendingPorts: UInt32 = 0
    private var bottomHalf: (any DeferredWork)?
    private var removed = false

    public init(device: any PCIDevice, context: any DriverContext, match: PCIMatch) throws(DriverError) {
        self.device = device
        self.context = context
        parameters = try AHCIParameters(context)
        guard let abar = device.region(Self.abarIndex), abar.kind == .memory else {
            throw .unsupportedDevice("AHCI function without a memory BAR5 (ABAR)")
        }
        regs = abar
        device.enable([.memorySpace, .busMaster])

        // §10.4.3 HBA reset: AE first (HR is an AHCI register), HR, bounded wait for HR to clear, AE again.
        let regs = abar
        regs.write32(HBARegister.ghc, GHC.ae)
        regs.write32(HBARegister.ghc, GHC.ae | GHC.hr)
        guard context.wait(until: { regs.read32(HBARegister.ghc) & GHC.hr == 0 }, timeout: Self.hbaResetTimeout,
                           interval: .microseconds(10)) else {
            device.disable([.memorySpace, .busMaster])
            throw .timeout("GHC.HR still set \(Self.hbaResetTimeout) after HBA reset (AHCI §10.4.3)")
        }
        regs.write32(HBARegister.ghc, GHC.ae)
        let cap = regs.read32(HBARegister.cap)
        capabilities = cap
        portsImplemented = regs.read32(HBARegister.portsImplemented)
        let version = regs.read32(HBARegister.version)      // VS (§3.1.5): MJR 31:16, MNR 15:0 in BCD
        let hba = HBACapabilities(raw: cap)
        context.log(.info, "AHCI \(version >> 16).\(hex((version >> 8) & 0xFF)).\(hex(version & 0xFF)) HBA: CAP 0x\(hex(cap)), PI 0x\(hex(portsImplemented)), "
                    + "\(hba.slotCount) slots, NCQ \(hba.supportsNCQ ? "yes" : "no"), 64-bit \(hba.supports64BitAddressing ? "yes" : "no")")
        do {
            try device.dma.setAddressingLimit(bits: hba.supports64BitAddressing ? 64 : 32)
        } catch {
            device.disable([.memorySpace, .busMaster])
            throw error
        }

        // Ports (§10.1.2 steps 3–7).
        var ports: [AHCIPort] = []
        let parameters = self.parameters
        func releasePorts() {
            for p in ports {
                p.write(PortRegister.interruptEnable, 0)
                p.stopCommandEngine(); p.stopFISReceive()
                p.releaseMemory()
            }
        }
        var pi = portsImplemented
        while pi != 0 {
            let n = pi.trailingZeroBitCount
            pi &= pi - 1
            let port: AHCIPort
            do {
                port = try AHCIPort(number: n, regs: regs, hba: hba, dma: device.dma, context: context, parameters: parameters)
            } catch {
                releasePorts()
                device.disable([.memorySpace, .busMaster])
                throw error
            }
            if port.bringUp() { ports.append(port) } else { port.releaseMemory() }
        }

        // Interrupts: clear what is pending, attach, then GHC.IE (§10.1.2 step 7).
        let allocation: InterruptAllocation
        do {
            allocation = try device.allocateInterrupts(InterruptRequest(modes: parameters.interruptModes))
        } catch {
            releasePorts()
            device.disable([.memorySpace, .busMaster])
            throw error
        }
        interruptMode = allocation.mode
        disks = ports
        for p in ports {
            portByNumber[p.number] = p
            portMask |= 1 << UInt32(p.number)
            p.write(PortRegister.interruptStatus, PortInterrupt.all.rawValue)
        }
        onlyPort = ports.count == 1 ? ports[0] : nil
        regs.write32(HBARegister.interruptStatus, regs.read32(HBARegister.interruptStatus))
        bottomHalf = context.makeDeferredWork(name: "ahci-bh") { [unowned self] in self.serviceBottomHalf() }
        do {
            try device.attachInterrupt(vector: 0, name: "ahci") { [unowned self] in self.interrupt() }
        } catch {
            device.freeInterrupts()
            releasePorts()
            device.disable([.memorySpace, .busMaster])
            throw error
        }
        regs.write32(HBARegister.ghc, GHC.ae | GHC.ie)
        context.log(.info, "ahci: \(ports.count) disk(s) on ports \(ports.map(\.number)), interrupts \(allocation.mode)")
    }

    // MARK: interrupts

    /// Top half: IS, then each flagged port's PxIS (RW1C), then IS (RW1C) — §5.5.3 / §10.7.2.
    /// With a single disk the port's PxIS is read first: IS can only name that port, so its read is
    /// skipped when PxIS has bits (one register read less per interrupt on the I/O path).
    private func interrupt() -> InterruptResult {
        if let port = onlyPort {
            let portBit = UInt32(1) << UInt32(port.number)
            if port.acknowledgeInterrupt() != 0 {
                regs.write32(HBARegister.interruptStatus, portBit)
                pendingPorts |= portBit
                bottomHalf?.schedule()
                return .handled
            }
        }
        let status = regs.read32(HBARegister.interruptStatus)
        guard status != 0, status != .max else { return .notMine }
        var bits = status & portMask
        while bits != 0 {
            let n = bits.trailingZeroBitCount
            bits &= bits - 1
            portByNumber[n]?.acknowledgeInterrupt()
        }
        regs.write32(HBARegister.interruptStatus, status)
        pendingPorts |= status & portMask
        bottomHalf?.schedule()
        return .handled
    }

    private func serviceBottomHalf() {
        guard !removed else { return }
        var bits = pendingPorts
        pendingPorts = 0
        while bits != 0 {
            let n = bits.trailingZeroBitCount
            bits &= bits - 1
            portByNumber[n]?.service()
        }
    }

    // MARK: detach

    /// Stops every port, disables HBA interrupts, frees the vectors and all DMA memory, and fails
    /// requests still outstanding with `.deviceError("device removed")`.
    public func remove() {
        guard !removed else { return }
        removed = true
        // A controller that vanished (surprise removal) is not touched: nothing of it answers.
        let gone = disks.contains { $0.gone } || regs.read32(HBARegister.ghc) == .max
        if !gone { regs.write32(HBARegister.ghc, GHC.ae) }
        for d in disks where gone { d.gone = true }
        let failed = disks.map { ($0, $0.shutDown()) }
        if !gone { regs.write32(HBARegister.interruptStatus, regs.read32(HBARegister.interruptStatus)) }
        device.freeInterrupts()
        if !gone { device.disable([.busMaster, .memorySpace]) }
        // Clients hear about their unfinished requests last, when nothing of the driver is left.
        for (port, completions) in failed { port.deliver(completions) }
    }

    // MARK: BlockDevice (the first disk)

    public var geometry: BlockGeometry {
        disks.first?.geometry ?? BlockGeometry(blockSize: sectorSize, blockCount: 0, maximumQueueDepth: 1,
                                               maximumBlocksPerRequest: AHCIPort.maximumBlocksPerRequest)
    }

    public func setClient(_ client: any BlockClient) { disks.first?.setClient(client) }

    public func submit(_ request: BlockRequest) throws(DriverError) {
        guard let d = disks.first else { throw .invalidState("no ATA disk on any port") }
        try d.submit(request)
    }
}
