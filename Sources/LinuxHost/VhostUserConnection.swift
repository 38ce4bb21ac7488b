import CVhostUser
import Glibc

/// The device (back-end) side of one vhost-user connection: a unix socket the front end (UML)
/// connects to, the message exchange, the shared guest memory and the virtqueues.
///
/// Everything runs on the caller's thread: ``listenDescriptor`` and then ``socketDescriptor`` and
/// the queues' kick descriptors are polled by the host's loop, which calls ``handleMessage()`` or
/// its own queue handler when one is readable.
public final class VhostUserConnection {
    /// The socket path.
    public let path: String
    /// The listening socket.
    public private(set) var listenDescriptor: Int32 = -1
    /// The connected socket, or -1 before the front end connects.
    public private(set) var socketDescriptor: Int32 = -1
    /// The guest's memory.
    public let memory = GuestMemory()
    /// The virtqueues (created on first use, by index).
    public private(set) var queues: [SplitVirtqueue]
    /// Virtio features this device offers.
    public let offeredFeatures: UInt64
    /// Features the front end acknowledged.
    public private(set) var ackedFeatures: UInt64 = 0
    /// Protocol features in use.
    public private(set) var protocolFeatures: UInt64 = 0
    /// The back-end request channel the front end passed (VHOST_USER_SET_BACKEND_REQ_FD), or -1.
    public private(set) var backendRequestDescriptor: Int32 = -1
    /// Protocol features this back end offers.
    public static let offeredProtocolFeatures = VhostUser.protocolReplyAck | VhostUser.protocolBackendReq
        | VhostUser.protocolInbandNotifications
    /// Whether an in-band call is unacknowledged or waiting to be sent.
    public var callsOutstanding: Bool { callInFlight || pendingCalls != 0 }
    /// Called when the front end kicks queue `index` (in-band, or through its kick descriptor).
    public var kicked: ((Int) throws(LinuxHostError) -> Void)?
    /// Called when the memory table changes.
    public var memoryChanged: (() -> Void)?

    /// Creates the socket at `path` (replacing a stale one) and listens; `queueCount` queues.
    public init(path: String, queueCount: Int, features: UInt64 = VhostUser.featureVersion1) throws(LinuxHostError) {
        self.path = path
        self.queues = (0..<queueCount).map { SplitVirtqueue(index: $0) }
        self.offeredFeatures = features | VhostUser.featureProtocolFeatures
        listenDescriptor = try UnixListener.listen(at: path)
    }

    deinit { shutdown() }

    /// Closes every descriptor and removes the socket file.
    public func shutdown() {
        for q in queues { q.closeDescriptors() }
        if backendRequestDescriptor >= 0 { close(backendRequestDescriptor); backendRequestDescriptor = -1 }
        if socketDescriptor >= 0 { close(socketDescriptor); socketDescriptor = -1 }
        if listenDescriptor >= 0 { close(listenDescriptor); listenDescriptor = -1; unlink(path) }
    }

    /// Accepts the front end's connection (call when the listening socket is readable).
    public func acceptFrontEnd() throws(LinuxHostError) {
        let fd = boxless_accept_cloexec(listenDescriptor)
        guard fd >= 0 else { throw .system("accept: \(String(cString: strerror(-fd)))") }
        socketDescriptor = fd
        close(listenDescriptor); listenDescriptor = -1
        unlink(path)
    }

    /// Reads one message (blocking until it is complete). Nil when the front end closed the socket.
    public func receive() throws(LinuxHostError) -> VhostUserMessage? {
        var header = [UInt8](repeating: 0, count: VhostUser.headerSize)
        var fds = [Int32](repeating: -1, count: 16)
        var nfds: Int32 = 0
        let n = header.withUnsafeMutableBytes { h in
            fds.withUnsafeMutableBufferPointer { boxless_recv_with_fds(socketDescriptor, h.baseAddress, h.count, $0.baseAddress, 16, &nfds) }
        }
        let passed = Array(fds.prefix(Int(nfds)))
        if n == 0 { passed.forEach { close($0) }; return nil }
        guard n > 0 else { passed.forEach { close($0) }; throw .system("vhost-user socket: \(String(cString: strerror(Int32(-n))))") }
        if n < VhostUser.headerSize {
            guard readFully(&header, from: Int(n)) else { passed.forEach { close($0) }; return nil }
        }
        let request = header.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let flags = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self) }
        let size = Int(header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) })
        guard size <= VhostUser.maximumPayload else {
            passed.forEach { close($0) }
            throw .protocolError("message \(request) announces a \(size)-byte payload")
        }
        var payload = [UInt8](repeating: 0, count: size)
        guard readFully(&payload, from: 0) else { passed.forEach { close($0) }; return nil }
        return VhostUserMessage(request: request, flags: flags, payload: payload, fds: passed)
    }

    private func readFully(_ buffer: inout [UInt8], from start: Int) -> Bool {
        var done = start
        while done < buffer.count {
            let r = buffer.withUnsafeMutableBytes { read(socketDescriptor, $0.baseAddress! + done, $0.count - done) }
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { return false }
            done += r
        }
        return true
    }

    /// Sends a reply to `request` carrying `payload`.
    public func reply(_ request: UInt32, payload: [UInt8]) throws(LinuxHostError) {
        var m = [UInt8]()
        m.reserveCapacity(VhostUser.headerSize + payload.count)
        for v in [request, VhostUser.version | VhostUser.flagReply, UInt32(payload.count)] {
            withUnsafeBytes(of: v.littleEndian) { m.append(contentsOf: $0) }
        }
        m.append(contentsOf: payload)
        let rc = m.withUnsafeBytes { boxless_send_all(socketDescriptor, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw .system("vhost-user reply: \(String(cString: strerror(-rc)))") }
    }

    private func replyU64(_ request: UInt32, _ value: UInt64) throws(LinuxHostError) {
        try reply(request, payload: withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }

    private func queue(_ m: VhostUserMessage) throws(LinuxHostError) -> SplitVirtqueue {
        guard let i = m.integer(at: 0, as: UInt32.self), Int(i & 0xFF) < queues.count else {
            m.fds.forEach { close($0) }
            throw .protocolError("request \(m.request) names a queue this device does not have")
        }
        return queues[Int(i & 0xFF)]
    }

    /// Handles one message from the front end. Returns false when the front end disconnected.
    public func handleMessage() throws(LinuxHostError) -> Bool {
        guard let m = try receive() else { return false }
        var status: UInt64 = 0
        switch VhostUser.Request(rawValue: m.request) {
        case .getFeatures:
            try replyU64(m.request, offeredFeatures)
            return true
        case .getProtocolFeatures:
            try replyU64(m.request, Self.offeredProtocolFeatures)
            return true
        case .getQueueNum:
            try replyU64(m.request, UInt64(queues.count))
            return true
        case .setFeatures:
            guard let f = m.integer(at: 0, as: UInt64.self) else { throw .protocolError("SET_FEATURES without a value") }
            guard f & ~offeredFeatures == 0 else { throw .protocolError("front end acknowledged features 0x\(String(f & ~offeredFeatures, radix: 16)) that were not offered") }
            ackedFeatures = f
        case .setProtocolFeatures:
            protocolFeatures = (m.integer(at: 0, as: UInt64.self) ?? 0) & Self.offeredProtocolFeatures
        case .setBackendReqFD:
            guard let fd = m.fds.first else { throw .protocolError("SET_BACKEND_REQ_FD without a descriptor") }
            m.fds.dropFirst().forEach { close($0) }
            if backendRequestDescriptor >= 0 { close(backendRequestDescriptor) }
            backendRequestDescriptor = fd
        case .setOwner, .setLogBase, .setLogFD:
            m.fds.forEach { close($0) }
        case .resetOwner:
            for q in queues { q.enabled = false }
        case .setMemTable:
            try setMemTable(m)
        case .setVringNum:
            try queue(m).setSize(Int(m.integer(at: 4, as: UInt32.self) ?? 0))
        case .setVringBase:
            try queue(m).setBase(UInt16(truncatingIfNeeded: m.integer(at: 4, as: UInt32.self) ?? 0))
        case .setVringAddr:
            guard let d = m.integer(at: 8, as: UInt64.self), let u = m.integer(at: 16, as: UInt64.self),
                  let a = m.integer(at: 24, as: UInt64.self) else { throw .protocolError("short SET_VRING_ADDR") }
            try queue(m).setAddresses(desc: d, used: u, avail: a, memory: memory)
        case .getVringBase:
            let q = try queue(m)
            q.enabled = false
            var p = [UInt8]()
            withUnsafeBytes(of: UInt32(q.index).littleEndian) { p.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(q.lastAvail).littleEndian) { p.append(contentsOf: $0) }
            try reply(m.request, payload: p)
            return true
        case .setVringKick, .setVringCall, .setVringErr:
            let q = try queue(m)
            let noFD = (m.integer(at: 0, as: UInt64.self) ?? 0) & VhostUser.vringNoFD != 0
            let fd: Int32 = noFD ? -1 : (m.fds.first ?? -1)
            for extra in m.fds.dropFirst(noFD ? 0 : 1) { close(extra) }
            switch VhostUser.Request(rawValue: m.request)! {
            case .setVringKick:
                if q.kickFD >= 0 { close(q.kickFD) }
                if fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
                q.kickFD = fd
                // Without PROTOCOL_FEATURES a ring starts as soon as it has a kick descriptor.
                if ackedFeatures & VhostUser.featureProtocolFeatures == 0 { q.enabled = true }
            case .setVringCall:
                if q.callFD >= 0 { close(q.callFD) }
                q.callFD = fd
            default:
                if fd >= 0 { close(fd) }
            }
        case .vringKick:
            let q = try queue(m)
            try kicked?(q.index)
        case .setVringEnable:
            try queue(m).enabled = (m.integer(at: 4, as: UInt32.self) ?? 0) != 0
        default:
            // Not offered, so not expected; answer with failure rather than guessing.
            m.fds.forEach { close($0) }
            status = 1
        }
        if m.needsReply && protocolFeatures & VhostUser.protocolReplyAck != 0 { try replyU64(m.request, status) }
        return true
    }

    /// Tells the front end that queue `index` has used buffers: a VRING_CALL request on the back-end
    /// channel when notifications are in band, else a write to the queue's call descriptor.
    ///
    /// In-band calls are flow-controlled: each asks for an acknowledgement and at most one is in
    /// flight; calls made meanwhile are merged per queue (a call means "look at the used ring", so
    /// one stands for many). Without that, a front end busy with interrupts off lets the channel
    /// fill, this side blocks in send, and both wait on each other.
    public func notify(queue index: Int) throws(LinuxHostError) {
        let inband = VhostUser.protocolInbandNotifications | VhostUser.protocolBackendReq
        if protocolFeatures & inband == inband && backendRequestDescriptor >= 0 {
            pendingCalls |= 1 << UInt64(index)
            try sendPendingCall()
        } else {
            queues[index].signalCallDescriptor()
        }
    }

    private var pendingCalls: UInt64 = 0
    private var callInFlight = false

    private func sendPendingCall() throws(LinuxHostError) {
        guard !callInFlight, pendingCalls != 0 else { return }
        let index = UInt32(pendingCalls.trailingZeroBitCount)
        pendingCalls &= ~(1 << UInt64(index))
        var m = [UInt8]()
        for v in [VhostUser.backendVringCall, VhostUser.version | VhostUser.flagNeedReply, 8, index, 0] {
            withUnsafeBytes(of: v.littleEndian) { m.append(contentsOf: $0) }
        }
        let rc = m.withUnsafeBytes { boxless_send_all(backendRequestDescriptor, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw .system("vhost-user back-end request: \(String(cString: strerror(-rc)))") }
        callInFlight = true
    }

    /// Reads the front end's acknowledgement of a back-end request (call when the back-end channel is
    /// readable) and sends the next merged call, if any.
    public func handleBackendReply() throws(LinuxHostError) {
        var reply = [UInt8](repeating: 0, count: VhostUser.headerSize + 8)
        var done = 0
        while done < reply.count {
            let n = reply.withUnsafeMutableBytes { read(backendRequestDescriptor, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(backendRequestDescriptor); backendRequestDescriptor = -1
                return
            }
            done += n
        }
        callInFlight = false
        try sendPendingCall()
    }

    private func setMemTable(_ m: VhostUserMessage) throws(LinuxHostError) {
        guard let count = m.integer(at: 0, as: UInt32.self), count >= 1, count <= 8,
              m.payload.count >= 8 + 32 * Int(count), m.fds.count == Int(count) else {
            m.fds.forEach { close($0) }
            throw .protocolError("malformed SET_MEM_TABLE (\(m.payload.count) bytes, \(m.fds.count) descriptors)")
        }
        var regions: [(GuestMemory.Region, fd: Int32)] = []
        for i in 0..<Int(count) {
            let o = 8 + 32 * i
            let r = GuestMemory.Region(guestAddress: m.integer(at: o, as: UInt64.self)!, size: m.integer(at: o + 8, as: UInt64.self)!,
                                       userAddress: m.integer(at: o + 16, as: UInt64.self)!, mmapOffset: m.integer(at: o + 24, as: UInt64.self)!)
            regions.append((r, m.fds[i]))
        }
        try memory.setTable(regions)
        memoryChanged?()
    }
}
