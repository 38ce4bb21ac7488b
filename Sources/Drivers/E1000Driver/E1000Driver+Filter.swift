import NativeDriverKit

/// Receive filtering (SDM §13.5, RCTL.UPE/MPE §13.4.22): the station address in RAL0/RAH0,
/// multicast addresses in exact entries 1–15, the rest hashed into the MTA.
extension E1000Driver {
    /// Exact-match entries available for multicast (RAL/RAH 1…15).
    static let exactMulticastEntries = Reg.receiveAddresses - 1

    public func setReceiveFilter(_ filter: ReceiveFilter) {
        self.filter = filter
        guard !removed else { return }
        var mta = [UInt32](repeating: 0, count: Reg.mtaEntries)
        for (k, address) in filter.multicast.enumerated() where k >= Self.exactMulticastEntries {
            let h = Self.multicastHash(address)
            mta[Int(h >> 5)] |= 1 << (h & 0x1F)
        }
        for n in 1..<Reg.receiveAddresses {
            let k = n - 1
            if k < filter.multicast.count { writeReceiveAddress(n, filter.multicast[k]) } else { clearReceiveAddress(n) }
        }
        for (n, word) in mta.enumerated() { regs.write32(Reg.MTA(n), word) }
        if isOpen {
            rctl = receiveControl()
            regs.write32(Reg.RCTL, rctl)
        }
    }

    /// The 12-bit MTA index of `address` with RCTL.MO = 00b: destination bits 47:36, i.e. the high
    /// nibble of byte 4 and all of byte 5 (SDM §13.5.1). Bits 11:5 pick the register, 4:0 the bit.
    static func multicastHash(_ address: MACAddress) -> UInt32 {
        let b = address.bytes
        return (UInt32(b.4) >> 4 | UInt32(b.5) << 4) & 0xFFF
    }
}
