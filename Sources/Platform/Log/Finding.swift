/// What kind of rule a finding reports. The raw value is stable and appears in logs and reports.
public struct FindingCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// Dotted code, e.g. `dma.unmapped`.
    public var rawValue: String
    /// Wraps a code.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Wraps a code.
    public init(_ s: String) { self.rawValue = s }
    public var description: String { rawValue }

    /// DMA to a bus address no live mapping covers.
    public static let dmaUnmapped = FindingCode("dma.unmapped")
    /// DMA into a range that was mapped before but is unmapped now.
    public static let dmaAfterUnmap = FindingCode("dma.after-unmap")
    /// DMA against the direction of the mapping (a device write into a to-device mapping, or a read of a from-device one).
    public static let dmaDirection = FindingCode("dma.direction")
    /// DMA while Command.Bus Master Enable is clear.
    public static let dmaBusMasterOff = FindingCode("dma.bus-master-off")
    /// CPU access to DMA memory it does not own (device-owned streaming buffer, freed buffer, out of bounds).
    public static let dmaCPUAccess = FindingCode("dma.cpu-access")
    /// DMA mappings or allocations still live when the driver detached.
    public static let dmaLeak = FindingCode("dma.leak")
    /// Access to a BAR offset outside the region or on no register.
    public static let accessOutOfRange = FindingCode("access.out-of-range")
    /// Access with a width or alignment the region does not support.
    public static let accessWidth = FindingCode("access.width")
    /// Write to a read-only register.
    public static let accessReadOnly = FindingCode("access.read-only")
    /// Read of a write-only register.
    public static let accessWriteOnly = FindingCode("access.write-only")
    /// Access to a region whose decoding (Command.Memory/IO Space) is disabled, or that no device claims.
    public static let accessMasterAbort = FindingCode("access.master-abort")
    /// Config access beyond the function's config space or to a missing function.
    public static let configAccess = FindingCode("config.access")
    /// An interrupt line or vector firing with nobody handling it, too often.
    public static let interruptStorm = FindingCode("interrupt.storm")
    /// Interrupt handlers, timers or other resources left behind at detach.
    public static let resourceLeak = FindingCode("driver.leak")
    /// A driver timed out, failed to probe, or reported an error.
    public static let driverError = FindingCode("driver.error")
    /// A device model's strict-mode rule was broken.
    public static let strict = FindingCode("strict")
}

/// A breach of a rule, with where and when it happened. Findings never stop a run by themselves;
/// the checks decide what they mean (STYLE.md §5: guest mistakes are findings).
public struct Finding: Hashable, Sendable, CustomStringConvertible {
    /// Virtual time of the breach.
    public var time: VirtualTime
    /// The function involved, if any.
    public var device: PCIAddress?
    /// The rule broken.
    public var code: FindingCode
    /// What happened, with the values involved.
    public var message: String
    /// The datasheet or specification section that states the rule, if any.
    public var reference: String?
    /// The typed strict rule broken (``StrictRule/id``), for strict-mode findings.
    public var rule: String?

    /// Creates a finding.
    public init(time: VirtualTime, device: PCIAddress?, code: FindingCode, message: String, reference: String? = nil,
                rule: String? = nil) {
        self.time = time; self.device = device; self.code = code; self.message = message; self.reference = reference
        self.rule = rule
    }

    /// One line: `t=…ns 0000:00:03.0 dma.unmapped: … [PCIe Base 6.0 §2.2]`.
    public var description: String {
        var s = "t=\(time) "
        if let d = device { s += "\(d) " }
        s += "\(code)"
        if let r = rule { s += " [\(r)]" }
        s += ": \(message)"
        if let r = reference { s += " [\(r)]" }
        return s
    }
}
