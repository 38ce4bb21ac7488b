import CVhostUser
import Glibc

/// One buffer of a descriptor chain: where it is in our address space and which way it goes.
public struct VirtqueueBuffer {
    /// Host pointer to the buffer's bytes.
    public var pointer: UnsafeMutableRawPointer
    /// Length in bytes.
    public var length: Int
    /// Whether the device writes it (VIRTQ_DESC_F_WRITE) rather than reads it.
    public var deviceWritable: Bool
}

/// A descriptor chain taken from the available ring (virtio 1.1 §2.6.5, "The Virtqueue Descriptor
/// Table"): the head's index (returned in the used ring) and its buffers, device-readable first.
public struct DescriptorChain {
    /// Index of the head descriptor.
    public var head: UInt16
    /// The buffers, in chain order.
    public var buffers: [VirtqueueBuffer]

    /// Copies the device-readable part of the chain into one array.
    public func readableBytes() -> [UInt8] {
        var out: [UInt8] = []
        for b in buffers where !b.deviceWritable {
            out.append(contentsOf: UnsafeRawBufferPointer(start: b.pointer, count: b.length))
        }
        return out
    }

    /// Writes `bytes` across the device-writable buffers; returns how many bytes fitted.
    public func writeWritable(_ bytes: UnsafeRawBufferPointer) -> Int {
        var done = 0
        for b in buffers where b.deviceWritable && done < bytes.count {
            let n = min(b.length, bytes.count - done)
            b.pointer.copyMemory(from: bytes.baseAddress! + done, byteCount: n)
            done += n
        }
        return done
    }

    /// Total size of the device-writable buffers.
    public var writableLength: Int { buffers.reduce(0) { $0 + ($1.deviceWritable ? $1.length : 0) } }
}

/// A split virtqueue served by the device side (virtio 1.1 §2.6): descriptor table, available ring
/// (driver → device) and used ring (device → driver), all in shared guest memory.
///
/// Layout (§2.6): descriptor = addr u64, len u32, flags u16, next u16; available = flags u16,
/// idx u16, ring[size] u16; used = flags u16, idx u16, ring[size] of (id u32, len u32).
public final class SplitVirtqueue {
    /// VIRTQ_DESC_F_NEXT.
    static let descNext: UInt16 = 1
    /// VIRTQ_DESC_F_WRITE.
    static let descWrite: UInt16 = 2
    /// VIRTQ_DESC_F_INDIRECT.
    static let descIndirect: UInt16 = 4
    /// VIRTQ_AVAIL_F_NO_INTERRUPT (§2.6.7).
    static let availNoInterrupt: UInt16 = 1

    /// Queue index.
    public let index: Int
    /// Number of entries (a power of two, at most 32768).
    public private(set) var size = 0
    private var desc: UnsafeMutableRawPointer?
    private var avail: UnsafeMutableRawPointer?
    private var used: UnsafeMutableRawPointer?
    /// The next available-ring entry the device will take.
    public private(set) var lastAvail: UInt16 = 0
    private var usedIndex: UInt16 = 0
    /// Whether the front end enabled the ring (VHOST_USER_SET_VRING_ENABLE).
    public var enabled = false
    /// Kick descriptor (the front end signals new buffers), or -1.
    public var kickFD: Int32 = -1
    /// Call descriptor (the device signals used buffers), or -1.
    public var callFD: Int32 = -1

    /// Creates an unconfigured queue.
    public init(index: Int) { self.index = index }

    deinit { closeDescriptors() }

    /// Closes the kick and call descriptors.
    public func closeDescriptors() {
        if kickFD >= 0 { close(kickFD); kickFD = -1 }
        if callFD >= 0 { close(callFD); callFD = -1 }
    }

    /// Sets the number of entries (VHOST_USER_SET_VRING_NUM).
    public func setSize(_ n: Int) throws(LinuxHostError) {
        guard n > 0, n <= 32768, n & (n - 1) == 0 else { throw .protocolError("queue \(index) size \(n) is not a power of two ≤ 32768") }
        size = n
    }

    /// Sets the next available index (VHOST_USER_SET_VRING_BASE).
    public func setBase(_ base: UInt16) { lastAvail = base; usedIndex = base }

    /// Sets the ring addresses (VHOST_USER_SET_VRING_ADDR; front-end user addresses).
    public func setAddresses(desc d: UInt64, used u: UInt64, avail a: UInt64, memory: GuestMemory) throws(LinuxHostError) {
        guard size > 0 else { throw .protocolError("queue \(index) addresses set before its size") }
        guard let dp = memory.pointer(user: d, length: 16 * size),
              let ap = memory.pointer(user: a, length: 6 + 2 * size),
              let up = memory.pointer(user: u, length: 6 + 8 * size) else {
            throw .protocolError("queue \(index) rings lie outside the shared memory")
        }
        desc = dp; avail = ap; used = up
        usedIndex = boxless_load_acquire_u16(up + 2)
    }

    /// Whether the rings are set up.
    public var isReady: Bool { desc != nil && avail != nil && used != nil && size > 0 }

    /// Takes the next available chain, if any. A malformed chain (a loop, an address outside guest
    /// memory) is a protocol error.
    public func pop(memory: GuestMemory) throws(LinuxHostError) -> DescriptorChain? {
        guard isReady, enabled, let avail, let desc else { return nil }
        let availIdx = boxless_load_acquire_u16(avail + 2)
        guard availIdx != lastAvail else { return nil }
        let head = avail.loadUnaligned(fromByteOffset: 4 + 2 * Int(lastAvail % UInt16(size)), as: UInt16.self)
        lastAvail &+= 1
        guard Int(head) < size else { throw .protocolError("queue \(index): head \(head) ≥ size \(size)") }
        var buffers: [VirtqueueBuffer] = []
        var i = Int(head), steps = 0
        while true {
            steps += 1
            guard steps <= size else { throw .protocolError("queue \(index): descriptor chain loops") }
            let e = desc + 16 * i
            let addr = e.loadUnaligned(as: UInt64.self)
            let len = Int(e.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            let flags = e.loadUnaligned(fromByteOffset: 12, as: UInt16.self)
            let next = e.loadUnaligned(fromByteOffset: 14, as: UInt16.self)
            guard flags & Self.descIndirect == 0 else { throw .protocolError("queue \(index): indirect descriptors were not negotiated") }
            guard let p = memory.pointer(guest: addr, length: max(len, 1)) else {
                throw .protocolError("queue \(index): buffer 0x\(String(addr, radix: 16))+\(len) outside guest memory")
            }
            buffers.append(VirtqueueBuffer(pointer: p, length: len, deviceWritable: flags & Self.descWrite != 0))
            guard flags & Self.descNext != 0 else { break }
            guard Int(next) < size else { throw .protocolError("queue \(index): next \(next) ≥ size \(size)") }
            i = Int(next)
        }
        return DescriptorChain(head: head, buffers: buffers)
    }

    /// Returns a chain to the driver with `written` bytes written (§2.6.8). Returns whether the
    /// driver wants to be notified (it did not set VIRTQ_AVAIL_F_NO_INTERRUPT).
    @discardableResult
    public func push(_ head: UInt16, written: Int) -> Bool {
        guard let used, let avail else { return false }
        let slot = used + 4 + 8 * Int(usedIndex % UInt16(size))
        slot.storeBytes(of: UInt32(head), as: UInt32.self)
        slot.storeBytes(of: UInt32(written), toByteOffset: 4, as: UInt32.self)
        usedIndex &+= 1
        boxless_store_release_u16(used + 2, usedIndex)
        boxless_fence()
        let flags = boxless_load_acquire_u16(avail)
        return flags & Self.availNoInterrupt == 0
    }

    /// Writes to the call descriptor (an eventfd or a pipe: an 8-byte counter write).
    public func signalCallDescriptor() {
        guard callFD >= 0 else { return }
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(callFD, $0.baseAddress, 8) }
    }

    /// Drains the kick descriptor's counter (it is non-blocking or known readable).
    public func drainKick() {
        guard kickFD >= 0 else { return }
        var v: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &v) { read(kickFD, $0.baseAddress, 8) }
    }
}
