/// Size and shape of a block device.
public struct BlockGeometry: Hashable, Sendable {
    /// Bytes per logical block.
    public var blockSize: Int
    /// Number of logical blocks.
    public var blockCount: UInt64
    /// How many requests may be outstanding at once.
    public var maximumQueueDepth: Int
    /// Most blocks in one request.
    public var maximumBlocksPerRequest: Int
    /// Creates a geometry.
    public init(blockSize: Int, blockCount: UInt64, maximumQueueDepth: Int, maximumBlocksPerRequest: Int) {
        self.blockSize = blockSize; self.blockCount = blockCount
        self.maximumQueueDepth = maximumQueueDepth; self.maximumBlocksPerRequest = maximumBlocksPerRequest
    }
}

/// What a block request does.
public enum BlockOperation: UInt8, Sendable {
    /// Read blocks.
    case read
    /// Write blocks.
    case write
    /// Make every completed write durable.
    case flush
}

/// One block request.
public struct BlockRequest: Sendable {
    /// The client's identifier, returned in the completion.
    public var id: UInt64
    /// What to do.
    public var operation: BlockOperation
    /// First block.
    public var lba: UInt64
    /// Number of blocks (0 for flush).
    public var blockCount: Int
    /// Data to write (`blockCount * blockSize` bytes); empty for reads and flushes.
    public var data: [UInt8]
    /// Creates a request.
    public init(id: UInt64, operation: BlockOperation, lba: UInt64 = 0, blockCount: Int = 0, data: [UInt8] = []) {
        self.id = id; self.operation = operation; self.lba = lba; self.blockCount = blockCount; self.data = data
    }
}

/// How a block request ended.
public enum BlockStatus: Sendable, Equatable {
    /// Done.
    case success
    /// The device reported a media error for this LBA.
    case mediaError(lba: UInt64)
    /// The request was out of range or malformed.
    case invalid(String)
    /// The device failed (reset, timeout, interface error).
    case deviceError(String)
}

/// A finished block request.
public struct BlockCompletion: Sendable {
    /// The request's identifier.
    public var id: UInt64
    /// How it ended.
    public var status: BlockStatus
    /// Data read (reads that succeeded only).
    public var data: [UInt8]
    /// Creates a completion.
    public init(id: UInt64, status: BlockStatus, data: [UInt8] = []) { self.id = id; self.status = status; self.data = data }
}

/// Who receives a block driver's completions.
public protocol BlockClient: AnyObject {
    /// A request finished.
    func completed(_ completion: BlockCompletion)
}

/// The block class interface a storage driver serves.
public protocol BlockDevice: AnyObject {
    /// Size and limits.
    var geometry: BlockGeometry { get }
    /// Sets who gets completions (before submitting).
    func setClient(_ client: any BlockClient)
    /// Queues a request; throws if it cannot be queued now (queue full, invalid).
    func submit(_ request: BlockRequest) throws(DriverError)
}
