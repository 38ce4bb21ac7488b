// PCI configuration-space identity of the 82540EM (conventional PCI) and the
// 82574L (PCIe). Sources: 8254x SDM rev 4.0 §4.1 (BARs, Cap_Ptr) and §6.3.3
// (PM capability), QEMU `hw/net/e1000.c` and `hw/net/e1000e.c`, Linux
// `e1000_hw.h`/`e1000x_regs.h` device IDs. FACTS.md lists what is unverified.

/// Kind of a base address register.
enum E1000BARKind: Sendable, Hashable {
    /// 32-bit memory BAR, non-prefetchable (SDM §4.1: the controller's memory
    /// space is non-prefetchable because reads have side effects).
    case memory32NonPrefetchable
    /// 64-bit memory BAR, non-prefetchable (SDM §4.1 allows Type = 10b for the
    /// memory register BAR on 64-bit capable parts).
    case memory64NonPrefetchable
    /// I/O space BAR.
    case io
}

/// One base address register of the modelled function.
struct E1000BAR: Sendable, Hashable {
    /// BAR index (0 = config offset 0x10, 1 = 0x14, …).
    let index: Int
    /// Memory or I/O, width and prefetchability.
    let kind: E1000BARKind
    /// Size in bytes (power of two).
    let size: UInt64
    /// What the BAR maps.
    let purpose: String
    /// Where the index/size come from.
    let source: String

    /// Creates a BAR description.
    init(index: Int, kind: E1000BARKind, size: UInt64, purpose: String, source: String) {
        self.index = index
        self.kind = kind
        self.size = size
        self.purpose = purpose
        self.source = source
    }

    /// Config-space offset of the BAR (0x10 + 4·index).
    var configOffset: Int { 0x10 + 4 * index }
}

/// One entry of the PCI (or PCIe extended) capability list.
struct E1000Capability: Sendable, Hashable {
    /// Capability ID (PCI: 01h PM, 05h MSI, 10h PCIe, 11h MSI-X; extended:
    /// 0001h AER, 0003h DSN).
    let id: UInt16
    /// Offset in configuration space.
    let offset: Int
    /// Offset of the next entry (0 = end of list).
    let next: Int
    /// Name.
    let name: String

    /// Creates a capability entry.
    init(id: UInt16, offset: Int, next: Int, name: String) {
        self.id = id
        self.offset = offset
        self.next = next
        self.name = name
    }
}

/// MSI-X table/PBA placement (PCI Local Bus 3.0 §6.8.2 structure).
struct E1000MSIXLayout: Sendable, Hashable {
    /// Number of vectors (Table Size field + 1).
    let vectorCount: Int
    /// BAR index holding the table (Table BIR).
    let tableBAR: Int
    /// Byte offset of the table in that BAR.
    let tableOffset: UInt32
    /// BAR index holding the pending-bit array (PBA BIR).
    let pbaBAR: Int
    /// Byte offset of the PBA in that BAR.
    let pbaOffset: UInt32

    /// Creates an MSI-X layout.
    init(vectorCount: Int, tableBAR: Int, tableOffset: UInt32, pbaBAR: Int, pbaOffset: UInt32) {
        self.vectorCount = vectorCount
        self.tableBAR = tableBAR
        self.tableOffset = tableOffset
        self.pbaBAR = pbaBAR
        self.pbaOffset = pbaOffset
    }

    /// Bytes per MSI-X table entry (address low/high, data, vector control).
    static let tableEntryBytes = 16
}

/// Identity and configuration-space layout of one modelled controller.
struct E1000PCIIdentity: Sendable, Hashable {
    /// The chip.
    let chip: E1000Chip
    /// Vendor ID (Intel 0x8086).
    let vendorID: UInt16
    /// Device ID.
    let deviceID: UInt16
    /// Revision ID presented by the model.
    let revisionID: UInt8
    /// Class code (base class, sub-class, prog-if): 02h/00h/00h Ethernet controller.
    let classCode: UInt32
    /// Header type (00h: single-function, type 0).
    let headerType: UInt8
    /// Subsystem vendor ID presented by default (EEPROM word 0x0C).
    let subsystemVendorID: UInt16
    /// Subsystem ID presented by default (EEPROM word 0x0B).
    let subsystemID: UInt16
    /// Interrupt pin: 1 = INTA#.
    let interruptPin: UInt8
    /// Base address registers.
    let bars: [E1000BAR]
    /// Capabilities pointer (config offset 0x34); 0 when the list is empty.
    let capabilitiesPointer: Int
    /// Standard capability list, in link order starting at `capabilitiesPointer`.
    let capabilities: [E1000Capability]
    /// PCIe extended capabilities (from offset 0x100), in link order.
    let extendedCapabilities: [E1000Capability]
    /// MSI-X layout, if MSI-X is supported.
    let msix: E1000MSIXLayout?

    /// Creates an identity record.
    init(chip: E1000Chip, vendorID: UInt16, deviceID: UInt16, revisionID: UInt8,
                classCode: UInt32, headerType: UInt8, subsystemVendorID: UInt16,
                subsystemID: UInt16, interruptPin: UInt8, bars: [E1000BAR],
                capabilitiesPointer: Int, capabilities: [E1000Capability],
                extendedCapabilities: [E1000Capability], msix: E1000MSIXLayout?) {
        self.chip = chip
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.revisionID = revisionID
        self.classCode = classCode
        self.headerType = headerType
        self.subsystemVendorID = subsystemVendorID
        self.subsystemID = subsystemID
        self.interruptPin = interruptPin
        self.bars = bars
        self.capabilitiesPointer = capabilitiesPointer
        self.capabilities = capabilities
        self.extendedCapabilities = extendedCapabilities
        self.msix = msix
    }

    /// Intel's PCI vendor ID.
    static let intelVendorID: UInt16 = 0x8086
    /// Class code 02h (network controller) / 00h (Ethernet) / 00h.
    static let ethernetClassCode: UInt32 = 0x02_00_00

    /// The identity for `chip`.
    static func identity(for chip: E1000Chip) -> E1000PCIIdentity {
        chip == .i82540EM ? i82540EM : i82574L
    }

    /// 82540EM (8086:100E), conventional 32-bit PCI.
    ///
    /// - Device ID 0x100E: Linux `E1000_DEV_ID_82540EM`.
    /// - Revision 0x03: the value QEMU's `e1000` presents; the silicon
    ///   stepping's revision ID was not confirmed from Intel documents.
    /// - Subsystem: loaded from EEPROM words 0x0B/0x0C; defaults here are
    ///   8086:100E, matching `E1000EEPROM.defaultImage` (QEMU's template also
    ///   writes the device ID into word 0x0B).
    /// - BAR0: memory register space, 128 KiB (SDM §4.1, p. 74: 128 KB register
    ///   space; bits 16:4 hard-wired 0).
    /// - BAR2: I/O register window (IOADDR/IODATA). SDM §4.1 p. 74 gives an
    ///   8-byte I/O register space (bits 31:3 R/W). QEMU instead maps
    ///   BAR1 as a 64-byte (0x40) I/O region. The 8-byte SDM size is used here;
    ///   the index is 2 (BAR1 = optional Flash BAR on a 32-bit-BAR 8254x; the
    ///   SDM's BAR-index table was not read, see FACTS.md §5).
    /// - The optional Flash BAR (64–512 KB, sized from the EEPROM, SDM §4.1)
    ///   is not modelled.
    /// - Capabilities: Cap_Ptr = DCh → PCI Power Management (ID 01h) at DCh
    ///   (SDM §6.3.3). The PM entry's next pointer E4h (PCI-X) carries a footnote
    ///   excluding the 82541xx, 82547GI/EI and 82540EP/EM, so the list is
    ///   taken to end after PM (next = 00h; inferred). QEMU's e1000 exposes no
    ///   capabilities at all.
    static let i82540EM = E1000PCIIdentity(
        chip: .i82540EM, vendorID: intelVendorID, deviceID: 0x100E, revisionID: 0x03,
        classCode: ethernetClassCode, headerType: 0x00,
        subsystemVendorID: intelVendorID, subsystemID: 0x100E, interruptPin: 1,
        bars: [
            E1000BAR(index: 0, kind: .memory32NonPrefetchable, size: 128 * 1024,
                     purpose: "CSR registers (E1000Register)",
                     source: "SDM §4.1 p.74; QEMU e1000.c BAR0 PNPMMIO_SIZE 0x20000"),
            E1000BAR(index: 2, kind: .io, size: 8,
                     purpose: "I/O window: IOADDR 0x00, IODATA 0x04",
                     source: "size: SDM §4.1 p.74 (8 bytes); index 2 as on 8254x parts with a 32-bit memory BAR, BAR1 being the optional Flash BAR (QEMU puts a 0x40-byte I/O BAR at index 1)"),
        ],
        capabilitiesPointer: 0xDC,
        capabilities: [
            E1000Capability(id: 0x01, offset: 0xDC, next: 0x00, name: "PCI Power Management"),
        ],
        extendedCapabilities: [],
        msix: nil)

    /// 82574L (8086:10D3), PCIe x1.
    ///
    /// - Device ID 0x10D3: QEMU `E1000_DEV_ID_82574L`; QEMU `e1000e.c`
    ///   class_init uses revision 0. Real 82574L lspci listings show no
    ///   "(rev xx)" suffix, which lspci omits only for revision 00h.
    /// - Subsystem: from NVM; QEMU defaults to 8086:0000 (properties
    ///   `subsys_ven`, `subsys`). Real boards report e.g. 8086:A01F
    ///   ("Gigabit CT Desktop Adapter").
    /// - BARs (QEMU `e1000e.c`): BAR0 memory 128 KiB (CSRs), BAR1 memory
    ///   128 KiB (Flash window; QEMU maps a dummy region), BAR2 I/O 32 bytes
    ///   (IOADDR/IODATA; the 82575's manual describes the same 32-byte I/O
    ///   window), BAR3 memory 16 KiB (MSI-X table at 0x0000, PBA at 0x2000).
    ///   All 32-bit non-prefetchable in QEMU. Not checked against the 82574
    ///   datasheet.
    /// - Capabilities (QEMU, which prepends each capability it adds, giving
    ///   this link order): Cap_Ptr = C8h → PM (C8h) → MSI (D0h, 1 vector,
    ///   64-bit, no per-vector masking) → PCIe (E0h, capability version 1) →
    ///   MSI-X (A0h, 5 vectors) → end. Extended: AER at 100h → DSN at 140h.
    static let i82574L = E1000PCIIdentity(
        chip: .i82574L, vendorID: intelVendorID, deviceID: 0x10D3, revisionID: 0x00,
        classCode: ethernetClassCode, headerType: 0x00,
        subsystemVendorID: intelVendorID, subsystemID: 0x0000, interruptPin: 1,
        bars: [
            E1000BAR(index: 0, kind: .memory32NonPrefetchable, size: 128 * 1024,
                     purpose: "CSR registers (E1000Register)",
                     source: "QEMU e1000e.c E1000E_MMIO_SIZE"),
            E1000BAR(index: 1, kind: .memory32NonPrefetchable, size: 128 * 1024,
                     purpose: "Flash window",
                     source: "QEMU e1000e.c E1000E_FLASH_SIZE (real size depends on the Flash part)"),
            E1000BAR(index: 2, kind: .io, size: 32,
                     purpose: "I/O window: IOADDR 0x00, IODATA 0x04",
                     source: "QEMU e1000e.c E1000E_IO_SIZE"),
            E1000BAR(index: 3, kind: .memory32NonPrefetchable, size: 16 * 1024,
                     purpose: "MSI-X table (0x0000) and PBA (0x2000)",
                     source: "QEMU e1000e.c E1000E_MSIX_SIZE, E1000E_MSIX_TABLE, E1000E_MSIX_PBA"),
        ],
        capabilitiesPointer: 0xC8,
        capabilities: [
            E1000Capability(id: 0x01, offset: 0xC8, next: 0xD0, name: "PCI Power Management"),
            E1000Capability(id: 0x05, offset: 0xD0, next: 0xE0, name: "MSI"),
            E1000Capability(id: 0x10, offset: 0xE0, next: 0xA0, name: "PCI Express (endpoint)"),
            E1000Capability(id: 0x11, offset: 0xA0, next: 0x00, name: "MSI-X"),
        ],
        extendedCapabilities: [
            E1000Capability(id: 0x0001, offset: 0x100, next: 0x140, name: "Advanced Error Reporting"),
            E1000Capability(id: 0x0003, offset: 0x140, next: 0x000, name: "Device Serial Number"),
        ],
        msix: E1000MSIXLayout(vectorCount: 5, tableBAR: 3, tableOffset: 0x0000,
                              pbaBAR: 3, pbaOffset: 0x2000))

    /// 82574 MSI: one message, 64-bit address capable, no per-vector masking
    /// (QEMU `msi_init(..., 0xD0, 1, true, false, ...)`).
    static let msiVectorCount82574L = 1

    /// 82574 Device Serial Number built from the MAC address with FFh-FFh
    /// inserted after the OUI (QEMU `e1000e_gen_dsn`; the 82575 manual
    /// describes the same "MAC label FFFFh" scheme). Returns the 64-bit value
    /// whose most significant byte is `mac[0]`.
    static func deviceSerialNumber82574L(mac: [UInt8]) -> UInt64 {
        precondition(mac.count == 6, "MAC address must be 6 bytes")
        return (UInt64(mac[0]) << 56) | (UInt64(mac[1]) << 48) | (UInt64(mac[2]) << 40)
            | (UInt64(0xFF) << 32) | (UInt64(0xFF) << 24)
            | (UInt64(mac[3]) << 16) | (UInt64(mac[4]) << 8) | UInt64(mac[5])
    }
}
