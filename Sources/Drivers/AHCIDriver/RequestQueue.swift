import NativeDriverKit

/// A request the driver holds, with the number of times it has been issued and failed for a
/// reason of its own (a timeout, or an error nobody could pin on another request).
struct PendingRequest {
    var request: BlockRequest
    var attempts: Int = 0
}

/// A fixed-capacity FIFO of pending requests (a ring buffer: no allocation once created).
/// Retried requests go back to the front, in their original order.
struct RequestQueue {
    private var storage: [PendingRequest?]
    private var head = 0
    /// Number of requests queued.
    private(set) var count = 0

    /// Creates an empty queue holding at most `capacity` requests.
    init(capacity: Int) { storage = Array(repeating: nil, count: max(1, capacity)) }

    var isEmpty: Bool { count == 0 }
    var capacity: Int { storage.count }

    /// The request that would be dequeued next.
    var first: PendingRequest? { count == 0 ? nil : storage[head] }

    /// Appends at the back. The caller keeps `count < capacity`.
    mutating func append(_ p: PendingRequest) {
        precondition(count < storage.count, "request queue overflow")
        storage[(head + count) % storage.count] = p
        count += 1
    }

    /// Puts `p` at the front (a retry).
    mutating func prepend(_ p: PendingRequest) {
        precondition(count < storage.count, "request queue overflow")
        head = (head + storage.count - 1) % storage.count
        storage[head] = p
        count += 1
    }

    /// Removes and returns the front request.
    mutating func popFirst() -> PendingRequest? {
        guard count > 0 else { return nil }
        let p = storage[head]
        storage[head] = nil
        head = (head + 1) % storage.count
        count -= 1
        return p
    }

    /// Removes everything, returning it in order.
    mutating func removeAll() -> [PendingRequest] {
        var out: [PendingRequest] = []
        while let p = popFirst() { out.append(p) }
        return out
    }
}
