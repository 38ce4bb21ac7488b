import NativeDriverKit

/// DMA memory of one function on the QEMU host: guest RAM from the host's allocator; bus address =
/// guest-physical address (q35 without a vIOMMU).
///
/// The CPU never touches guest RAM directly: every buffer's guard word is zero, which never equals
/// its token with a permission bit set, so every ``DMABuffer`` access takes the slow path here and
/// becomes a qtest `read`/`write` (or `b64read`/`b64write` for bulk). Streaming ownership is kept
/// as the emulator host keeps it; misuse is logged at warning level and the access still completes.
final class QEMUDMA: DMAAllocator, DMAMemoryAccess {
    struct Allocation {
        var token: UInt64
        var range: Range<UInt64>
        var length: Int
        var coherent: Bool
        var direction: DMADirection?
        var cpuOwned: Bool
        var live: Bool
    }
    unowned let host: QEMUHost
    let label: String
    private var allocations: [Allocation] = []
    private var freeHandles: [Int] = []
    private var nextToken: UInt64 = 4
    private var addressLimit: UInt64 = .max
    /// The shared guard word: always 0, so the fast path is never taken.
    private let guardWord: UnsafeMutablePointer<UInt64>
    /// A placeholder window: never dereferenced (the fast path is never taken).
    private let window: UnsafeMutableRawPointer

    init(host: QEMUHost, label: String) {
        self.host = host; self.label = label
        guardWord = .allocate(capacity: 1)
        guardWord.initialize(to: 0)
        window = .allocate(byteCount: 8, alignment: 8)
    }

    deinit {
        for a in allocations where a.live { host.releaseGuestMemory(a.range) }
        guardWord.deallocate()
        window.deallocate()
    }

    private func warn(_ s: String) { host.hostWarning(label, s) }

    func setAddressingLimit(bits: Int) throws(DriverError) {
        guard (24...64).contains(bits) else { throw .invalidArgument("DMA addressing limit of \(bits) bits") }
        addressLimit = bits == 64 ? .max : 1 << UInt64(bits)
        guard host.guestMemoryTop <= addressLimit else {
            throw .resourceUnavailable("guest RAM ends at 0x\(String(host.guestMemoryTop, radix: 16)), above the \(bits)-bit DMA limit")
        }
    }

    private func newAllocation(size: Int, alignment: Int, coherent: Bool) throws(DriverError) -> DMABuffer {
        guard size > 0, size <= 1 << 28 else { throw .invalidArgument("DMA allocation of \(size) bytes") }
        guard let r = host.allocateGuestMemory(size: size, alignment: alignment) else {
            throw .resourceUnavailable("guest RAM exhausted (\(size) bytes wanted)")
        }
        if coherent { host.zeroGuestMemory(r) }
        let a = Allocation(token: nextToken, range: r, length: size, coherent: coherent,
                           direction: coherent ? .bidirectional : nil, cpuOwned: true, live: true)
        nextToken += 4
        let h: Int
        if let f = freeHandles.popLast() { h = f; allocations[h] = a } else { h = allocations.count; allocations.append(a) }
        return DMABuffer(length: size, busAddress: BusAddress(rawValue: coherent ? r.lowerBound : 0), handle: h,
                         window: window, guardWord: UnsafePointer(guardWord), token: a.token, memory: self)
    }

    func allocateCoherent(size: Int, alignment: Int) throws(DriverError) -> DMABuffer {
        guard alignment > 0, alignment.nonzeroBitCount == 1, alignment <= 4096 else {
            throw .invalidArgument("DMA alignment \(alignment) (must be a power of two up to 4096)")
        }
        return try newAllocation(size: size, alignment: alignment, coherent: true)
    }

    func allocateStreaming(size: Int) throws(DriverError) -> DMABuffer {
        try newAllocation(size: size, alignment: 64, coherent: false)
    }

    private func live(_ b: DMABuffer, _ what: String) -> Int? {
        let h = b.handle
        guard h >= 0, h < allocations.count, allocations[h].live, allocations[h].token == b.hostToken else {
            warn("\(what) of a DMA buffer that was already freed (handle \(h))")
            return nil
        }
        return h
    }

    func map(_ b: DMABuffer, direction: DMADirection) throws(DriverError) -> BusAddress {
        guard let h = live(b, "map") else { throw .invalidArgument("map of a freed DMA buffer") }
        guard !allocations[h].coherent else { throw .invalidArgument("map of a coherent buffer (it is always mapped)") }
        guard allocations[h].direction == nil else { throw .invalidState("buffer is already mapped") }
        allocations[h].direction = direction
        allocations[h].cpuOwned = false
        return BusAddress(rawValue: allocations[h].range.lowerBound)
    }

    func unmap(_ b: DMABuffer) {
        guard let h = live(b, "unmap") else { return }
        guard allocations[h].direction != nil, !allocations[h].coherent else {
            warn("unmap of a DMA buffer that is not mapped (handle \(h))"); return
        }
        allocations[h].direction = nil
        allocations[h].cpuOwned = true
    }

    func syncForCPU(_ b: DMABuffer) {
        guard let h = live(b, "sync") else { return }
        allocations[h].cpuOwned = true
    }

    func syncForDevice(_ b: DMABuffer) {
        guard let h = live(b, "sync") else { return }
        if allocations[h].direction != nil && !allocations[h].coherent { allocations[h].cpuOwned = false }
    }

    func free(_ b: DMABuffer) {
        guard let h = live(b, "free") else { return }
        if !allocations[h].coherent && allocations[h].direction != nil {
            warn("free of a streaming DMA buffer still mapped at 0x\(String(allocations[h].range.lowerBound, radix: 16)) (unmap it first)")
        }
        host.releaseGuestMemory(allocations[h].range)
        allocations[h].live = false
        allocations[h].direction = nil
        freeHandles.append(h)
    }

    // MARK: the slow path: every CPU access

    private func check(_ b: DMABuffer, _ offset: Int, _ count: Int, write: Bool) -> UInt64? {
        let what = write ? "CPU write" : "CPU read"
        guard let h = live(b, what) else { return nil }
        let a = allocations[h]
        guard offset >= 0, count >= 0, offset <= a.length - count else {
            warn("\(what) of \(count) bytes at offset \(offset) of a \(a.length)-byte DMA buffer")
            return nil
        }
        if !a.cpuOwned && (write || a.direction != .toDevice) {
            warn("\(what) of \(count) bytes at offset \(offset) of a streaming buffer the device owns (call syncForCPU or unmap first)")
        }
        return a.range.lowerBound + UInt64(offset)
    }

    func read(_ b: DMABuffer, offset: Int, into dst: UnsafeMutableRawBufferPointer) {
        guard let address = check(b, offset, dst.count, write: false) else {
            dst.initializeMemory(as: UInt8.self, repeating: 0xFF); return
        }
        host.guestRead(address, into: dst)
    }

    func write(_ b: DMABuffer, offset: Int, from src: UnsafeRawBufferPointer) {
        guard let address = check(b, offset, src.count, write: true) else { return }
        host.guestWrite(address, from: src)
    }

    /// Live allocations, as text (for leak reports).
    func leakReport() -> [String] {
        allocations.enumerated().filter { $0.element.live }.map { h, a in
            "\(a.coherent ? "coherent" : "streaming") buffer \(h) of \(a.length) bytes at 0x\(String(a.range.lowerBound, radix: 16))"
                + (!a.coherent && a.direction != nil ? " (still mapped)" : "")
        }
    }
}
