/// Where a disk model keeps its sectors: a fixed-size array of 512-byte sectors with read, write and
/// flush (DESIGN.md, "network fabric / storage backends → platform").
///
/// Backends are host-side objects: their failures are typed ``StorageError`` values that name the
/// file and the problem (STYLE.md §5), never traps. A disk model turns a failure into the ATA error a
/// real drive would report (a media error on read, an aborted command on write).
///
/// Contract shared by every implementation:
/// - `lba + count` must not exceed ``sectorCount`` (callers check; a backend throws
///   ``StorageError/outOfRange(lba:count:capacity:)`` otherwise).
/// - The buffer holds exactly `count * sectorSize` bytes.
/// - A write is visible to later reads at once; ``flush()`` makes every earlier write durable on the
///   backing medium (for a file, `fsync`).
/// - Backends are confined to the thread of the machine that uses them (not `Sendable`).
public protocol BlockBackend: AnyObject {
    /// Bytes per logical sector; always 512 here (``BlockGeometry/sectorSize``).
    var sectorSize: Int { get }
    /// Number of sectors.
    var sectorCount: UInt64 { get }
    /// Whether ``write(lba:count:from:)`` may succeed.
    var isWritable: Bool { get }
    /// A short description for reports and errors (e.g. the file path).
    var label: String { get }
    /// Reads `count` sectors starting at `lba` into `buffer` (exactly `count * sectorSize` bytes).
    func read(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(StorageError)
    /// Writes `count` sectors starting at `lba` from `buffer` (exactly `count * sectorSize` bytes).
    func write(lba: UInt64, count: Int, from buffer: UnsafeRawBufferPointer) throws(StorageError)
    /// Makes every completed write durable.
    func flush() throws(StorageError)
}

/// Fixed geometry shared by the backends.
public enum BlockGeometry {
    /// Logical sector size in bytes (ATA8-ACS: 256 words).
    public static let sectorSize = 512
}

extension BlockBackend {
    /// Capacity in bytes.
    public var byteCount: UInt64 { sectorCount * UInt64(sectorSize) }

    /// Checks `lba`/`count`/buffer against the backend's size (helper for implementations).
    @inlinable
    public func checkRange(lba: UInt64, count: Int, bufferBytes: Int) throws(StorageError) {
        guard count >= 0, lba <= sectorCount, UInt64(count) <= sectorCount - lba else {
            throw .outOfRange(lba: lba, count: count, capacity: sectorCount)
        }
        guard bufferBytes == count * sectorSize else {
            throw .bufferSize(expected: count * sectorSize, actual: bufferBytes)
        }
    }
}

/// Why a storage backend could not be opened or could not complete an operation.
/// Every case names the file (when there is one) and the problem, in one line (``description``).
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The image file does not exist.
    case missing(path: String)
    /// The image file exists but cannot be opened (permissions, …); `reason` is the system's message.
    case unreadable(path: String, reason: String)
    /// The image file cannot be opened for writing although `writable` was requested.
    case unwritable(path: String, reason: String)
    /// The path names something other than a regular file (a directory, a device, a socket, …).
    case notRegularFile(path: String, kind: String)
    /// The image file is empty.
    case empty(path: String)
    /// The image's size is not a whole number of 512-byte sectors.
    case sizeNotMultipleOfSector(path: String, size: UInt64)
    /// A read, write or flush failed on the host; `operation` says which, `reason` is the system's message.
    case io(path: String, operation: String, reason: String)
    /// A write to a backend opened read-only.
    case readOnly(label: String)
    /// An access beyond the end of the backend.
    case outOfRange(lba: UInt64, count: Int, capacity: UInt64)
    /// A buffer of the wrong size (a programming error in the caller).
    case bufferSize(expected: Int, actual: Int)
    /// A capacity of zero sectors was asked for.
    case zeroCapacity

    /// One line naming the file and the problem.
    public var description: String {
        switch self {
        case .missing(let p): return "\(p): no such file"
        case .unreadable(let p, let r): return "\(p): cannot open for reading: \(r)"
        case .unwritable(let p, let r): return "\(p): cannot open for writing: \(r)"
        case .notRegularFile(let p, let k): return "\(p): not a regular file (it is a \(k))"
        case .empty(let p): return "\(p): the image is empty (0 bytes)"
        case .sizeNotMultipleOfSector(let p, let s):
            return "\(p): size \(s) bytes is not a multiple of the 512-byte sector size (\(s % 512) bytes left over)"
        case .io(let p, let op, let r): return "\(p): \(op) failed: \(r)"
        case .readOnly(let l): return "\(l): the backend is read-only"
        case .outOfRange(let lba, let n, let cap): return "access of \(n) sectors at LBA \(lba) is beyond the \(cap)-sector capacity"
        case .bufferSize(let e, let a): return "buffer of \(a) bytes where \(e) were expected"
        case .zeroCapacity: return "a disk needs at least one sector"
        }
    }
}
