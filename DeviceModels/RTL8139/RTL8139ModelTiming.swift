import BoxlessPlatform

/// The model's timing parameters (each with its source in `TIMING.md`).
struct RTL8139ModelTiming {
    /// The function's bus (PCI 32-bit/33 MHz).
    var bus: BusTiming
    /// Per-burst overhead in bytes of bus time (address phase and turnaround: 2 clocks × 4 bytes).
    var overheadBytes = 8
    /// Bytes per burst (RCR/TCR MXDMA = unlimited is what both Linux drivers program; 2 KiB here).
    var burstBytes = 2048

    /// PCI 32/33.
    static let pci = RTL8139ModelTiming(bus: .pci33)
    /// One PCI clock at 33 MHz: 30 ns (PCI Local Bus 3.0 §4.2.3.1: 30 ns minimum period at 33 MHz).
    static let pciClock = VirtualDuration.nanoseconds(30)
    /// Default auto-negotiation: 8 FLP bursts (base page, ack) at 16 ms spacing plus a 50 ms
    /// settle, estimate (IEEE 802.3 clause 28.2.1.1; link_fail_inhibit_timer not waited).
    static let autoNegotiation = VirtualDuration.milliseconds(8 * 16 + 50)
    /// Software reset (CR.RST) completes after this (Linux waits up to 1 ms polling; estimate).
    static let resetTime = VirtualDuration.microseconds(10)
    /// Receive FIFO: 2 KiB (RTL8139C(L) datasheet §1 "Features": 2 KiB receive FIFO, recalled).
    static let rxFIFOBytes = 2048

    /// Storage behind the FIFO model: room to hold a frame up to the LONG limit contiguously
    /// (an empty FIFO streams any frame through; the 2 KiB budget applies to frames that queue).
    static let fifoStorageBytes = 4 * 4096
    /// Length an injected runt is cut to: half the 60-byte minimum (a collision fragment).
    static let runtFaultBytes = 30
    /// IntrMitigate timer unit: 2.56 µs, the RTL8169's unit at 100 Mb/s with C+CR bits 1:0 = 00
    /// (Linux r8169 coalescing table, recalled). The RTL8139C+ documents neither layout nor unit.
    static let mitigationTimerUnit = VirtualDuration.nanoseconds(2560)

    /// Longest frame received (header bit LONG, C+ RWT: "longer than 4K bytes", §6.1).
    static let longFrameBytes = 4096

    /// Bus time of writing `bytes` by DMA.
    func writeCost(_ bytes: Int) -> VirtualDuration {
        let bursts = max(1, (bytes + burstBytes - 1) / burstBytes)
        return bus.transferTime(bytes: bytes + bursts * overheadBytes)
    }

    /// Bus time of reading `bytes` by DMA (a read round trip plus the data).
    func readCost(_ bytes: Int) -> VirtualDuration { bus.readLatency + writeCost(bytes) }
}
