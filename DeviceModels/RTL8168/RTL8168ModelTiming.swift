import BoxlessPlatform

/// Timing parameters of the RTL8111C/8168C model and their sources (also in TIMING.md).
public enum RTL8168ModelTiming {
    /// The bus: PCIe 1.1 x1 (2.5 GT/s, 250 MB/s after 8b/10b; 1 µs read round trip) — the platform's
    /// ``BusTiming/pcie1x1``. Source: RTL8111C DS §1 "Features" (PCIe 1.1 x1), PCIe Base 1.1 §4.
    public static let bus = BusTiming.pcie1x1
    /// The wire: 1000BASE-T, 8 ns per byte, preamble 8, IFG 12, FCS 4 (IEEE 802.3 §4.4.2, §40).
    public static let wire = EthernetTiming.gigabit
    /// Software reset (ChipCmd.RST) until the bit self-clears. Not in the datasheet; r8169 polls
    /// every 100 µs for up to 10 ms (rtl_hw_reset), so any value below that is compatible. Modelled: 2 µs.
    public static let reset = VirtualDuration.microseconds(2)
    /// One MDIO (PHYAR) transaction: 32-bit preamble + 32-bit frame at the 2.5 MHz MDC of IEEE 802.3
    /// §22.2.2.11 = 25.6 µs. r8169 polls PHYAR every 25 µs, 20 times.
    public static let mdio = VirtualDuration.nanoseconds(25_600)
    /// One CSI (CSIAR) access to extended config space: an internal register hop; r8169 polls every
    /// 10 µs for 1 ms. Modelled: 1 µs.
    public static let csi = VirtualDuration.microseconds(1)
    /// Auto-negotiation from PHY reset, restart or carrier: IEEE 802.3 §28.3.2 / §40.5 —
    /// link_fail_inhibit_timer (750–1000 ms for 1000BASE-T) plus the FLP page exchange (≈ 16 ms per
    /// burst, about 17 bursts for base, next pages and 1000BASE-T pages). Modelled: 1.3 s.
    public static let autoNegotiation = VirtualDuration.milliseconds(1300)
    /// IntrMitigate timer unit at 1000 Mb/s for CPlusCmd.INTT = 0…3: 5.12, 40.96, 81.92, 163.84 µs
    /// (r8169 `rtl_coalesce_info_8168_8136`, COALESCE_DELAY(5120)).
    public static let mitigationUnit: [VirtualDuration] = [
        .nanoseconds(5_120), .nanoseconds(40_960), .nanoseconds(81_920), .nanoseconds(163_840),
    ]
    /// IntrMitigate frame fields count in units of 4 frames (r8169 RTL_COALESCE_FRAME_MAX = 15 × 4).
    public static let mitigationFrameUnit = 4
    /// TCTR counting rate. Not in the sources at hand (the RTL8169 counts PCI clocks); modelled at
    /// the PCIe 100 MHz reference clock: 10 ns per tick. Approximate.
    public static let timerTick = VirtualDuration.nanoseconds(10)
    /// How often the receive engine re-reads a descriptor it found owned by the driver while frames
    /// wait in its FIFO. Not documented; modelled: 10 µs.
    public static let rxDescriptorRepoll = VirtualDuration.microseconds(10)
    /// On-chip receive FIFO: frames wait here while no descriptor is available (RTL8111C DS §1:
    /// "on-chip buffers"; size not stated for the 8111C — modelled as 64 KiB).
    public static let rxFIFOBytes = 64 * 1024
}
