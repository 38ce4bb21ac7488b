import BoxlessPlatform

/// The model's timing parameters, each with its source (DESIGN.md, "Cycle-approximate timing").
///
/// | Parameter | 82540EM (PCI 32/33) | 82574L (PCIe 1.1 x1) | Source |
/// |---|---|---|---|
/// | DMA bandwidth, overhead and payload (rows below) | 133 MB/s | 250 MB/s | the platform's `BusTiming.pci33` / `.pcie1x1`, `dmaReadCost`/`dmaWriteCost` (PCI Local Bus 3.0 §1.1; PCIe Base 1.1 §4.2 8b/10b) |
/// | DMA read latency (descriptor fetch, Tx data) | 240 ns | 1000 ns | the function's `BusTiming.readLatency` (a non-posted round trip) |
/// | per-transaction overhead | 8 bytes (address phase + turnaround, 2 clocks) | 24 bytes per TLP (framing 4, sequence/LCRC 6, 4-DW header 16 − rounding) | PCI Local Bus 3.0 §3.2; PCIe Base 1.1 §2.2, §3.5.2, §4.2.2 |
/// | max bytes per transaction | 4096 | 128 (Max_Payload_Size / Max_Read_Request reset default) | PCIe Base 1.1 §7.8.4 |
/// | descriptor fetch | up to 16 descriptors (256 bytes) per read burst | same | modelling choice (the SDM's on-chip descriptor caches hold more; RXDCTL/TXDCTL thresholds are not modelled) |
/// | wire | 1 Gb/s: preamble 8, IFG 12, FCS 4, 64-byte minimum | same | `EthernetPort` (IEEE 802.3 §4.4.2) |
/// | ITR / EITR unit | 256 ns | 256 ns | SDM §13.4.18 |
/// | RDTR / RADV / TIDV / TADV unit | 1.024 µs | 1.024 µs | SDM §13.4.30, §13.4.41 (RADV/TADV: Linux/QEMU, see FACTS.md) |
/// | MDIO access (MDIC.R) | 25.6 µs | 25.6 µs | 64 MDC cycles (32 preamble + 32 frame bits) at 2.5 MHz, IEEE 802.3 §22.2.2.11, §22.2.4.5 |
/// | EERD read (EERD.DONE) | 26 µs (Microwire: 3 opcode + 6 address + 1 dummy + 16 data clocks at 1 MHz) | 20 µs (SPI: 8 + 16 + 16 clocks at 2 MHz) | 93C46 / SPI EEPROM clock rates, typical; the manuals' own rate was not read |
/// | auto-negotiation | 1262 ms (configurable, ``E1000Device/autoNegotiationTime``) | same | estimate: base page + ack (8 FLP bursts) and three 1000BASE-T next pages (24 bursts) at 16 ms (IEEE 802.3 clause 28 FLP spacing), plus the 750 ms minimum link_fail_inhibit_timer for 1000BASE-T training (clause 28.3.2, recalled). QEMU uses 500 ms, Linux waits up to 4.5 s |
/// | CTRL.RST | immediate | immediate | the EEPROM auto-load (MAC into RAL0/RAH0) completes with it; drivers wait longer than any figure the manuals read give |
///
/// A transfer is committed (memory written, descriptor written back) when its bus work starts and the
/// engine then stays busy for the transfer's duration; the error is at most one transfer (≤ 12 µs for
/// a 1518-byte frame on PCI). Frames are handed to the wire only once their transmit DMA has ended
/// unless the wire is still busy with earlier frames, so wire times are exact.
enum E1000ModelTiming {
    /// Most descriptors fetched in one read burst.
    static let descriptorFetchBatch = 16
    /// ITR/EITR interval unit (SDM §13.4.18).
    static let throttleUnit = VirtualDuration.nanoseconds(256)
    /// RDTR/RADV/TIDV/TADV unit (SDM §13.4.30).
    static let delayUnit = VirtualDuration.nanoseconds(1024)
    /// One MDIO management frame with preamble at 2.5 MHz MDC.
    static let mdioAccess = VirtualDuration.nanoseconds(25_600)
    /// EERD read completion time per chip.
    static func eepromRead(_ chip: E1000Chip) -> VirtualDuration {
        chip == .i82540EM ? .microseconds(26) : .microseconds(20)
    }
    /// Default auto-negotiation time: 32 FLP bursts × 16 ms + 750 ms.
    static let autoNegotiation = VirtualDuration.milliseconds(32 * 16 + 750)
}
