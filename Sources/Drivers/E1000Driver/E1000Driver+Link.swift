import NativeDriverKit

/// Link state from STATUS (SDM §13.4.2), refreshed on LSC and by the watchdog.
extension E1000Driver {
    /// The link as STATUS reports it: LU, FD and the resolved SPEED.
    func readLinkState() -> LinkState {
        let status = regs.read32(Reg.STATUS)
        if status == Self.allOnes { surpriseRemoval(); return .down }
        guard status & STATUS.LU != 0 else { return .down }
        let speed: Int
        switch (status & STATUS.SPEED_MASK) >> STATUS.SPEED_SHIFT {
        case 0b00: speed = 10
        case 0b01: speed = 100
        default: speed = 1000
        }
        return LinkState(up: true, speedMbps: speed, fullDuplex: status & STATUS.FD != 0)
    }

    /// Re-reads the link; tells the client once per change.
    func checkLink() {
        guard !removed, !gone else { return }
        let state = readLinkState()
        guard state != linkState else { return }
        linkState = state
        context.log(.info, "link \(state)")
        if isOpen { client?.linkChanged(state) }
    }
}
