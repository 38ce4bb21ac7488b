import BoxlessPlatform
import NICCore

// Descriptor fetch and write-back for both rings (RTL8111C DS §8: 16-byte descriptors, opts1 then
// opts2 then the buffer address; the chip hands a descriptor back by writing opts1 with OWN clear),
// with the fault layer's write-back hook and the strict check of a buffer posted twice.

extension RTL8168Device {
    /// What follows a descriptor's write-back.
    enum Completion {
        /// Nothing (not the last descriptor of a packet).
        case none
        /// A received frame's last descriptor, with its status.
        case received(UInt32)
        /// A transmitted packet's last descriptor: whether it was sent, and as how many frames.
        case transmitted(ok: Bool, frames: Int)
    }

    /// Reads the descriptor at `a`; nil if the DMA read fails.
    func loadDescriptor(_ a: BusAddress) -> RTL8168Descriptor? {
        let (o1, s1): (UInt32, DMAStatus) = function.dmaLoad(a)
        guard s1 == .ok else { return nil }
        let (o2, _): (UInt32, DMAStatus) = function.dmaLoad(a + 4)
        let (address, _): (UInt64, DMAStatus) = function.dmaLoad(a + 8)
        return RTL8168Descriptor(opts1: o1, opts2: o2, address: address)
    }

    /// Writes back descriptor `index` at `a` (opts2, when given, then opts1), after asking the
    /// fault hooks: `.delay` writes it (and completes the packet) later; `.badLength` and
    /// `.badStatus` put hostile values in opts1's length (bits 13:0 RX, 15:0 TX) and status byte
    /// (bits 23:16: RWT, RES, RUNT, CRC, PID1:0, IPF on RX); `.badIndex` makes the engine continue at
    /// another ring index.
    func writeBack(_ a: BusAddress, index: Int, receive: Bool, opts1: UInt32, opts2: UInt32?, completion: Completion) {
        var o1 = opts1
        if let hooks = function.deviceFaultHooks {
            switch hooks.descriptorWriteback(WritebackSite(device: function.address, receive: receive, index: index, time: function.now)) {
            case .none: break
            case .delay(let d):
                function.schedule(after: d) { [unowned(unsafe) self] in
                    self.store(a, o1, opts2)
                    self.complete(completion)
                }
                return
            case .badLength(let v):
                let mask = receive ? RTL8168RxBits.lengthMask : RTL8168TxBits.lengthMask
                o1 = o1 & ~mask | UInt32(v) & mask
            case .badStatus(let b):
                o1 = o1 & ~0x00FF_0000 | UInt32(b) << 16
            case .badIndex(let i):
                indexOverride = max(0, i) % RTL8168Descriptor.maximumCount
            }
        }
        store(a, o1, opts2)
        complete(completion)
    }

    private func store(_ a: BusAddress, _ opts1: UInt32, _ opts2: UInt32?) {
        if let o2 = opts2 { _ = function.dmaStore(a + 4, o2) }
        _ = function.dmaStore(a, opts1)
    }

    private func complete(_ c: Completion) {
        switch c {
        case .none: break
        case .received(let status): receiveCompleted(status)
        case let .transmitted(ok, frames): transmitCompleted(ok: ok, frames: frames)
        }
    }

    // MARK: strict: a buffer handed to the chip twice

    /// A receive buffer the chip is about to fill through descriptor `index` that another descriptor
    /// the chip also owns points at: the chip would write two frames into one buffer (r8169 gives
    /// every descriptor its own buffer, rtl8169_rx_fill; DS §8.2: the chip writes each frame into the
    /// buffer of the descriptor it owns). Found when the buffer was last filled through another
    /// descriptor that is again owned by the chip with the same address — a refill that re-posts a
    /// buffer the stack still holds, or posts one buffer in two slots.
    func checkPostedTwice(_ index: Int, _ d: RTL8168Descriptor, _ ring: DescriptorRing) {
        guard !bufferPostedTwiceReported, let other = rxFilledAt[d.address], other != index,
              let o = loadDescriptor(ring.address(of: UInt32(other))), o.own, o.address == d.address else { return }
        bufferPostedTwiceReported = true
        breach(.bufferPostedTwice, "receive descriptors \(other) and \(index) both hold buffer 0x\(String(d.address, radix: 16))")
    }

    /// Notes the descriptor a receive buffer was filled through (for ``checkPostedTwice(_:_:_:)``).
    func rememberFilled(_ address: UInt64, _ index: Int) {
        if rxFilledAt.count >= 4 * RTL8168Descriptor.maximumCount && rxFilledAt[address] == nil { rxFilledAt.removeAll(keepingCapacity: true) }
        rxFilledAt[address] = index
    }
}
