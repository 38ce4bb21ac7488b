/// What a Base Address Register decodes (PCI Local Bus 3.0 §6.2.5.1).
public enum BARKind: Sendable, Equatable {
    /// I/O space (bit 0 = 1).
    case io
    /// 32-bit memory space (bits 2:1 = 00).
    case memory32(prefetchable: Bool)
    /// 64-bit memory space occupying this BAR and the next (bits 2:1 = 10).
    case memory64(prefetchable: Bool)

    /// Whether this is a memory BAR.
    public var isMemory: Bool { if case .io = self { return false } else { return true } }
    /// Whether this BAR uses two BAR slots.
    public var is64Bit: Bool { if case .memory64 = self { return true } else { return false } }
    /// Whether this is prefetchable memory.
    public var isPrefetchable: Bool {
        switch self {
        case .io: return false
        case .memory32(let p), .memory64(let p): return p
        }
    }
    /// The read-only low bits of the BAR register that encode the kind.
    public var typeBits: UInt32 {
        switch self {
        case .io: return 0x1
        case .memory32(let p): return p ? 0x8 : 0x0
        case .memory64(let p): return 0x4 | (p ? 0x8 : 0x0)
        }
    }
}

/// How a region may be accessed, declared once (STYLE.md §4, after QEMU's `MemoryRegionOps.valid`).
/// Accesses that break these rules are findings; reads then return all ones and writes are dropped.
public struct RegionAccessRules: Sendable, Equatable {
    /// Narrowest access allowed.
    public var minWidth: AccessWidth
    /// Widest access allowed.
    public var maxWidth: AccessWidth
    /// Whether an access must be aligned to its own width.
    public var naturallyAligned: Bool
    /// Creates rules.
    public init(minWidth: AccessWidth = .byte, maxWidth: AccessWidth = .qword, naturallyAligned: Bool = true) {
        self.minWidth = minWidth; self.maxWidth = maxWidth; self.naturallyAligned = naturallyAligned
    }
    /// 32-bit registers only, aligned.
    public static let dwordOnly = RegionAccessRules(minWidth: .dword, maxWidth: .dword)
    /// Anything from 8 to 64 bits, aligned.
    public static let any = RegionAccessRules()
}

/// How software may access one register.
public enum RegisterAccess: UInt8, Sendable {
    /// Read and write.
    case readWrite
    /// Read only; writes are findings and are dropped.
    case readOnly
    /// Write only; reads are findings (and return what the model says).
    case writeOnly
    /// Read-only, cleared by reading (statistics counters, ICR).
    case readToClear
    /// Bits are cleared by writing 1.
    case writeOneToClear
}

/// One register of a device's BAR, as its datasheet names it.
public struct RegisterInfo: Sendable, Equatable {
    /// Byte offset in the BAR.
    public var offset: UInt64
    /// Register width.
    public var width: AccessWidth
    /// The datasheet's name.
    public var name: String
    /// Access rule.
    public var access: RegisterAccess
    /// Creates a register description.
    public init(_ name: String, offset: UInt64, width: AccessWidth = .dword, access: RegisterAccess = .readWrite) {
        self.name = name; self.offset = offset; self.width = width; self.access = access
    }
}

/// The registers of one BAR, for access checking and for naming registers in findings.
///
/// Lookup is a dense table from byte offset to register, so it costs one array read per access.
public struct RegisterMap: Sendable {
    /// All registers, in the order given.
    public let registers: [RegisterInfo]
    /// Whether an access that hits no register is a finding (``FindingCode/accessOutOfRange``).
    public let undefinedIsFinding: Bool
    private let index: [Int32]

    /// Builds a map; registers must not overlap.
    public init(_ registers: [RegisterInfo], undefinedIsFinding: Bool = true) {
        self.registers = registers
        self.undefinedIsFinding = undefinedIsFinding
        let end = registers.map { Int($0.offset) + $0.width.bytes }.max() ?? 0
        var idx = [Int32](repeating: -1, count: end)
        for (i, r) in registers.enumerated() {
            for b in Int(r.offset)..<Int(r.offset) + r.width.bytes {
                precondition(idx[b] == -1, "registers \(r.name) and \(registers[Int(idx[b])].name) overlap")
                idx[b] = Int32(i)
            }
        }
        self.index = idx
    }

    /// The register covering byte `offset`, if any.
    @inlinable public func register(at offset: UInt64) -> RegisterInfo? {
        guard let i = _index(offset) else { return nil }
        return registers[i]
    }

    @usableFromInline func _index(_ offset: UInt64) -> Int? {
        guard offset < UInt64(index.count) else { return nil }
        let i = index[Int(offset)]
        return i < 0 ? nil : Int(i)
    }
}

/// A BAR as a device declares it.
public struct BARDeclaration: Sendable {
    /// BAR number, 0–5 (a 64-bit BAR also takes `index + 1`).
    public var index: Int
    /// What it decodes.
    public var kind: BARKind
    /// Size in bytes, a power of two (at least 16 for memory, 4 for I/O).
    public var size: UInt64
    /// Access rules for the whole region.
    public var rules: RegionAccessRules
    /// Registers, if the model declares them.
    public var registers: RegisterMap?
    /// A label for lspci-style listings (e.g. "registers", "MSI-X").
    public var label: String
}
