/// Builds a function's type-0 configuration space: identity, BARs and capabilities
/// (STYLE.md §3: capabilities are byte blobs appended to a linked list; adding one returns its offset).
///
/// A device model fills one of these in ``PCIDeviceModel/buildConfigSpace(_:)``; the platform then
/// owns the space and enforces its masks.
public struct ConfigSpaceBuilder: Sendable {
    /// The space being built.
    public private(set) var space: ConfigSpace
    /// The BARs declared so far.
    public private(set) var bars: [BARDeclaration] = []
    /// The MSI capability, if added.
    public private(set) var msi: MSICapabilityLayout?
    /// The MSI-X capability, if added.
    public private(set) var msix: MSIXCapabilityLayout?
    /// Whether this is a PCI Express function (4 KiB config space).
    public let isExpress: Bool
    private var lastCapability: Int?
    private var nextFree = 0x40
    private var lastExtended: Int?
    private var nextExtended = 0x100

    /// Starts a space for a function with these IDs. `classCode` is base class, sub-class and
    /// programming interface as one 24-bit value (e.g. `0x020000` for an Ethernet controller).
    public init(vendorID: UInt16, deviceID: UInt16, classCode: UInt32, revision: UInt8 = 0,
                subsystemVendorID: UInt16 = 0, subsystemID: UInt16 = 0, express: Bool) {
        isExpress = express
        var s = ConfigSpace(size: express ? 4096 : 256)
        s.set(ConfigHeader.vendorID, .word, UInt32(vendorID))
        s.set(ConfigHeader.deviceID, .word, UInt32(deviceID))
        s.set(ConfigHeader.revisionID, .byte, UInt32(revision))
        s.set(ConfigHeader.classProgIF, .byte, classCode & 0xFF)
        s.set(ConfigHeader.subclass, .byte, classCode >> 8 & 0xFF)
        s.set(ConfigHeader.baseClass, .byte, classCode >> 16 & 0xFF)
        s.set(ConfigHeader.subsystemVendorID, .word, UInt32(subsystemVendorID))
        s.set(ConfigHeader.subsystemID, .word, UInt32(subsystemID))
        // Command (§6.2.2): I/O, Memory, Bus Master, Parity Error Response, SERR#, Interrupt Disable are RW.
        s.setWritable(ConfigHeader.command, .word, UInt32(ConfigHeader.commandIOSpace | ConfigHeader.commandMemorySpace
            | ConfigHeader.commandBusMaster | ConfigHeader.commandParityErrorResponse | ConfigHeader.commandSERR
            | ConfigHeader.commandInterruptDisable))
        // Status (§6.2.3): error bits are RW1C.
        s.setWriteOneToClear(ConfigHeader.status, .word, UInt32(ConfigHeader.statusMasterDataParityError
            | ConfigHeader.statusSignaledTargetAbort | ConfigHeader.statusReceivedTargetAbort
            | ConfigHeader.statusReceivedMasterAbort | ConfigHeader.statusSignaledSystemError
            | ConfigHeader.statusDetectedParityError))
        s.setWritable(ConfigHeader.cacheLineSize, .byte, 0xFF)
        s.setWritable(ConfigHeader.latencyTimer, .byte, express ? 0 : 0xFF)
        s.setWritable(ConfigHeader.interruptLine, .byte, 0xFF)
        space = s
    }

    /// Marks the function as part of a multi-function device (Header Type bit 7).
    public mutating func setMultiFunction() { space.set(ConfigHeader.headerType, .byte, 0x80) }

    /// Declares the INTx pin the function uses (1 = INTA# … 4 = INTD#).
    public mutating func setInterruptPin(_ pin: UInt8) {
        precondition(pin <= 4)
        space.set(ConfigHeader.interruptPin, .byte, UInt32(pin))
    }

    /// Declares BAR `index` (§6.2.5.1): its size mask makes the sizing protocol work (writing all
    /// ones reads back `~(size - 1)` with the type bits). A 64-bit BAR also takes `index + 1`.
    public mutating func addBAR(_ index: Int, _ kind: BARKind, size: UInt64, rules: RegionAccessRules = .any,
                                registers: RegisterMap? = nil, label: String = "") {
        precondition((0..<6).contains(index) && (!kind.is64Bit || index < 5), "BAR index out of range")
        precondition(size.nonzeroBitCount == 1 && size >= (kind.isMemory ? 16 : 4), "BAR size must be a power of two")
        precondition(!bars.contains { $0.index == index || ($0.kind.is64Bit && $0.index + 1 == index)
            || (kind.is64Bit && $0.index == index + 1) }, "BAR \(index) already declared")
        let off = ConfigHeader.bar0 + 4 * index
        let addressMask = ~(size - 1)
        let lowMask = UInt32(truncatingIfNeeded: addressMask) & (kind.isMemory ? 0xFFFF_FFF0 : 0xFFFF_FFFC)
        space.set(off, .dword, kind.typeBits)
        space.setWritable(off, .dword, lowMask)
        if kind.is64Bit { space.setWritable(off + 4, .dword, UInt32(truncatingIfNeeded: addressMask >> 32)) }
        bars.append(BARDeclaration(index: index, kind: kind, size: size, rules: rules, registers: registers, label: label))
        bars.sort { $0.index < $1.index }
    }

    /// Appends a capability with `id` and `body` (the bytes after the ID and Next Pointer), returning
    /// its offset. `writable` and `writeOneToClear` masks cover the body, byte for byte, if given.
    @discardableResult
    public mutating func addCapability(_ id: UInt8, body: [UInt8], writable: [UInt8] = [], writeOneToClear: [UInt8] = [],
                                       at fixedOffset: Int? = nil) -> Int {
        let off = fixedOffset ?? nextFree
        precondition(off >= 0x40 && off % 4 == 0 && off + 2 + body.count <= 0x100, "capability does not fit")
        space.set(off, .byte, UInt32(id))
        space.set(off + 1, .byte, 0)
        for (i, b) in body.enumerated() { space.set(off + 2 + i, .byte, UInt32(b)) }
        for (i, m) in writable.enumerated() { space.writableMask[off + 2 + i] = m }
        for (i, m) in writeOneToClear.enumerated() { space.writeOneToClearMask[off + 2 + i] = m }
        if let last = lastCapability { space.set(last + 1, .byte, UInt32(off)) } else {
            space.set(ConfigHeader.capabilitiesPointer, .byte, UInt32(off))
            space.setBits16(ConfigHeader.status, ConfigHeader.statusCapabilitiesList, true)
        }
        lastCapability = off
        nextFree = max(nextFree, (off + 2 + body.count + 3) & ~3)
        return off
    }

    /// Appends an extended capability (PCIe Base §7.6.3) at 0x100 or later, returning its offset.
    /// `fixedOffset` (DWORD aligned, not below the end of the previous one) places it where a real
    /// chip has it, as ``addCapability(_:body:writable:writeOneToClear:at:)`` does.
    @discardableResult
    public mutating func addExtendedCapability(_ id: UInt16, version: UInt8, body: [UInt8], writable: [UInt8] = [],
                                               at fixedOffset: Int? = nil) -> Int {
        precondition(isExpress, "extended capabilities need PCI Express config space")
        let off = fixedOffset ?? nextExtended
        precondition(off % 4 == 0 && off >= nextExtended, "extended capability overlaps the previous one")
        precondition(off + 4 + body.count <= 0x1000)
        space.set(off, .dword, UInt32(id) | UInt32(version & 0xF) << 16)
        for (i, b) in body.enumerated() { space.set(off + 4 + i, .byte, UInt32(b)) }
        for (i, m) in writable.enumerated() { space.writableMask[off + 4 + i] = m }
        if let last = lastExtended {
            let h = space.read(last, .dword)
            space.set(last, .dword, h & 0x000F_FFFF | UInt32(off) << 20)
        }
        lastExtended = off
        nextExtended = (off + 4 + body.count + 3) & ~3
        return off
    }

    /// Adds a Power Management capability (PCI PM 1.2 §3.2): version 3, D0–D3hot, PMCSR PowerState RW,
    /// PME_Status RW1C, No_Soft_Reset set.
    @discardableResult
    public mutating func addPowerManagement(at offset: Int? = nil) -> Int {
        // PMC = version 3; PMCSR = No_Soft_Reset (bit 3); bridge ext/data 0.
        addCapability(CapabilityID.powerManagement, body: [0x03, 0x00, 0x08, 0x00, 0x00, 0x00],
                      writable: [0, 0, 0x03, 0x01], writeOneToClear: [0, 0, 0, 0x80], at: offset)
    }

    /// Adds an MSI capability (PCI Local Bus 3.0 §6.8.1) for `vectors` (a power of two, 1–32).
    @discardableResult
    public mutating func addMSI(vectors: Int, is64Bit: Bool, perVectorMasking: Bool, at offset: Int? = nil) -> MSICapabilityLayout {
        precondition(vectors.nonzeroBitCount == 1 && vectors <= 32)
        let mmc = UInt16(vectors.trailingZeroBitCount)
        let control: UInt16 = mmc << 1 | (is64Bit ? 1 << 7 : 0) | (perVectorMasking ? 1 << 8 : 0)
        // Bytes after ID/Next: Control(2) Address(4) [Upper(4)] Data(2) [Reserved(2) Mask(4) Pending(4)].
        var body = [UInt8](repeating: 0, count: 2 + 4 + (is64Bit ? 4 : 0) + 2 + (perVectorMasking ? 10 : 0))
        body[0] = UInt8(control & 0xFF); body[1] = UInt8(control >> 8)
        var wmask = [UInt8](repeating: 0, count: body.count)
        wmask[0] = 0x71                        // MSI Enable + Multiple Message Enable
        wmask[2] = 0xFC; wmask[3] = 0xFF; wmask[4] = 0xFF; wmask[5] = 0xFF   // Message Address[31:2]
        var p = 6
        if is64Bit { for i in 0..<4 { wmask[p + i] = 0xFF }; p += 4 }
        wmask[p] = 0xFF; wmask[p + 1] = 0xFF   // Message Data
        p += 4
        if perVectorMasking {
            let maskBits = vectors == 32 ? UInt32.max : (UInt32(1) << vectors) - 1
            for i in 0..<4 { wmask[p + i] = UInt8(truncatingIfNeeded: maskBits >> (8 * UInt32(i))) }
        }
        let off = addCapability(CapabilityID.msi, body: body, writable: wmask, at: offset)
        let layout = MSICapabilityLayout(offset: off, vectors: vectors, is64Bit: is64Bit, perVectorMasking: perVectorMasking)
        msi = layout
        return layout
    }

    /// Adds an MSI-X capability (PCI Local Bus 3.0 §6.8.2) with its table and PBA inside BARs the model
    /// has declared (or declares later). The platform serves the table and PBA itself.
    @discardableResult
    public mutating func addMSIX(tableSize: Int, tableBAR: Int, tableOffset: UInt64, pbaBAR: Int, pbaOffset: UInt64,
                                 at offset: Int? = nil) -> MSIXCapabilityLayout {
        precondition((1...2048).contains(tableSize) && tableOffset % 8 == 0 && pbaOffset % 8 == 0)
        let control = UInt16(tableSize - 1)
        let table = UInt32(truncatingIfNeeded: tableOffset) | UInt32(tableBAR)
        let pba = UInt32(truncatingIfNeeded: pbaOffset) | UInt32(pbaBAR)
        var body: [UInt8] = [UInt8(control & 0xFF), UInt8(control >> 8)]
        for v in [table, pba] { for i in 0..<4 { body.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        let off = addCapability(CapabilityID.msix, body: body, writable: [0, 0xC0], at: offset)
        let layout = MSIXCapabilityLayout(offset: off, tableSize: tableSize, tableBAR: tableBAR, tableOffset: tableOffset,
                                          pbaBAR: pbaBAR, pbaOffset: pbaOffset)
        msix = layout
        return layout
    }

    /// Adds a PCI Express capability, version 2 (PCIe Base §7.5.3), for a link of `maxLinkSpeed`
    /// (1 = 2.5 GT/s, 2 = 5, 3 = 8) and `maxLinkWidth` lanes, trained at those values.
    @discardableResult
    public mutating func addPCIExpress(portType: PCIExpressPortType = .endpoint, maxPayload: Int = 256,
                                       maxLinkSpeed: UInt8 = 1, maxLinkWidth: UInt8 = 1, at offset: Int? = nil) -> Int {
        var body = [UInt8](repeating: 0, count: 0x3C - 2)
        func put32(_ o: Int, _ v: UInt32) { for i in 0..<4 { body[o - 2 + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
        func put16(_ o: Int, _ v: UInt16) { body[o - 2] = UInt8(v & 0xFF); body[o - 1] = UInt8(v >> 8) }
        put16(0x02, 0x0002 | UInt16(portType.rawValue) << 4)                      // PCIe Capabilities: version 2
        put32(0x04, UInt32(max(0, maxPayload.trailingZeroBitCount - 7)))         // Device Capabilities: Max_Payload_Size Supported
        put16(0x08, 0x2810)                                                      // Device Control: defaults (RO enable, MRRS 512)
        put32(0x0C, UInt32(maxLinkSpeed) | UInt32(maxLinkWidth) << 4)            // Link Capabilities
        put16(0x12, UInt16(maxLinkSpeed) | UInt16(maxLinkWidth) << 4)            // Link Status: trained at max
        var w = [UInt8](repeating: 0, count: body.count)
        w[0x08 - 2] = 0xFF; w[0x09 - 2] = 0x7F                                    // Device Control
        w[0x10 - 2] = 0xFB; w[0x11 - 2] = 0x0F                                    // Link Control
        var c = [UInt8](repeating: 0, count: body.count)
        c[0x0A - 2] = 0x0F                                                        // Device Status error bits RW1C
        return addCapability(CapabilityID.pciExpress, body: body, writable: w, writeOneToClear: c, at: offset)
    }
}
