// Timing facts for modelling the 82540EM and 82574L that are theirs alone: interrupt moderation
// and driver-visible delays. Units are nanoseconds. Each constant names its source; FACTS.md
// lists them all.

/// Interrupt-moderation and delay-timer constants.
enum E1000Timing {
    // Bus and wire timing are shared by every NIC: the platform's `BusTiming` (PCI 32-bit/33 MHz,
    // PCIe 1.1 x1) and `EthernetTiming` / the NIC core's `EthernetFrame` (IEEE 802.3 preamble,
    // inter-frame gap, FCS and frame sizes). FACTS.md keeps their sources for these chips.

    // MARK: Interrupt moderation

    /// ITR interval unit: 256 ns (SDM §13.4.18: INTERVAL, bits 15:0, counts in
    /// 256 ns steps; 0 disables throttling). Same unit on the 82574 (QEMU
    /// `E1000_INTR_THROTTLING_NS_RES 256`).
    static let itrUnitNanoseconds: UInt64 = 256
    /// ITR INTERVAL field mask (bits 15:0).
    static let itrIntervalMask: UInt32 = 0xFFFF
    /// SDM §13.4.18 example: INTERVAL = 500 → 128 µs between interrupts
    /// (≈ 7813 interrupts/s).
    static let itrExampleInterval: UInt32 = 500
    /// SDM §13.4.18 suggested initial ITR range: 651–5580 (28Bh–15CCh).
    static let itrSuggestedRange: ClosedRange<UInt32> = 651...5580

    /// Minimum time between interrupts for an ITR INTERVAL value (0 = no throttling).
    static func itrIntervalNanoseconds(_ interval: UInt32) -> UInt64 {
        UInt64(interval & itrIntervalMask) * itrUnitNanoseconds
    }

    /// Delay-timer unit of RDTR, RADV, TIDV and TADV: 1.024 µs = 1024 ns
    /// (SDM §13.4.30 RDTR and §13.4.41 TIDV both count in 1.024 µs units;
    /// RADV/TADV use the same unit per
    /// QEMU/Linux `E1000_INTR_DELAY_NS_RES 1024` — their SDM text not read).
    static let delayTimerUnitNanoseconds: UInt64 = 1024
    /// Delay-timer field mask (bits 15:0) of RDTR/RADV/TIDV/TADV.
    static let delayTimerMask: UInt32 = 0xFFFF
    /// RDTR bit 31 FPD — flush partial descriptor block (SDM §13.4.30; self-clearing).
    static let rdtrFlushPartialDescriptor: UInt32 = 1 << 31
    /// TIDV bit 31 FPD — flush partial descriptor block (QEMU `E1000_TIDV_FPD`;
    /// 82574-family; not in the 8254x SDM text read).
    static let tidvFlushPartialDescriptor: UInt32 = 1 << 31

    /// Nanoseconds represented by a RDTR/RADV/TIDV/TADV value.
    static func delayTimerNanoseconds(_ value: UInt32) -> UInt64 {
        UInt64(value & delayTimerMask) * delayTimerUnitNanoseconds
    }

    /// 82574 EITR: five registers at 0x000E8 + 4·n (n = 0…4), one per MSI-X
    /// vector, interval in the same 256 ns unit as ITR (Linux e1000e
    /// `E1000_EITR_82574(n)` and its 1e9 / (rate × 256) conversion; QEMU uses
    /// the 256 ns resolution for ITR and EITR). In MSI-X mode EITR moderates
    /// each vector; ITR moderates INTx/MSI.
    static let eitrCount82574 = 5
    /// EITR unit (82574), nanoseconds.
    static let eitrUnitNanoseconds: UInt64 = 256

    // MARK: Driver-visible delays (documented by drivers, not datasheets)

    /// Linux e1000e polls auto-negotiation completion up to 45 × 100 ms
    /// (`PHY_AUTO_NEG_LIMIT`, `e1000_wait_autoneg`).
    static let linuxAutonegPollIntervalNanoseconds: UInt64 = 100_000_000
    /// Linux e1000e waits up to `MASTER_DISABLE_TIMEOUT` = 800 × 100 µs = 80 ms
    /// for GIO master disable on PCIe parts.
    static let linuxMasterDisableTimeoutNanoseconds: UInt64 = 80_000_000
    /// Linux e1000e `PHY_CFG_TIMEOUT`: 100 ms for PHY configuration after MAC reset.
    static let linuxPhyConfigTimeoutNanoseconds: UInt64 = 100_000_000
    /// Linux e1000e `AUTO_READ_DONE_TIMEOUT`: 10 ms for NVM auto-read after reset.
    static let linuxAutoReadDoneTimeoutNanoseconds: UInt64 = 10_000_000
}
