import BoxlessPlatform

/// An Intel ICH9-class AHCI SATA host bus adapter (8086:2922, class 01/06/01) with up to six
/// ports, each optionally holding a ``SATADisk`` (Serial ATA AHCI 1.3.1; ICH9 datasheet for the
/// PCI identity and the BAR4 index/data pair).
///
/// PCI function (conventional PCI, 256-byte config space, INTA#):
/// - BAR4: 32-byte I/O window. 0x00–0x0F are ICH9's legacy bus-master IDE registers (not modelled:
///   read 0, writes ignored); 0x10 AIR (index: a DWORD offset into ABAR) and 0x14 AIDR (data: reads
///   and writes the ABAR register AIR selects) — the index/data pair the SATA capability points at
///   (AHCI 1.3.1 §2.4, SATACR1 BARLOC = 8 (BAR4), BAROFST = 4 DWORDs).
/// - BAR5 (ABAR): 8 KiB of memory: generic host control (§3.1) and one 0x80-byte block per port (§3.3).
/// - Capabilities: MSI at 0x80 (one vector, 64-bit), Power Management at 0x70, SATA at 0xA8.
///
/// HBA capabilities: CAP = S64A, SNCQ, SSNTF, SSS (staggered spin-up: software must set PxCMD.SUD
/// to bring a link up), SCLO, ISS = Gen3, PMD, NCS = 31, NP = ports − 1; PI has one bit per port given
/// (empty ports are implemented with nothing attached); VS = 1.3.1; CAP2 = BOH. Not modelled:
/// command completion coalescing, enclosure management, port multipliers, FIS-based switching,
/// partial/slumber power states, ATAPI, legacy IDE mode.
///
/// Timing (DESIGN.md, "Cycle-approximate timing"):
/// - Bus: ICH9 sits behind DMI, four lanes at 2.5 GT/s with 8b/10b = 1 GB/s per direction (ICH9
///   datasheet, DMI); a register read costs ~600 ns, a posted write ~150 ns (typical figures for
///   chipset devices, not specified values).
/// - ``commandFetch`` (1 µs): the HBA reads the command header, CFIS and PRDT (two DMA reads over
///   DMI) and sends the H2D FIS; typical, our choice.
/// - ``linkUpTime`` (20 µs) from COMRESET released (PxSCTL.DET 1→0) or spin-up (PxCMD.SUD 0→1) to
///   PhyRdy: OOB COMINIT/COMWAKE and speed negotiation (Serial ATA 3.x OOB signalling), typical.
///   The device's signature D2H FIS follows after its profile's `resetReadyTime`.
/// - ``hbaResetTime`` (1 µs): GHC.HR stays set this long (the specification allows up to 1 s).
/// - ``engineStopTime`` (1 µs): PxCMD.CR (and FR) clear this long after ST (FRE) is cleared when
///   commands were outstanding; at once otherwise.
/// - Data moves at the slower of the link (``SATALinkSpeed``), the disk's media rate and the bus.
///
/// Command processing (AHCI §5): writing PxCI fetches the command at once (header, CFIS, PRDT into
/// value types); the disk model computes when it completes; one scheduled event per command moves the
/// data through the PRDs with `dmaRead`/`dmaWrite`, posts the FIS (D2H Register at 0x40, PIO Setup at
/// 0x20, DMA Setup at 0x00, Set Device Bits at 0x58 of the received-FIS area when PxCMD.FRE is set),
/// updates PxTFD, PxCI/PxSACT and raises PxIS. Errors: a failed DMA (IOMMU fault, master abort) sets
/// PxIS.HBFS; a malformed command FIS sets PxIS.IFS and PxSERR.ERR.P; a PRDT too short for the data sets
/// PxIS.OFS; an ATA error sets PxIS.TFES with PxTFD.STS.ERR and the Error field. All of these halt the
/// port (§6.1.2) until software clears PxCMD.ST. Interrupts: IS bit *n* follows PxIS & PxIE of port *n*;
/// with GHC.IE set, INTx is asserted while IS ≠ 0, or one MSI is sent per new enabled cause.
public final class AHCIController: PCIDeviceModel {
    /// Most ports an ICH9 has.
    public static let maxPorts = 6
    /// Command slots per port and NCQ tags (CAP.NCS + 1).
    public static let queueDepth = 32
    /// VS for AHCI 1.3.1.
    public static let version: UInt32 = 0x0001_0301
    /// Command fetch time (see the type's documentation).
    public static let commandFetch = VirtualDuration.microseconds(1)
    /// COMRESET release or spin-up to PhyRdy.
    public static let linkUpTime = VirtualDuration.microseconds(20)
    /// GHC.HR duration.
    public static let hbaResetTime = VirtualDuration.microseconds(1)
    /// PxCMD.CR/FR clear delay when the engine had work.
    public static let engineStopTime = VirtualDuration.microseconds(1)
    /// Bus timing of the ICH9 behind DMI (see the type's documentation).
    public static let busTiming = BusTiming(readLatency: .nanoseconds(600), writeLatency: .nanoseconds(150),
                                            dmaBytesPerSecond: 1_000_000_000)

    public let name = "ich9-ahci"
    /// The disks, by port (nil = empty port).
    public let disks: [SATADisk?]
    unowned(unsafe) var function: PCIFunction!

    // Generic host control state (§3.1).
    var ae = false
    var ie = false
    var resetting = false
    var interruptStatus: UInt32 = 0
    var bohc: UInt32 = 0
    var aeFindingReported = false
    var indexRegister: UInt32 = 0
    var ports: [PortState]

    // Reused buffers (no allocation per command).
    var headerBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 8)
    var fisBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
    var tableBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 0x80 + 16 * 64, alignment: 8)
    var dataBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 64)

    /// Creates a controller with one port per entry of `ports` (1–6); nil entries are empty ports.
    public init(ports disks: [SATADisk?]) {
        precondition((1...Self.maxPorts).contains(disks.count), "an ICH9 AHCI controller has 1–6 ports")
        self.disks = disks
        self.ports = (0..<disks.count).map { _ in PortState() }
    }

    deinit {
        headerBuffer.deallocate(); fisBuffer.deallocate(); tableBuffer.deallocate(); dataBuffer.deallocate()
    }

    /// Number of ports (CAP.NP + 1).
    public var portCount: Int { disks.count }

    // MARK: PCIDeviceModel

    public func buildConfigSpace() -> ConfigSpaceBuilder {
        var b = ConfigSpaceBuilder(vendorID: ICH9.vendorID, deviceID: ICH9.deviceID, classCode: ICH9.classCode,
                                   revision: ICH9.revision, subsystemVendorID: ICH9.vendorID, subsystemID: ICH9.deviceID,
                                   express: false)
        b.addBAR(4, .io, size: ICH9.bar4Size, rules: RegionAccessRules(minWidth: .byte, maxWidth: .dword),
                 registers: Self.bar4Map, label: "AHCI index/data pair")
        b.addBAR(5, .memory32(prefetchable: false), size: ICH9.abarSize, rules: .any,
                 registers: Self.abarMap(ports: disks.count), label: "ABAR (AHCI registers)")
        b.setInterruptPin(1)
        // ICH9 order: capabilities pointer → MSI (0x80) → PM (0x70) → SATA (0xA8).
        b.addMSI(vectors: 1, is64Bit: true, perVectorMasking: false, at: 0x80)
        b.addPowerManagement(at: 0x70)
        // SATA capability (AHCI 1.3.1 §2.4): SATACR0 revision 1.0; SATACR1 BARLOC = 8 (BAR4 at 20h),
        // BAROFST = 4 DWORDs (the pair at BAR4 + 10h).
        b.addCapability(CapabilityID.sata, body: [0x10, 0x00, 0x48, 0x00, 0x00, 0x00], at: 0xA8)
        return b
    }

    public func attach(to function: PCIFunction) {
        self.function = function
        function.timing = Self.busTiming
        for (i, d) in disks.enumerated() {
            var r = function.random.split("ahci-port\(i)")
            d?.seedTiming(&r)
        }
    }

    /// Power-on or Function Level Reset: the HBA resets as for GHC.HR, at once.
    public func reset() {
        bohc = 0
        indexRegister = 0
        hbaReset(immediate: true)
    }

    public func configWritten(offset: Int, width: AccessWidth, value: UInt32) {
        // MSI enable or Interrupt Disable may have changed how the pending state is signalled.
        updateInterrupts(newCause: false)
    }

    // MARK: register access

    public func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64 {
        if bar == 4 { return readBAR4(offset, width) }
        switch width {
        case .dword: return UInt64(readRegister(offset))
        case .qword: return UInt64(readRegister(offset)) | UInt64(readRegister(offset + 4)) << 32
        default:
            let shift = (offset & 3) * 8
            return UInt64(readRegister(offset & ~3)) >> shift & width.mask
        }
    }

    public func write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64) {
        if bar == 4 { writeBAR4(offset, width, value); return }
        switch width {
        case .dword: writeRegister(offset, UInt32(truncatingIfNeeded: value), mask: .max)
        case .qword:
            writeRegister(offset, UInt32(truncatingIfNeeded: value), mask: .max)
            writeRegister(offset + 4, UInt32(truncatingIfNeeded: value >> 32), mask: .max)
        default:
            let shift = UInt32(offset & 3) * 8
            let mask = UInt32(truncatingIfNeeded: width.mask) << shift
            writeRegister(offset & ~3, UInt32(truncatingIfNeeded: value) << shift & mask, mask: mask)
        }
    }

    private func readBAR4(_ offset: UInt64, _ width: AccessWidth) -> UInt64 {
        switch offset {
        case ICH9.indexRegister: return UInt64(indexRegister)
        case ICH9.dataRegister: return UInt64(readRegister(UInt64(indexRegister) & (ICH9.abarSize - 1) & ~3))
        default: return 0
        }
    }

    private func writeBAR4(_ offset: UInt64, _ width: AccessWidth, _ value: UInt64) {
        switch offset {
        case ICH9.indexRegister:
            // Bits 12:2 select a DWORD of the 8 KiB ABAR (ICH9's 2 KiB ABAR uses 10:2).
            indexRegister = UInt32(truncatingIfNeeded: value) & UInt32(ICH9.abarSize - 1) & ~3
        case ICH9.dataRegister:
            writeRegister(UInt64(indexRegister), UInt32(truncatingIfNeeded: value), mask: .max)
        default: break
        }
    }

    /// Reads the ABAR DWORD at `offset` (4-byte aligned).
    func readRegister(_ offset: UInt64) -> UInt32 {
        if offset >= HostRegister.portBase {
            let p = Int((offset - HostRegister.portBase) / HostRegister.portStride)
            guard p < ports.count else { return 0 }
            return readPortRegister(p, (offset - HostRegister.portBase) % HostRegister.portStride)
        }
        switch offset {
        case HostRegister.cap: return capabilities
        case HostRegister.ghc: return (ae ? GHCBit.ae : 0) | (ie ? GHCBit.ie : 0) | (resetting ? GHCBit.hr : 0)
        case HostRegister.interruptStatus: return interruptStatus
        case HostRegister.pi: return portsImplemented
        case HostRegister.vs: return Self.version
        case HostRegister.cap2: return CAP2Bit.boh
        case HostRegister.bohc: return bohc
        default: return 0
        }
    }

    /// CAP (§3.1.1).
    var capabilities: UInt32 {
        CAPBit.s64a | CAPBit.sncq | CAPBit.ssntf | CAPBit.sss | CAPBit.sclo | 3 << CAPBit.issShift | CAPBit.pmd
            | UInt32(Self.queueDepth - 1) << CAPBit.ncsShift | UInt32(ports.count - 1)
    }

    /// PI (§3.1.4): one bit per port.
    var portsImplemented: UInt32 { (1 << UInt32(ports.count)) - 1 }

    /// Writes the ABAR DWORD at `offset`; `mask` marks the bytes written (sub-DWORD accesses), and
    /// `value` is already shifted into place.
    func writeRegister(_ offset: UInt64, _ value: UInt32, mask: UInt32) {
        if offset >= HostRegister.portBase {
            let p = Int((offset - HostRegister.portBase) / HostRegister.portStride)
            guard p < ports.count else { return }
            requireAE()
            writePortRegister(p, (offset - HostRegister.portBase) % HostRegister.portStride, value, mask: mask)
            return
        }
        switch offset {
        case HostRegister.ghc:
            let v = value & mask | readRegister(offset) & ~mask & ~GHCBit.hr
            if v & GHCBit.hr != 0 { hbaReset(immediate: false); return }
            ae = v & GHCBit.ae != 0
            if ae { aeFindingReported = false } else if v & GHCBit.ie != 0 { requireAE() }
            let wasIE = ie
            ie = v & GHCBit.ie != 0
            updateInterrupts(newCause: ie && !wasIE)
        case HostRegister.interruptStatus:
            interruptStatus &= ~(value & mask)
            updateInterrupts(newCause: false)
        case HostRegister.bohc:
            let v = value & mask | bohc & ~mask
            let oos = v & BOHCBit.oos != 0, wasOOS = bohc & BOHCBit.oos != 0
            var n = bohc & BOHCBit.ooc & ~(value & mask & BOHCBit.ooc)       // OOC is RW1C
            n |= v & (BOHCBit.oos | BOHCBit.sooe | BOHCBit.bb)
            if oos && !wasOOS { n |= BOHCBit.ooc }                            // no BIOS here: ownership passes at once
            bohc = n & ~BOHCBit.bos
        default:
            // CAP, PI, CAP2 are HwInit (written by firmware, ignored here); the rest read-only or absent.
            break
        }
    }

    /// Reports (once until AE is set) that AHCI registers are used while GHC.AE is clear.
    func requireAE() {
        guard !ae, !aeFindingReported else { return }
        aeFindingReported = true
        breach(.aeNotSet, "")
    }

    /// Reports a strict-mode breach of `rule` with `detail`.
    func breach(_ rule: AHCIRule, _ detail: String) {
        guard function.strict else { return }
        function.strictFinding(rule, detail)
    }

    // MARK: register maps

    static let bar4Map = RegisterMap([
        RegisterInfo("BMICP", offset: 0x00, width: .byte), RegisterInfo("BMISP", offset: 0x02, width: .byte),
        RegisterInfo("BMIDP", offset: 0x04), RegisterInfo("BMICS", offset: 0x08, width: .byte),
        RegisterInfo("BMISS", offset: 0x0A, width: .byte), RegisterInfo("BMIDS", offset: 0x0C),
        RegisterInfo("AIR", offset: ICH9.indexRegister), RegisterInfo("AIDR", offset: ICH9.dataRegister),
    ])

    static func abarMap(ports: Int) -> RegisterMap {
        var r: [RegisterInfo] = [
            RegisterInfo("CAP", offset: HostRegister.cap),            // HwInit: firmware may write it back
            RegisterInfo("GHC", offset: HostRegister.ghc),
            RegisterInfo("IS", offset: HostRegister.interruptStatus, access: .writeOneToClear),
            RegisterInfo("PI", offset: HostRegister.pi),              // HwInit
            RegisterInfo("VS", offset: HostRegister.vs, access: .readOnly),
            RegisterInfo("CCC_CTL", offset: HostRegister.cccCtl, access: .readOnly),
            RegisterInfo("CCC_PORTS", offset: HostRegister.cccPorts, access: .readOnly),
            RegisterInfo("EM_LOC", offset: HostRegister.emLoc, access: .readOnly),
            RegisterInfo("EM_CTL", offset: HostRegister.emCtl, access: .readOnly),
            RegisterInfo("CAP2", offset: HostRegister.cap2),          // HwInit
            RegisterInfo("BOHC", offset: HostRegister.bohc),
        ]
        let portRegs: [(String, UInt64, RegisterAccess)] = [
            ("CLB", PortRegister.clb, .readWrite), ("CLBU", PortRegister.clbu, .readWrite),
            ("FB", PortRegister.fb, .readWrite), ("FBU", PortRegister.fbu, .readWrite),
            ("IS", PortRegister.interruptStatus, .writeOneToClear), ("IE", PortRegister.interruptEnable, .readWrite),
            ("CMD", PortRegister.cmd, .readWrite), ("TFD", PortRegister.tfd, .readOnly),
            ("SIG", PortRegister.sig, .readOnly), ("SSTS", PortRegister.ssts, .readOnly),
            ("SCTL", PortRegister.sctl, .readWrite), ("SERR", PortRegister.serr, .writeOneToClear),
            ("SACT", PortRegister.sact, .readWrite), ("CI", PortRegister.ci, .readWrite),
            ("SNTF", PortRegister.sntf, .writeOneToClear), ("FBS", PortRegister.fbs, .readOnly),
            ("DEVSLP", PortRegister.devslp, .readOnly),
        ]
        for p in 0..<ports {
            let base = HostRegister.portBase + UInt64(p) * HostRegister.portStride
            for (n, o, a) in portRegs { r.append(RegisterInfo("P\(p)\(n)", offset: base + o, access: a)) }
        }
        return RegisterMap(r)
    }
}
