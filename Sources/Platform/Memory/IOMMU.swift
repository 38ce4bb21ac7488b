/// One live IOMMU mapping: a bus-address range and the memory behind it.
public struct IOMMUMapping {
    /// First bus address of the mapping (page aligned).
    public var busAddress: BusAddress
    /// Length in bytes as mapped (exact; accesses beyond it are findings even inside the last page).
    public var length: UInt64
    /// Physical address behind `busAddress`.
    public var physical: PhysicalAddress
    /// Allowed direction.
    public var direction: DMADirection
    /// When it was mapped.
    public var mappedAt: VirtualTime
    /// A label from the host (e.g. "coherent 4096", "rx buffer").
    public var label: String
    var pointer: UnsafeMutableRawPointer
}

/// Why a DMA translation failed.
public enum IOMMUFault: Error, Sendable, Equatable {
    /// No live mapping covers the address; `history` says whether and when one did.
    case unmapped(history: String?)
    /// A mapping covers it, but not in this direction.
    case direction(DMADirection)
}

/// The IOMMU-like translation for one PCI function (one requester ID, one domain).
///
/// Bus addresses are mapped page by page (4 KiB, like VT-d and AMD-Vi); a mapping also keeps its
/// exact length, so accesses past the mapped bytes are caught even inside the final page. Unmapped
/// ranges are remembered (bounded) so a late access names when its mapping went away.
public final class IOMMUDomain {
    private var mappings: [IOMMUMapping?] = []
    /// The plain-value part of each slot's mapping (no label), for the translation fast path.
    private struct HotMapping {
        var bus: UInt64 = 0
        /// 0 when the slot is free.
        var length: UInt64 = 0
        var pointer = UnsafeMutableRawPointer(bitPattern: 1)!
        var mayRead = false
        var mayWrite = false
        @inline(__always) func covers(_ a: UInt64) -> Bool { a >= bus && a &- bus < length }
    }
    /// One per slot of `mappings`, in storage the domain manages (read without reference counting).
    private var hot = UnsafeMutablePointer<HotMapping>.allocate(capacity: 0)
    private var hotCapacity = 0
    private var freeSlots: [Int32] = []
    private var pages: [UInt64: Int32] = [:]
    private var lastHit: Int = -1
    /// A direct-mapped cache of page → slot (like a TLB), so a ring of buffers that each sit in their
    /// own page translates without hashing. Entries are (page + 1, slot); 0 means empty.
    private let tlb: UnsafeMutablePointer<(UInt64, Int32)> = {
        let t = UnsafeMutablePointer<(UInt64, Int32)>.allocate(capacity: IOMMUDomain.tlbSize)
        t.initialize(repeating: (0, 0), count: IOMMUDomain.tlbSize)
        return t
    }()
    private static let tlbSize = 1024
    private var history: [UInt64: (mapped: VirtualTime, unmapped: VirtualTime, bus: BusAddress, length: UInt64, label: String)] = [:]
    private var historyOrder: [UInt64] = []
    private var historyHead = 0
    /// Pages of unmap history kept.
    public let historyCapacity: Int
    /// Number of live mappings.
    public private(set) var liveCount = 0

    /// Creates an empty domain.
    public init(historyCapacity: Int = 1 << 16) { self.historyCapacity = historyCapacity }

    deinit {
        hot.deinitialize(count: mappings.count)
        hot.deallocate()
        tlb.deinitialize(count: Self.tlbSize)
        tlb.deallocate()
    }

    /// Maps `length` bytes at page-aligned `bus` to `pointer`; the pages must be free.
    public func map(_ bus: BusAddress, length: UInt64, physical: PhysicalAddress, pointer: UnsafeMutableRawPointer,
                    direction: DMADirection, at time: VirtualTime, label: String) {
        precondition(bus.rawValue % PhysicalMemory.pageSize == 0 && length > 0, "IOMMU mappings are page aligned")
        let slot: Int32
        let m = IOMMUMapping(busAddress: bus, length: length, physical: physical, direction: direction,
                             mappedAt: time, label: label, pointer: pointer)
        let h = HotMapping(bus: bus.rawValue, length: length, pointer: pointer,
                           mayRead: direction.deviceMayRead, mayWrite: direction.deviceMayWrite)
        if let s = freeSlots.popLast() {
            slot = s; mappings[Int(s)] = m; hot[Int(s)] = h
        } else {
            slot = Int32(mappings.count)
            if mappings.count == hotCapacity {
                let grown = UnsafeMutablePointer<HotMapping>.allocate(capacity: max(16, 2 * hotCapacity))
                grown.moveInitialize(from: hot, count: mappings.count)
                hot.deallocate()
                hot = grown
                hotCapacity = max(16, 2 * hotCapacity)
            }
            (hot + mappings.count).initialize(to: h)
            mappings.append(m)
        }
        let first = bus.rawValue / PhysicalMemory.pageSize
        let last = (bus.rawValue + length - 1) / PhysicalMemory.pageSize
        for p in first...last {
            precondition(pages[p] == nil, "bus page 0x\(hex(p << 12, 1)) already mapped")
            pages[p] = slot
        }
        liveCount += 1
    }

    /// Removes the mapping that starts at `bus`, returning it (nil if there is none).
    @discardableResult
    public func unmap(_ bus: BusAddress, at time: VirtualTime) -> IOMMUMapping? {
        guard let slot = pages[bus.rawValue / PhysicalMemory.pageSize], let m = mappings[Int(slot)],
              m.busAddress == bus else { return nil }
        let first = bus.rawValue / PhysicalMemory.pageSize
        let last = (bus.rawValue + m.length - 1) / PhysicalMemory.pageSize
        for p in first...last {
            pages[p] = nil
            tlb[Int(p % UInt64(Self.tlbSize))] = (0, 0)
            remember(page: p, (m.mappedAt, time, m.busAddress, m.length, m.label))
        }
        mappings[Int(slot)] = nil
        hot[Int(slot)] = HotMapping()
        freeSlots.append(slot)
        if lastHit == Int(slot) { lastHit = -1 }
        liveCount -= 1
        return m
    }

    private func remember(page: UInt64, _ h: (mapped: VirtualTime, unmapped: VirtualTime, bus: BusAddress, length: UInt64, label: String)) {
        guard historyCapacity > 0 else { return }
        if historyOrder.count < historyCapacity { historyOrder.append(page) } else {
            history[historyOrder[historyHead]] = nil
            historyOrder[historyHead] = page
            historyHead = (historyHead + 1) % historyCapacity
        }
        history[page] = h
    }

    /// Every live mapping, by bus address.
    public var liveMappings: [IOMMUMapping] { mappings.compactMap { $0 }.sorted { $0.busAddress < $1.busAddress } }

    /// The host pointer for an access of `length` bytes at `bus` when one live mapping covers all of
    /// it in the right direction (the common case); nil otherwise — then ``translate(_:length:write:)``
    /// says why, piece by piece. Reads only plain values: no allocation, no reference counting.
    @inline(__always)
    public func translateWhole(_ bus: BusAddress, length: Int, write: Bool) -> UnsafeMutableRawPointer? {
        let a = bus.rawValue
        var slot = lastHit
        if slot < 0 || !hot[slot].covers(a) {
            let page = a / PhysicalMemory.pageSize
            let e = tlb[Int(page % UInt64(Self.tlbSize))]
            if e.0 == page &+ 1 { slot = Int(e.1) } else {
                guard let found = pages[page] else { return nil }
                slot = Int(found)
                tlb[Int(page % UInt64(Self.tlbSize))] = (page &+ 1, found)
            }
            guard hot[slot].covers(a) else { return nil }
            lastHit = slot
        }
        let m = hot[slot]
        guard write ? m.mayWrite : m.mayRead else { return nil }
        let offset = a &- m.bus
        guard length >= 0, UInt64(length) <= m.length &- offset else { return nil }
        return m.pointer + Int(offset)
    }

    /// Translates the start of an access of up to `length` bytes; returns the host pointer and how
    /// many bytes of the access that one mapping covers.
    public func translate(_ bus: BusAddress, length: Int, write: Bool) -> Result<(UnsafeMutableRawPointer, Int), IOMMUFault> {
        let slot: Int
        if lastHit >= 0, let m = mappings[lastHit], bus.rawValue >= m.busAddress.rawValue,
           bus.rawValue < m.busAddress.rawValue &+ m.length {
            slot = lastHit
        } else if let s = lookup(bus) {
            slot = s
        } else {
            return .failure(.unmapped(history: describeHistory(bus)))
        }
        let m = mappings[slot]!
        lastHit = slot
        guard write ? m.direction.deviceMayWrite : m.direction.deviceMayRead else { return .failure(.direction(m.direction)) }
        let offset = bus.rawValue - m.busAddress.rawValue
        return .success((m.pointer + Int(offset), min(length, Int(m.length - offset))))
    }

    func lookup(_ bus: BusAddress) -> Int? {
        let page = bus.rawValue / PhysicalMemory.pageSize
        let e = tlb[Int(page % UInt64(Self.tlbSize))]
        let s: Int32
        if e.0 == page &+ 1 { s = e.1 } else {
            guard let found = pages[page] else { return nil }
            s = found
            tlb[Int(page % UInt64(Self.tlbSize))] = (page &+ 1, found)
        }
        guard let m = mappings[Int(s)],
              bus.rawValue < m.busAddress.rawValue + m.length else { return nil }
        return Int(s)
    }

    /// Where `bus` was mapped before, if the history still remembers it.
    func describeHistory(_ bus: BusAddress) -> String? {
        if let s = pages[bus.rawValue / PhysicalMemory.pageSize], let m = mappings[Int(s)] {
            return "past the end of mapping \(m.busAddress)+\(m.length) (\(m.label), mapped at t=\(m.mappedAt))"
        }
        guard let h = history[bus.rawValue / PhysicalMemory.pageSize] else { return nil }
        return "mapping \(h.bus)+\(h.length) (\(h.label)) was mapped at t=\(h.mapped), unmapped at t=\(h.unmapped)"
    }
}
