/// Constants of the vhost-user protocol (QEMU's docs/interop/vhost-user.rst; the front end here is
/// UML's virtio_uml driver): message header = request u32, flags u32, size u32, then the payload.
public enum VhostUser {
    /// Front-end requests this backend serves.
    public enum Request: UInt32, Sendable {
        case getFeatures = 1, setFeatures = 2, setOwner = 3, resetOwner = 4, setMemTable = 5
        case setLogBase = 6, setLogFD = 7, setVringNum = 8, setVringAddr = 9, setVringBase = 10
        case getVringBase = 11, setVringKick = 12, setVringCall = 13, setVringErr = 14
        case getProtocolFeatures = 15, setProtocolFeatures = 16, getQueueNum = 17, setVringEnable = 18
        case setBackendReqFD = 21, getConfig = 24, setConfig = 25, vringKick = 35
    }
    /// Header size in bytes.
    public static let headerSize = 12
    /// Flags: version 1 in bits 0–1.
    public static let version: UInt32 = 1
    /// Flags: this is a reply.
    public static let flagReply: UInt32 = 1 << 2
    /// Flags: the front end wants a reply (REPLY_ACK).
    public static let flagNeedReply: UInt32 = 1 << 3
    /// Feature bit VHOST_USER_F_PROTOCOL_FEATURES.
    public static let featureProtocolFeatures: UInt64 = 1 << 30
    /// Virtio feature bit VIRTIO_F_VERSION_1 (virtio 1.1 §6).
    public static let featureVersion1: UInt64 = 1 << 32
    /// Protocol feature VHOST_USER_PROTOCOL_F_REPLY_ACK.
    public static let protocolReplyAck: UInt64 = 1 << 3
    /// Protocol feature VHOST_USER_PROTOCOL_F_BACKEND_REQ (formerly SLAVE_REQ): a second channel for
    /// back-end requests. UML allocates the device's interrupt only when it is negotiated
    /// (arch/um/drivers/virtio_uml.c, vhost_user_init_slave_req), so it is always offered.
    public static let protocolBackendReq: UInt64 = 1 << 5
    /// Protocol feature VHOST_USER_PROTOCOL_F_INBAND_NOTIFICATIONS: kicks arrive as VRING_KICK messages
    /// on the socket (with REPLY_ACK the front end waits until the queue was served), calls go back as
    /// VRING_CALL back-end requests. It makes a virt-pci register read synchronous: UML's front end
    /// otherwise busy-polls for at most 40,000 µs of its own time (virt-pci.c, UM_VIRT_PCI_MAXDELAY),
    /// which a loaded host can miss.
    public static let protocolInbandNotifications: UInt64 = 1 << 14
    /// Back-end request VHOST_USER_BACKEND_VRING_CALL.
    public static let backendVringCall: UInt32 = 4
    /// In SET_VRING_KICK/CALL payloads: no descriptor follows (the ring is polled).
    public static let vringNoFD: UInt64 = 1 << 8
    /// The largest payload accepted (a memory table of 8 regions is 8 + 8 × 32 bytes).
    public static let maximumPayload = 4096
}

/// One message from the front end.
public struct VhostUserMessage {
    /// The request code (raw: unknown codes are answered with an error, not a crash).
    public var request: UInt32
    /// Header flags.
    public var flags: UInt32
    /// Payload bytes.
    public var payload: [UInt8]
    /// File descriptors passed with it (SCM_RIGHTS); the handler owns them.
    public var fds: [Int32]

    /// Reads a little-endian integer from the payload (nil if it is too short).
    public func integer<T: FixedWidthInteger>(at offset: Int, as: T.Type = T.self) -> T? {
        guard offset >= 0, offset + MemoryLayout<T>.size <= payload.count else { return nil }
        return payload.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// Whether the front end asked for an acknowledgement.
    public var needsReply: Bool { flags & VhostUser.flagNeedReply != 0 }
}
