/// The JSON summary of a replay (DESIGN.md's `boxless replay` contract, plus detail).
public struct ReplaySummary: Codable, Sendable {
    /// `emulator`.
    public var host: String
    /// The NIC model (e.g. `82540EM`).
    public var device: String
    /// The driver bound to it.
    public var driver: String
    /// `rx` or `tx`.
    public var direction: String
    /// The trace.
    public var trace: String
    /// The run's seed.
    public var seed: UInt64
    /// Timing mode.
    public var timing: String
    /// Frames taken from the trace (after the filter and the truncation policy).
    public var packets_in: Int
    /// Frames delivered (RX) or seen on the wire (TX), byte-identical and in order.
    public var delivered: Int
    /// Frames dropped: total and by the device's counter names.
    public var dropped: Dropped
    /// Frames that did not match.
    public var mismatched: Int
    /// Frames lost without a counted reason (must be 0 to pass).
    public var unaccounted: Int
    /// TX: frames the driver refused or failed.
    public var failed: Int
    /// Truncated frames padded / skipped.
    public var truncated_padded: Int
    /// Truncated frames left out.
    public var truncated_skipped: Int
    /// Frames padded to the 60-byte minimum.
    public var runts_padded: Int
    /// First mismatch, if any: trace packet index and byte offset.
    public var first_mismatch: Mismatch?
    /// Virtual time of the run.
    public var virtual_ns: UInt64
    /// Wall time of the run.
    public var wall_ns: UInt64
    /// Event-log records.
    public var events: UInt64
    /// SHA-256 of the event log.
    public var digest: String
    /// Findings.
    public var findings: [String]
    /// Driver log lines at warning level and above.
    public var driver_warnings: [String]
    /// Whether every check passed.
    public var passed: Bool
    /// Why not, if it did not.
    public var failures: [String]
    /// Frames the host could not carry and left out (QEMU's network backend takes at most 64 KiB
    /// per frame); absent on the emulator host, which carries any frame.
    public var host_skipped: Int? = nil
    /// The guest kernel's log (Linux host only).
    public var kernel_log: [String]? = nil
    /// TX on the Linux host: what the guest's own IP stack sent after the trace, checked on the wire.
    public var guest_stack: GuestStack? = nil
    /// With `--faults`: what the plan injected.
    public var faults: FaultReport? = nil
    /// With `--faults`: frames lost to injected faults (on the link, while a fault held the link
    /// down, or damaged by a DMA fault), not blamed on the driver and not counted as delivered.
    public var lost_to_faults: Int? = nil
    /// With `--faults`: whether the driver recovered from each transient fault within its time.
    public var recoveries: [FaultRecovery]? = nil

    /// Traffic the guest's network stack generated (Linux host, TX).
    public struct GuestStack: Codable, Sendable {
        /// UDP datagrams the agent sent / found intact on the wire.
        public var udp_sent: Int
        public var udp_on_wire: Int
        /// ICMP echo requests `ping` was to send / found intact on the wire.
        public var icmp_echo_expected: Int
        public var icmp_echo_on_wire: Int
        /// Frames of this phase on the wire (fragments counted one by one).
        public var frames: Int
        /// What was wrong (bad checksums, lengths, addresses, payloads; missing datagrams).
        public var problems: [String]
    }

    /// Drop counts.
    public struct Dropped: Codable, Sendable {
        /// All drops the device counted.
        public var total: UInt64
        /// By counter name, in the driver's order.
        public var reasons: [Reason]
    }
    /// One drop reason.
    public struct Reason: Codable, Sendable {
        /// The device's counter name (e.g. `MPC`).
        public var counter: String
        /// How many.
        public var count: UInt64
    }
    /// A mismatch location.
    public struct Mismatch: Codable, Sendable {
        /// Trace packet index (-1 if no frame was in flight).
        public var packet: Int
        /// First differing byte.
        public var offset: Int
    }
}
