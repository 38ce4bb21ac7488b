extension EventRecord {
    /// The record as one JSON object (no trailing newline), keys in a fixed order.
    /// `index` is the record's position in the log; times are picoseconds.
    public func jsonLine(time: VirtualTime, index: UInt64) -> String {
        var o = "{\"i\":\(index),\"t_ps\":\(time.rawValue),"
        switch self {
        case let .configRead(a, off, w, v):
            o += "\"ev\":\"cfg.read\",\"dev\":\"\(a)\",\"off\":\(off),\"width\":\(w.bytes),\"value\":\(v)"
        case let .configWrite(a, off, w, v):
            o += "\"ev\":\"cfg.write\",\"dev\":\"\(a)\",\"off\":\(off),\"width\":\(w.bytes),\"value\":\(v)"
        case let .registerRead(a, s, bar, off, w, v):
            o += "\"ev\":\"\(s == .memory ? "mmio" : "io").read\",\"dev\":\"\(a)\",\"bar\":\(bar),\"off\":\(off),\"width\":\(w.bytes),\"value\":\(v)"
        case let .registerWrite(a, s, bar, off, w, v):
            o += "\"ev\":\"\(s == .memory ? "mmio" : "io").write\",\"dev\":\"\(a)\",\"bar\":\(bar),\"off\":\(off),\"width\":\(w.bytes),\"value\":\(v)"
        case let .dmaRead(a, addr, len, st):
            o += "\"ev\":\"dma.read\",\"dev\":\"\(a)\",\"addr\":\(addr.rawValue),\"len\":\(len),\"status\":\"\(st)\""
        case let .dmaWrite(a, addr, len, st):
            o += "\"ev\":\"dma.write\",\"dev\":\"\(a)\",\"addr\":\(addr.rawValue),\"len\":\(len),\"status\":\"\(st)\""
        case let .interrupt(a, k, v, asserted, out):
            o += "\"ev\":\"irq\",\"dev\":\"\(a)\",\"kind\":\"\(k)\",\"vector\":\(v),\"asserted\":\(asserted),\"outcome\":\"\(out)\""
        case let .finding(f):
            o += "\"ev\":\"finding\",\"dev\":" + (f.device.map { "\"\($0)\"" } ?? "null")
                + ",\"code\":\"\(f.code)\"" + (f.rule.map { ",\"rule\":\"\($0)\"" } ?? "") + ",\"message\":\(jsonString(f.message)),\"ref\":"
                + (f.reference.map(jsonString) ?? "null")
        case let .barrier(a, bar):
            o += "\"ev\":\"barrier\",\"dev\":\"\(a)\",\"bar\":\(bar)"
        case let .note(src, text):
            o += "\"ev\":\"note\",\"source\":\(jsonString(src)),\"text\":\(jsonString(text))"
        case let .fault(r):
            o += "\"ev\":\"fault\",\"dev\":" + (r.device.map { "\"\($0)\"" } ?? "null")
                + ",\"rule\":\(r.rule),\"fault\":\(jsonString(r.fault)),\"trigger\":\(jsonString(r.trigger)),\"target\":\(jsonString(r.target))"
        }
        return o + "}"
    }
}

/// `s` as a JSON string literal, escaped per RFC 8259 §7.
public func jsonString(_ s: String) -> String {
    var o = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": o += "\\\""
        case "\\": o += "\\\\"
        case "\n": o += "\\n"
        case "\r": o += "\\r"
        case "\t": o += "\\t"
        default:
            if u.value < 0x20 { o += "\\u" + hex(UInt64(u.value), 4) } else { o.unicodeScalars.append(u) }
        }
    }
    return o + "\""
}
