// Timing facts for modelling the 82540EM (PCI) and 82574L (PCIe) and their
// 1000BASE-T link. Units are nanoseconds or bytes. Each constant names its
// source; FACTS.md lists them all.

/// Bus, wire and interrupt-moderation timing constants.
enum E1000Timing {
    // MARK: Host bus

    /// Conventional PCI clock, 33⅓ MHz → 30 ns per clock (PCI Local Bus
    /// Specification 2.x; the 82540EM is a 32-bit PCI device).
    static let pci33ClockPeriodPicoseconds: UInt64 = 30_000
    /// Conventional PCI 32-bit/33 MHz peak bandwidth: 4 bytes × 33⅓ MHz ≈
    /// 133 MB/s (133_333_333 bytes/s), one data phase per clock in a burst.
    static let pci32Bit33MHzPeakBytesPerSecond: UInt64 = 133_333_333
    /// PCIe 1.1 (Gen1) lane signalling rate: 2.5 GT/s (PCI Express Base 1.1).
    static let pcieGen1TransfersPerSecond: UInt64 = 2_500_000_000
    /// PCIe 1.1 x1 payload-capable bandwidth per direction after 8b/10b
    /// encoding: 2.5 GT/s × 8/10 ÷ 8 = 250 MB/s (before TLP/DLLP overhead).
    /// The 82574L is PCIe x1.
    static let pcieGen1x1BytesPerSecondPerDirection: UInt64 = 250_000_000
    /// PCIe Gen1 time per encoded byte (10 bit times at 400 ps): 4 ns.
    static let pcieGen1NanosecondsPerByte: UInt64 = 4

    // MARK: Ethernet wire (IEEE 802.3)

    /// 1000 Mb/s: 1 ns per bit, 8 ns per byte (SDM Table 13-77 also gives an
    /// 8 ns MAC clock at 1 Gb/s).
    static let nanosecondsPerByte1000: UInt64 = 8
    /// 100 Mb/s: 80 ns per byte (SDM Table 13-77: 80 ns MAC clock).
    static let nanosecondsPerByte100: UInt64 = 80
    /// 10 Mb/s: 800 ns per byte (SDM Table 13-77: 800 ns MAC clock).
    static let nanosecondsPerByte10: UInt64 = 800
    /// Preamble (7 bytes) + SFD (1 byte) = 8 bytes (IEEE 802.3 clause 3.2.1/3.2.2).
    static let preambleAndSFDBytes = 8
    /// Minimum inter-frame gap: 96 bit times = 12 bytes (IEEE 802.3 clause 4.4.2;
    /// SDM Table 13-77 "IEEE 802.3 standard IPG value of 96-bit time").
    static let interFrameGapBytes = 12
    /// Frame check sequence (CRC-32): 4 bytes (IEEE 802.3 clause 3.2.9).
    static let fcsBytes = 4
    /// Minimum frame: 64 bytes including FCS, i.e. 60 bytes of header+payload
    /// (IEEE 802.3 clause 4.4.2 minFrameSize = 512 bits). TCTL.PSP pads to
    /// this (SDM Table 13-76).
    static let minimumFrameBytes = 64
    /// Maximum untagged frame including FCS: 1518 bytes (IEEE 802.3 clause 4.4.2);
    /// 1522 with an 802.1Q tag (matches the PRC1522/PTC1522 counter bucket).
    static let maximumUntaggedFrameBytes = 1518
    /// Maximum 802.1Q-tagged frame including FCS: 1522 bytes.
    static let maximumTaggedFrameBytes = 1522
    /// Ethernet header bytes (destination, source, EtherType).
    static let ethernetHeaderBytes = 14

    /// Wire occupancy in nanoseconds of a frame of `frameBytes` (including FCS)
    /// at `speed`, counting preamble+SFD and the minimum IFG.
    static func wireTimeNanoseconds(frameBytes: Int, speed: E1000LinkSpeed = .mbps1000) -> UInt64 {
        let perByte: UInt64
        switch speed {
        case .mbps1000: perByte = nanosecondsPerByte1000
        case .mbps100: perByte = nanosecondsPerByte100
        case .mbps10: perByte = nanosecondsPerByte10
        }
        let padded = max(frameBytes, minimumFrameBytes)
        return UInt64(preambleAndSFDBytes + padded + interFrameGapBytes) * perByte
    }

    /// Minimum-size frame slot at 1 Gb/s: (8 + 64 + 12) × 8 ns = 672 ns,
    /// i.e. 1,488,095 frames/s line rate.
    static let minimumFrameSlotNanoseconds1000: UInt64 = 672

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
