/// An address as the device sees it (an IOVA). Only the device uses it; the CPU reaches DMA memory
/// through ``DMABuffer``'s accessors.
public struct BusAddress: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 64-bit bus address.
    public var rawValue: UInt64
    /// Wraps a raw bus address.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// `self` plus a byte offset.
    @inlinable public static func + (a: Self, n: Int) -> Self { Self(rawValue: a.rawValue &+ UInt64(n)) }
    /// Low 32 bits (for a register pair like RDBAL/RDBAH).
    @inlinable public var low32: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
    /// High 32 bits.
    @inlinable public var high32: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
    /// `0x…`.
    public var description: String { "0x" + String(rawValue, radix: 16) }
}

/// Which way a streaming mapping moves data, from the device's point of view (Linux's
/// `DMA_TO_DEVICE`/`DMA_FROM_DEVICE`/`DMA_BIDIRECTIONAL`).
public enum DMADirection: UInt8, Sendable {
    /// The device reads the buffer (transmit).
    case toDevice = 1
    /// The device writes the buffer (receive).
    case fromDevice = 2
    /// Both.
    case bidirectional = 3
}

/// The host side of CPU access to DMA memory: the slow path, taken when the fast window is not
/// usable (another host's memory, a buffer the CPU does not own right now, or a bad offset).
/// Hosts implement it; they report misuse and still complete the access as well as real hardware would.
public protocol DMAMemoryAccess: AnyObject {
    /// Reads `into.count` bytes at `offset` of `buffer`.
    func read(_ buffer: DMABuffer, offset: Int, into: UnsafeMutableRawBufferPointer)
    /// Writes `from.count` bytes at `offset` of `buffer`.
    func write(_ buffer: DMABuffer, offset: Int, from: UnsafeRawBufferPointer)
}

/// A block of DMA memory: coherent (device-visible for its whole life) or streaming (device-visible
/// while mapped). A value type; copying it copies the handle, not the memory.
///
/// The CPU reaches the bytes only through these accessors — never through a pointer — so every
/// host can check or forward each access. On the emulator host the accessors are inlined to a
/// guard-word compare, a bounds check and a plain load or store.
public struct DMABuffer: @unchecked Sendable {
    /// Length in bytes.
    public let length: Int
    /// For coherent buffers, the bus address the device uses; for streaming buffers, see ``DMAAllocator/map(_:direction:)``.
    public let busAddress: BusAddress
    /// The host's handle for this buffer.
    public let handle: Int
    @usableFromInline let window: UnsafeMutableRawPointer
    @usableFromInline let guardWord: UnsafePointer<UInt64>
    @usableFromInline let token: UInt64
    @usableFromInline unowned(unsafe) let memory: any DMAMemoryAccess

    /// Guard-word bit: the CPU may read through the window.
    public static let cpuMayRead: UInt64 = 1
    /// Guard-word bit: the CPU may write through the window.
    public static let cpuMayWrite: UInt64 = 2

    /// Created by hosts. The fast path is used while `guardWord.pointee` equals `token` with the
    /// ``cpuMayRead``/``cpuMayWrite`` bits set as the access needs (`token`'s low two bits are zero);
    /// otherwise every access goes to `memory`. `memory` and `guardWord` must outlive the buffer.
    public init(length: Int, busAddress: BusAddress, handle: Int, window: UnsafeMutableRawPointer,
                guardWord: UnsafePointer<UInt64>, token: UInt64, memory: any DMAMemoryAccess) {
        precondition(token & 3 == 0, "token's low two bits must be zero")
        self.length = length; self.busAddress = busAddress; self.handle = handle; self.window = window
        self.guardWord = guardWord; self.token = token; self.memory = memory
    }

    @inlinable func fastRead(_ offset: Int, _ n: Int) -> Bool {
        guardWord.pointee & ~Self.cpuMayWrite == token | Self.cpuMayRead && offset >= 0 && offset <= length &- n
    }
    @inlinable func fastWrite(_ offset: Int, _ n: Int) -> Bool {
        guardWord.pointee & ~Self.cpuMayRead == token | Self.cpuMayWrite && offset >= 0 && offset <= length &- n
    }

    /// Loads a little-endian integer at byte `offset`.
    @inlinable public func load<T: FixedWidthInteger>(_ offset: Int, as: T.Type = T.self) -> T {
        if fastRead(offset, MemoryLayout<T>.size) {
            return T(littleEndian: window.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        var v: T = 0
        withUnsafeMutableBytes(of: &v) { memory.read(self, offset: offset, into: $0) }
        return T(littleEndian: v)
    }

    /// Stores a little-endian integer at byte `offset`.
    @inlinable public func store<T: FixedWidthInteger>(_ offset: Int, _ value: T) {
        if fastWrite(offset, MemoryLayout<T>.size) {
            window.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
            return
        }
        withUnsafeBytes(of: value.littleEndian) { memory.write(self, offset: offset, from: $0) }
    }

    /// Loads 8 bits.
    @inlinable public func load8(_ offset: Int) -> UInt8 { load(offset) }
    /// Loads 16 bits.
    @inlinable public func load16(_ offset: Int) -> UInt16 { load(offset) }
    /// Loads 32 bits.
    @inlinable public func load32(_ offset: Int) -> UInt32 { load(offset) }
    /// Loads 64 bits.
    @inlinable public func load64(_ offset: Int) -> UInt64 { load(offset) }
    /// Stores 8 bits.
    @inlinable public func store8(_ offset: Int, _ v: UInt8) { store(offset, v) }
    /// Stores 16 bits.
    @inlinable public func store16(_ offset: Int, _ v: UInt16) { store(offset, v) }
    /// Stores 32 bits.
    @inlinable public func store32(_ offset: Int, _ v: UInt32) { store(offset, v) }
    /// Stores 64 bits.
    @inlinable public func store64(_ offset: Int, _ v: UInt64) { store(offset, v) }

    /// Copies `destination.count` bytes starting at `offset` out of the buffer.
    @inlinable public func copyBytes(from offset: Int, into destination: UnsafeMutableRawBufferPointer) {
        if fastRead(offset, destination.count), let d = destination.baseAddress {
            d.copyMemory(from: window + offset, byteCount: destination.count)
        } else if destination.count > 0 {
            memory.read(self, offset: offset, into: destination)
        }
    }

    /// Copies `source` into the buffer at `offset`.
    @inlinable public func copyBytes(to offset: Int, from source: UnsafeRawBufferPointer) {
        if fastWrite(offset, source.count), let s = source.baseAddress {
            (window + offset).copyMemory(from: s, byteCount: source.count)
        } else if source.count > 0 {
            memory.write(self, offset: offset, from: source)
        }
    }

    /// Returns `count` bytes at `offset` as an array.
    @inlinable public func bytes(at offset: Int, count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buf, n in
            copyBytes(from: offset, into: UnsafeMutableRawBufferPointer(buf))
            n = count
        }
    }

    /// Fills `count` bytes at `offset` with `value`.
    @inlinable public func fill(_ value: UInt8, at offset: Int = 0, count: Int? = nil) {
        let n = count ?? length - offset
        if fastWrite(offset, n) { (window + offset).initializeMemory(as: UInt8.self, repeating: value, count: n); return }
        let tmp = [UInt8](repeating: value, count: n)
        tmp.withUnsafeBytes { memory.write(self, offset: offset, from: $0) }
    }
}

/// DMA memory for one function: coherent allocations and streaming mappings, each with a bus address.
///
/// Ownership rules (as Linux's DMA API): a coherent buffer is shared for its whole life. A streaming
/// buffer belongs to the CPU until mapped; while mapped it belongs to the device, and the CPU may
/// touch it only between ``syncForCPU(_:)`` and ``syncForDevice(_:)``, or after ``unmap(_:)``.
/// Every allocation must be freed and every mapping unmapped before the driver's `remove` returns.
public protocol DMAAllocator: AnyObject {
    /// Limits bus addresses to `bits` (e.g. 32 for a device that can only address 4 GiB). Default 64.
    func setAddressingLimit(bits: Int) throws(DriverError)
    /// Allocates zeroed coherent memory of `size` bytes aligned to `alignment` (a power of two ≤ 4096).
    func allocateCoherent(size: Int, alignment: Int) throws(DriverError) -> DMABuffer
    /// Allocates a CPU-owned streaming buffer of `size` bytes, not yet mapped.
    func allocateStreaming(size: Int) throws(DriverError) -> DMABuffer
    /// Maps a streaming buffer for the device and returns its bus address; ownership passes to the device.
    func map(_ buffer: DMABuffer, direction: DMADirection) throws(DriverError) -> BusAddress
    /// Ends a streaming mapping; ownership returns to the CPU.
    func unmap(_ buffer: DMABuffer)
    /// Gives a mapped streaming buffer to the CPU (after the device wrote it).
    func syncForCPU(_ buffer: DMABuffer)
    /// Gives a mapped streaming buffer back to the device.
    func syncForDevice(_ buffer: DMABuffer)
    /// Frees a coherent or (unmapped) streaming buffer.
    func free(_ buffer: DMABuffer)
}

extension DMABuffer {
    /// For hosts: the opaque token that tells this allocation from a later one reusing its handle.
    public var hostToken: UInt64 { token }
}
