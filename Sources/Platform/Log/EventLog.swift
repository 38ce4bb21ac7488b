import Crypto

/// Receives each event of a log as it happens (e.g. a JSON Lines file writer in the runner).
public protocol EventSink: AnyObject {
    /// Called once per event, in log order.
    func record(_ event: EventRecord, at time: VirtualTime, index: UInt64)
}

/// The machine's event log: every config, register, DMA, interrupt, finding and note record, in one
/// canonical form with a SHA-256 digest.
///
/// The log streams: it hashes each record's canonical binary encoding (below) as it arrives, keeps the
/// findings and a bounded tail of recent records, and hands each record to an optional ``EventSink``.
/// Memory stays constant however long the run.
///
/// Canonical binary encoding (little-endian), one record after another:
/// `kind:u8 time_ps:u64` then per kind — config: `bdf:u32 off:u16 width:u8 value:u32`;
/// register: `bdf:u32 space:u8 bar:u8 off:u64 width:u8 value:u64`; DMA: `bdf:u32 addr:u64 len:u32
/// status:u8 payload:u64` where `payload` is ``PayloadHash`` of the bytes moved (when payload
/// digesting is on); interrupt: `bdf:u32 kind:u8 vector:u16 asserted:u8 outcome:u8`;
/// finding: `bdf:u32 code message reference` (strings as `len:u32` + UTF-8; a strict rule's
/// finding writes `code/rule-id` as its code); note: `source text`; barrier: `bdf:u32 bar:u8`;
/// fault (kind 11, ``FaultRecord``): `bdf:u32 rule:u32 fault trigger target`.
/// `bdf` is `segment << 16 | requester ID`, or `0xFFFFFFFF` for none.
public final class EventLog {
    private var hasher = SHA256()
    /// Canonical bytes not yet hashed (a fixed buffer: encoding is plain stores, no array growth).
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: EventLog.bufferSize, alignment: 16)
    private var used = 0
    private static let bufferSize = 1 << 16
    private static let flushThreshold = bufferSize - 4096
    private let clock: () -> VirtualTime
    /// Number of records so far.
    public private(set) var count: UInt64 = 0
    /// Every finding so far, up to ``findingLimit`` (``findingCount`` counts them all).
    public private(set) var findings: [Finding] = []
    /// Total findings, including those past ``findingLimit``.
    public private(set) var findingCount: Int = 0
    /// Every injected fault so far with its time, up to ``findingLimit`` (``faultCount`` counts them all).
    public private(set) var faults: [(time: VirtualTime, record: FaultRecord)] = []
    /// Total injected faults.
    public private(set) var faultCount: Int = 0
    /// How many findings are kept in ``findings``.
    public var findingLimit = 10_000
    /// Where records go as they happen, if anywhere.
    public var sink: EventSink?
    /// Whether DMA payload bytes are part of the digest (default true).
    public var digestsPayloads = true
    private var tail: [(VirtualTime, EventRecord)] = []
    private var tailStart = 0
    /// How many recent records ``recentRecords`` keeps.
    public let tailCapacity: Int

    /// Creates a log that stamps records with `clock()`.
    public init(tailCapacity: Int = 0, clock: @escaping () -> VirtualTime) {
        self.clock = clock
        self.tailCapacity = tailCapacity
    }

    deinit { buffer.deallocate() }

    /// Appends a record at the current virtual time. `payload` (DMA bytes) joins the digest.
    public func record(_ event: EventRecord, payload: UnsafeRawBufferPointer? = nil) {
        let t = clock()
        encode(event, at: t)
        if let p = payload, digestsPayloads { put(PayloadHash.hash(p)) }
        if used >= Self.flushThreshold { flush() }
        if case .finding(let f) = event {
            findingCount += 1
            if findings.count < findingLimit { findings.append(f) }
        } else if case .fault(let f) = event {
            faultCount += 1
            if faults.count < findingLimit { faults.append((t, f)) }
        }
        if tailCapacity > 0 {
            if tail.count < tailCapacity { tail.append((t, event)) } else {
                tail[tailStart] = (t, event)
                tailStart = (tailStart + 1) % tailCapacity
            }
        }
        sink?.record(event, at: t, index: count)
        count &+= 1
    }

    /// Appends a DMA record: the same record, encoding and digest as `record(.dmaRead/.dmaWrite,
    /// payload:)`, without building an ``EventRecord`` unless a sink or the tail wants one (the
    /// per-transfer path of every device).
    public func recordDMA(write: Bool, device: PCIAddress, address: BusAddress, length: UInt32, status: DMAStatus,
                          payload: UnsafeRawBufferPointer?) {
        guard sink == nil, tailCapacity == 0 else {
            record(write ? .dmaWrite(device, address: address, length: length, status: status)
                         : .dmaRead(device, address: address, length: length, status: status), payload: payload)
            return
        }
        // The fields at fixed offsets (kind, time, bdf, address, length, status), then the payload hash.
        let p = buffer + used
        p.storeBytes(of: UInt8(write ? 6 : 5), as: UInt8.self)
        p.storeBytes(of: clock().rawValue.littleEndian, toByteOffset: 1, as: UInt64.self)
        p.storeBytes(of: (UInt32(device.segment) << 16 | UInt32(device.requesterID)).littleEndian, toByteOffset: 9, as: UInt32.self)
        p.storeBytes(of: address.rawValue.littleEndian, toByteOffset: 13, as: UInt64.self)
        p.storeBytes(of: length.littleEndian, toByteOffset: 21, as: UInt32.self)
        p.storeBytes(of: status.rawValue, toByteOffset: 25, as: UInt8.self)
        used += 26
        if let p = payload, digestsPayloads { put(PayloadHash.hash(p)) }
        if used >= Self.flushThreshold { flush() }
        count &+= 1
    }

    /// Records a finding (shorthand for `record(.finding(...))`).
    public func finding(_ device: PCIAddress?, _ code: FindingCode, _ message: String, reference: String? = nil) {
        record(.finding(Finding(time: clock(), device: device, code: code, message: message, reference: reference)))
    }

    /// The most recent records, oldest first.
    public var recentRecords: [(VirtualTime, EventRecord)] {
        Array(tail[tailStart...] + tail[..<tailStart])
    }

    /// The SHA-256 of the canonical encoding of every record so far, as 64 hex digits.
    /// Reading it does not disturb the running hash.
    public var digest: String {
        flush()
        let d = hasher.finalize()   // `finalize` is non-mutating on a copy
        return d.map { hex(UInt64($0), 2) }.joined()
    }

    private func flush() {
        guard used > 0 else { return }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: used))
        used = 0
    }

    // MARK: canonical encoding

    @inline(__always) private func put<T: FixedWidthInteger>(_ v: T) {
        (buffer + used).storeBytes(of: v.littleEndian, as: T.self)
        used += MemoryLayout<T>.size
    }
    private func put(_ s: String) {
        let bytes = Array(s.utf8)
        if used + 4 + bytes.count > Self.bufferSize { flush() }
        put(UInt32(bytes.count))
        if bytes.count + used > Self.bufferSize {
            hasher.update(data: bytes)
        } else if !bytes.isEmpty {
            bytes.withUnsafeBytes { (buffer + used).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            used += bytes.count
        }
    }
    private func put(_ a: PCIAddress?) {
        guard let a else { put(UInt32.max); return }
        put(UInt32(a.segment) << 16 | UInt32(a.requesterID))
    }

    private func encode(_ e: EventRecord, at t: VirtualTime) {
        switch e {
        case let .configRead(a, off, w, v), let .configWrite(a, off, w, v):
            if case .configRead = e { put(UInt8(1)) } else { put(UInt8(2)) }
            put(t.rawValue); put(a); put(off); put(w.rawValue); put(v)
        case let .registerRead(a, s, bar, off, w, v), let .registerWrite(a, s, bar, off, w, v):
            if case .registerRead = e { put(UInt8(3)) } else { put(UInt8(4)) }
            put(t.rawValue); put(a); put(s.rawValue); put(bar); put(off); put(w.rawValue); put(v)
        case let .dmaRead(a, addr, len, st), let .dmaWrite(a, addr, len, st):
            if case .dmaRead = e { put(UInt8(5)) } else { put(UInt8(6)) }
            put(t.rawValue); put(a); put(addr.rawValue); put(len); put(st.rawValue)
        case let .interrupt(a, k, v, asserted, o):
            put(UInt8(7)); put(t.rawValue); put(a); put(k.rawValue); put(v); put(UInt8(asserted ? 1 : 0)); put(o.rawValue)
        case let .finding(f):
            put(UInt8(8)); put(t.rawValue); put(f.device); put(f.rule.map { f.code.rawValue + "/" + $0 } ?? f.code.rawValue); put(f.message); put(f.reference ?? "")
        case let .note(src, text):
            put(UInt8(9)); put(t.rawValue); put(src); put(text)
        case let .barrier(a, bar):
            put(UInt8(10)); put(t.rawValue); put(a); put(bar)
        case let .fault(r):
            put(UInt8(11)); put(t.rawValue); put(r.device); put(r.rule); put(r.fault); put(r.trigger); put(r.target)
        }
    }
}
