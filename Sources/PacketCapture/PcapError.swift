/// Everything that can go wrong reading, filtering or writing a capture.
///
/// Every case names the file it concerns (the path exactly as the caller passed it) and, where libpcap
/// produced one, carries libpcap's own message verbatim. ``description`` is one line, file first:
/// `trace.pcap: packet 17: truncated record (libpcap: truncated dump file; ...)`.
public enum PcapError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libpcap could not open the file as a capture: missing or unreadable file, empty file, unknown
    /// magic number, unsupported version, a header libpcap rejects.
    case cannotOpen(file: String, message: String)

    /// libpcap failed while reading the record of packet `packetIndex` (0-based, counting every packet
    /// in the file): typically a record cut off by the end of the file or an impossible record length.
    case readFailed(file: String, packetIndex: Int, message: String)

    /// A pcapng file whose interfaces have different link types. libpcap serves one link type per
    /// handle and stops at the first interface description block that differs, just before packet
    /// `packetIndex`.
    case mixedLinkTypes(file: String, packetIndex: Int, message: String)

    /// The record of packet `packetIndex` has a timestamp that does not fit in `UInt64` nanoseconds
    /// since the epoch (year 2554 and later, or negative).
    case timestampOutOfRange(file: String, packetIndex: Int, seconds: Int, subsecondNanoseconds: Int)

    /// The capture's link type is not Ethernet and the reader was asked to require Ethernet.
    case unsupportedLinkType(file: String, linkType: Int32, name: String)

    /// libpcap could not compile a BPF filter expression. `file` is the capture the filter was compiled
    /// for, or `nil` for a stand-alone ``BPFFilter``.
    case badFilter(file: String?, expression: String, message: String)

    /// The output file could not be created (libpcap's `pcap_dump_open` failed).
    case cannotCreate(file: String, message: String)

    /// Writing to an output file failed, or the frame cannot be written (larger than the snap length,
    /// timestamp past what classic pcap holds, writer already closed).
    case writeFailed(file: String, message: String)

    /// The file the error concerns, as the caller named it (`nil` only for a stand-alone filter).
    public var file: String? {
        switch self {
        case .cannotOpen(let file, _), .readFailed(let file, _, _), .mixedLinkTypes(let file, _, _),
            .timestampOutOfRange(let file, _, _, _), .unsupportedLinkType(let file, _, _),
            .cannotCreate(let file, _), .writeFailed(let file, _):
            return file
        case .badFilter(let file, _, _):
            return file
        }
    }

    /// The 0-based index of the packet the error concerns, when it concerns one.
    public var packetIndex: Int? {
        switch self {
        case .readFailed(_, let index, _), .mixedLinkTypes(_, let index, _),
            .timestampOutOfRange(_, let index, _, _):
            return index
        default:
            return nil
        }
    }

    /// One line: the file, the packet when there is one, the problem, and libpcap's message.
    public var description: String {
        switch self {
        case .cannotOpen(let file, let message):
            return "\(file): cannot open capture (libpcap: \(oneLine(message)))"
        case .readFailed(let file, let index, let message):
            return "\(file): packet \(index): \(Self.summary(ofReadError: message)) (libpcap: \(oneLine(message)))"
        case .mixedLinkTypes(let file, let index, let message):
            return "\(file): packet \(index): interfaces with different link types in one pcapng file (libpcap: \(oneLine(message)))"
        case .timestampOutOfRange(let file, let index, let seconds, let nanoseconds):
            return "\(file): packet \(index): timestamp \(seconds) s + \(nanoseconds) ns does not fit in UInt64 nanoseconds since 1970"
        case .unsupportedLinkType(let file, let linkType, let name):
            return "\(file): unsupported link type \(linkType) (\(name)); only Ethernet (1, EN10MB) is accepted"
        case .badFilter(let file, let expression, let message):
            let subject = file.map { "\($0): " } ?? ""
            return "\(subject)bad BPF filter \"\(oneLine(expression))\" (libpcap: \(oneLine(message)))"
        case .cannotCreate(let file, let message):
            return "\(file): cannot create capture (libpcap: \(oneLine(message)))"
        case .writeFailed(let file, let message):
            return "\(file): write failed: \(oneLine(message))"
        }
    }

    /// A short English name for a libpcap read error, from the words of its message.
    static func summary(ofReadError message: String) -> String {
        if message.contains("truncated") { return "truncated record" }
        if message.contains("capture length") || message.contains("caplen") { return "invalid record length" }
        return "read error"
    }
}

/// `text` with line breaks and tabs turned into single spaces, so a description stays on one line.
private func oneLine(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n", "\r", "\t": out.append(" ")
        default: out.unicodeScalars.append(scalar)
        }
    }
    while out.hasSuffix(" ") { out.removeLast() }
    return out
}
