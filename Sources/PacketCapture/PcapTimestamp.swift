/// Turns the timestamp libpcap reports for a record into nanoseconds since the Unix epoch.
enum PcapTimestamp {
    /// `seconds * 1_000_000_000 + fraction` as libpcap reported them (`ts.tv_sec`, and `ts.tv_usec`,
    /// which holds nanoseconds on a nanosecond-precision handle), or nil when that does not fit in
    /// `UInt64`.
    ///
    /// Classic pcap records hold both as unsigned 32-bit fields, but libpcap 1.10 sign-extends them, so a
    /// damaged record with the top bit set comes out negative (tcpdump's `olsr-oobr-2.pcap` has such
    /// seconds). For classic pcap a negative value is read back as the unsigned 32-bit value the format
    /// defines, as Wireshark does: exact for seconds and for nanosecond files; for a microsecond file
    /// (which libpcap scales by 1000 after sign extension) a negative fraction gives a deterministic but
    /// meaningless value. pcapng timestamps are 64-bit, so a negative value there is out of range.
    /// The fraction is added even when it is a second or more (damaged records), never normalised.
    static func nanoseconds(seconds: Int64, fraction: Int64, classicPcap: Bool) -> UInt64? {
        func unsigned(_ value: Int64) -> UInt64? {
            if value >= 0 { return UInt64(value) }
            return classicPcap ? UInt64(UInt32(truncatingIfNeeded: value)) : nil
        }
        guard let seconds = unsigned(seconds), let fraction = unsigned(fraction) else { return nil }
        let (scaled, overflowed) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflowedAgain) = scaled.addingReportingOverflow(fraction)
        return overflowed || overflowedAgain ? nil : total
    }
}
