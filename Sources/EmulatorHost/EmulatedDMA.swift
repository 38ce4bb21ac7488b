import BoxlessPlatform
import NativeDriverKit

/// DMA memory of one function on the emulator host.
///
/// Memory comes from the machine's physical memory; bus addresses (IOVAs) come from a per-function
/// allocator and are mapped in the function's IOMMU domain: coherent buffers bidirectionally for
/// their whole life, streaming buffers while mapped, in the mapped direction. IOVAs are handed out
/// upwards and reused oldest-freed first, so a late device access usually finds its old mapping in
/// the IOMMU's history. With the default 64-bit limit IOVAs lie above 4 GiB, which catches drivers
/// that program only the low half of an address.
///
/// CPU access: each buffer has a guard word the ``DMABuffer`` fast path compares; it allows reads
/// and writes when the CPU owns the buffer, reads only while mapped to-device, and nothing while the
/// device owns it or after free — those accesses take the slow path here and become findings.
final class EmulatedDMA: DMAAllocator, DMAMemoryAccess {
    struct Allocation {
        var token: UInt64
        var physical: PhysicalAddress
        var pointer: UnsafeMutableRawPointer
        var length: Int
        var coherent: Bool
        var bus: BoxlessPlatform.BusAddress?
        var direction: NativeDriverKit.DMADirection?
        var cpuOwned: Bool
        var live: Bool
    }
    unowned(unsafe) let function: PCIFunction
    unowned(unsafe) let machine: Machine
    private var allocations: [Allocation] = []
    private var freeHandles: [Int] = []
    private var guardSlabs: [UnsafeMutablePointer<UInt64>] = []
    private static let slabSize = 4096
    private var nextToken: UInt64 = 4
    private var iovaNext: UInt64 = 0x10_0000_0000
    private var iovaLimit: UInt64 = 0x1_0000_0000_0000
    private var iovaFree: [UInt64: [UInt64]] = [:]   // pages → bases, oldest first
    private var iovaFreeHead: [UInt64: Int] = [:]

    init(function: PCIFunction, machine: Machine) { self.function = function; self.machine = machine }

    deinit {
        for a in allocations where a.live { machine.memory.free(a.physical) }
        for s in guardSlabs { s.deallocate() }
    }

    /// Live allocations (for leak checks).
    var liveAllocations: Int { allocations.lazy.filter(\.live).count }

    private func guardWord(_ handle: Int) -> UnsafeMutablePointer<UInt64> {
        while handle / Self.slabSize >= guardSlabs.count {
            let s = UnsafeMutablePointer<UInt64>.allocate(capacity: Self.slabSize)
            s.initialize(repeating: 0, count: Self.slabSize)
            guardSlabs.append(s)
        }
        return guardSlabs[handle / Self.slabSize] + handle % Self.slabSize
    }

    private func setGuard(_ h: Int) {
        let a = allocations[h]
        var g = a.token
        if a.live {
            if a.cpuOwned { g |= DMABuffer.cpuMayRead | DMABuffer.cpuMayWrite }
            else if a.direction == .toDevice { g |= DMABuffer.cpuMayRead }
        } else { g = 0 }
        guardWord(h).pointee = g
    }

    func setAddressingLimit(bits: Int) throws(DriverError) {
        guard (24...64).contains(bits) else { throw .invalidArgument("DMA addressing limit of \(bits) bits") }
        iovaLimit = bits == 64 ? .max : 1 << UInt64(bits)
        if iovaNext >= iovaLimit { iovaNext = min(0x8000_0000, iovaLimit / 2) }
    }

    private func allocateIOVA(pages: UInt64) throws(DriverError) -> UInt64 {
        let bytes = pages * PhysicalMemory.pageSize
        if iovaNext + bytes <= iovaLimit {
            defer { iovaNext += bytes }
            return iovaNext
        }
        if let list = iovaFree[pages], let head = iovaFreeHead[pages], head < list.count {
            iovaFreeHead[pages] = head + 1
            if head + 1 == list.count { iovaFree[pages] = []; iovaFreeHead[pages] = 0 }
            return list[head]
        }
        throw .resourceUnavailable("no bus address space left under the \(iovaLimit)-byte DMA limit")
    }

    private func releaseIOVA(_ base: UInt64, length: Int) {
        let pages = (UInt64(length) + PhysicalMemory.pageSize - 1) / PhysicalMemory.pageSize
        iovaFree[pages, default: []].append(base)
    }

    private func newAllocation(size: Int, coherent: Bool) throws(DriverError) -> Int {
        guard size > 0, size <= 1 << 30 else { throw .invalidArgument("DMA allocation of \(size) bytes") }
        let (phys, p) = machine.memory.allocate(size: size)
        let a = Allocation(token: nextToken, physical: phys, pointer: p, length: size, coherent: coherent, bus: nil,
                           direction: nil, cpuOwned: true, live: true)
        nextToken += 4
        let h: Int
        if let f = freeHandles.popLast() { h = f; allocations[h] = a } else { h = allocations.count; allocations.append(a) }
        return h
    }

    private func buffer(_ h: Int) -> DMABuffer {
        let a = allocations[h]
        return DMABuffer(length: a.length, busAddress: NativeDriverKit.BusAddress(rawValue: a.bus?.rawValue ?? 0), handle: h,
                         window: a.pointer, guardWord: UnsafePointer(guardWord(h)), token: a.token, memory: self)
    }

    func allocateCoherent(size: Int, alignment: Int) throws(DriverError) -> DMABuffer {
        guard alignment > 0, alignment.nonzeroBitCount == 1, alignment <= 4096 else {
            throw .invalidArgument("DMA alignment \(alignment) (must be a power of two up to 4096)")
        }
        let h = try newAllocation(size: size, coherent: true)
        let a = allocations[h]
        let pages = (UInt64(size) + PhysicalMemory.pageSize - 1) / PhysicalMemory.pageSize
        let iova: UInt64
        do { iova = try allocateIOVA(pages: pages) } catch {
            machine.memory.free(a.physical); allocations[h].live = false; freeHandles.append(h); throw error
        }
        function.iommu.map(BoxlessPlatform.BusAddress(iova), length: UInt64(size), physical: a.physical, pointer: a.pointer,
                           direction: .bidirectional, at: machine.now, label: "coherent \(size)B")
        allocations[h].bus = BoxlessPlatform.BusAddress(iova)
        allocations[h].direction = .bidirectional
        setGuard(h)
        return buffer(h)
    }

    func allocateStreaming(size: Int) throws(DriverError) -> DMABuffer {
        let h = try newAllocation(size: size, coherent: false)
        setGuard(h)
        return buffer(h)
    }

    private func live(_ b: DMABuffer, _ what: String) -> Int? {
        let h = b.handle
        guard h >= 0, h < allocations.count, allocations[h].live, allocations[h].token == b.hostToken else {
            function.finding(.dmaCPUAccess, "\(what) of a DMA buffer that was already freed (handle \(h))",
                             reference: "NativeDriverKit DMAAllocator ownership rules")
            return nil
        }
        return h
    }

    func map(_ b: DMABuffer, direction: NativeDriverKit.DMADirection) throws(DriverError) -> NativeDriverKit.BusAddress {
        guard let h = live(b, "map") else { throw .invalidArgument("map of a freed DMA buffer") }
        guard !allocations[h].coherent else { throw .invalidArgument("map of a coherent buffer (it is always mapped)") }
        guard allocations[h].bus == nil else { throw .invalidState("buffer is already mapped at \(allocations[h].bus!)") }
        let pages = (UInt64(b.length) + PhysicalMemory.pageSize - 1) / PhysicalMemory.pageSize
        let iova = try allocateIOVA(pages: pages)
        let dir = BoxlessPlatform.DMADirection(rawValue: direction.rawValue)!
        function.iommu.map(BoxlessPlatform.BusAddress(iova), length: UInt64(b.length), physical: allocations[h].physical,
                           pointer: allocations[h].pointer, direction: dir, at: machine.now, label: "streaming \(dir) \(b.length)B")
        allocations[h].bus = BoxlessPlatform.BusAddress(iova)
        allocations[h].direction = direction
        allocations[h].cpuOwned = false
        setGuard(h)
        return NativeDriverKit.BusAddress(rawValue: iova)
    }

    func unmap(_ b: DMABuffer) {
        guard let h = live(b, "unmap") else { return }
        guard let bus = allocations[h].bus, !allocations[h].coherent else {
            function.finding(.dmaCPUAccess, "unmap of a DMA buffer that is not mapped (handle \(h))")
            return
        }
        function.iommu.unmap(bus, at: machine.now)
        releaseIOVA(bus.rawValue, length: allocations[h].length)
        allocations[h].bus = nil
        allocations[h].direction = nil
        allocations[h].cpuOwned = true
        setGuard(h)
    }

    func syncForCPU(_ b: DMABuffer) {
        if syncLive(b, toCPU: true) { return }
        guard let h = live(b, "sync") else { return }
        allocations[h].cpuOwned = true
        setGuard(h)
    }

    func syncForDevice(_ b: DMABuffer) {
        if syncLive(b, toCPU: false) { return }
        guard let h = live(b, "sync") else { return }
        if allocations[h].bus != nil && !allocations[h].coherent { allocations[h].cpuOwned = false }
        setGuard(h)
    }

    /// The per-packet path of both syncs (a driver calls them for every descriptor): ownership moves
    /// and the guard word follows, as in ``setGuard(_:)``, in place. False when `b` is not a live
    /// allocation (the caller reports it).
    @inline(__always)
    private func syncLive(_ b: DMABuffer, toCPU: Bool) -> Bool {
        let h = b.handle
        guard h >= 0, h < allocations.count, h / Self.slabSize < guardSlabs.count else { return false }
        let word = guardSlabs[h / Self.slabSize] + h % Self.slabSize
        return allocations.withUnsafeMutableBufferPointer { all -> Bool in
            let a = all.baseAddress! + h
            guard a.pointee.live, a.pointee.token == b.hostToken else { return false }
            if toCPU { a.pointee.cpuOwned = true }
            else if a.pointee.bus != nil && !a.pointee.coherent { a.pointee.cpuOwned = false }
            var g = a.pointee.token
            if a.pointee.cpuOwned { g |= DMABuffer.cpuMayRead | DMABuffer.cpuMayWrite }
            else if a.pointee.direction == .toDevice { g |= DMABuffer.cpuMayRead }
            word.pointee = g
            return true
        }
    }

    func free(_ b: DMABuffer) {
        guard let h = live(b, "free") else { return }
        if let bus = allocations[h].bus {
            if !allocations[h].coherent {
                function.finding(.dmaCPUAccess, "free of a streaming DMA buffer still mapped at \(bus) (unmap it first)")
            }
            function.iommu.unmap(bus, at: machine.now)
            releaseIOVA(bus.rawValue, length: allocations[h].length)
        }
        machine.memory.free(allocations[h].physical)
        allocations[h].live = false
        allocations[h].bus = nil
        setGuard(h)
        freeHandles.append(h)
    }

    // MARK: slow path of CPU access

    private func check(_ b: DMABuffer, _ offset: Int, _ count: Int, write: Bool) -> UnsafeMutableRawPointer? {
        let what = write ? "CPU write" : "CPU read"
        guard let h = live(b, what) else { return nil }
        let a = allocations[h]
        guard offset >= 0, count >= 0, offset <= a.length - count else {
            function.finding(.dmaCPUAccess, "\(what) of \(count) bytes at offset \(offset) of a \(a.length)-byte DMA buffer")
            return nil
        }
        if !a.cpuOwned && (write || a.direction != .toDevice) {
            function.finding(.dmaCPUAccess, "\(what) of \(count) bytes at offset \(offset) of a streaming buffer the device owns (mapped \(a.direction.map { "\($0)" } ?? "?") at \(a.bus.map { "\($0)" } ?? "?"); call syncForCPU or unmap first)")
        }
        return a.pointer + offset
    }

    func read(_ b: DMABuffer, offset: Int, into dst: UnsafeMutableRawBufferPointer) {
        guard let p = check(b, offset, dst.count, write: false) else {
            dst.initializeMemory(as: UInt8.self, repeating: 0xFF)
            return
        }
        if let d = dst.baseAddress { d.copyMemory(from: p, byteCount: dst.count) }
    }

    func write(_ b: DMABuffer, offset: Int, from src: UnsafeRawBufferPointer) {
        guard let p = check(b, offset, src.count, write: true), let s = src.baseAddress else { return }
        p.copyMemory(from: s, byteCount: src.count)
    }

    /// Live coherent and streaming allocations, and live IOMMU mappings, as text (for leak findings).
    func leakReport() -> [String] {
        var out: [String] = []
        for (h, a) in allocations.enumerated() where a.live {
            out.append("\(a.coherent ? "coherent" : "streaming") buffer \(h) of \(a.length) bytes" + (a.bus.map { " mapped at \($0)" } ?? ""))
        }
        return out
    }
}
