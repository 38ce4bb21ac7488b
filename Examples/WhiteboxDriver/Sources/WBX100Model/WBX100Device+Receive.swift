import BoxlessDeviceKit

/// Receive (§4.5): a frame that passes the checks is written to the buffer of descriptor RDH,
/// then LENGTH and STATUS = DD | EOP are written back, RDH advances and RXDW is raised.
extension WBX100Device {
    func receive(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) {
        guard ctrl & WBX100Bits.RXEN != 0, linkUp else { stats.ignored += 1; return }
        guard fcsValid else { stats.crcerrs += 1; return }
        guard frame.count <= WBX100Descriptor.maximumFrame else { stats.roc += 1; return }
        guard rx.owned(head: rdh, tail: rdt) > 0 else { stats.mpc += 1; raise(WBX100Bits.RXO); return }
        let d = rx.address(of: rdh)
        let (buffer, st) = function.dmaLoad(d + UInt64(WBX100Descriptor.addr), as: UInt64.self)
        guard st == .ok else { stats.mpc += 1; return }
        guard function.dmaWrite(BusAddress(buffer), from: frame) == .ok else { stats.mpc += 1; return }
        function.dmaStore(d + UInt64(WBX100Descriptor.length), UInt16(frame.count))
        function.dmaStore(d + UInt64(WBX100Descriptor.status), WBX100Bits.DD | WBX100Bits.EOP)
        rdh = rx.next(rdh)
        stats.gprc += 1
        raise(WBX100Bits.RXDW)
    }
}
