import NativeDriverKit

// Surprise removal. A read from a function that is no longer there completes with all ones (an
// Unsupported Request or completion timeout returns all-ones data to the CPU, PCIe Base 4.0
// §2.3.2 and §6.2.3.2; a master abort on conventional PCI, PCI 3.0 §3.7.3). STATUS and ICR of a
// present 8254x never read 0xFFFFFFFF (both have reserved bits that read 0, SDM §13.4.2, §13.4.17),
// so either value means the device is gone. The driver then stops touching it — no register, no
// config access, no reset to wait for — reports the link down and fails what was queued; remove()
// only releases memory. (Linux's ixgbe does the same with ixgbe_check_remove; spinning on an
// all-ones register instead is the bug this avoids.)

extension E1000Driver {
    /// What a vanished device's registers read.
    static let allOnes: UInt32 = 0xFFFF_FFFF

    /// Whether the device still answers: one STATUS read (before the counters are folded, at close
    /// and at removal), so a removal nothing else noticed is not met by reading all-ones counters
    /// or waiting for a reset that never ends.
    func stillPresent() -> Bool {
        guard !gone else { return false }
        if regs.read32(Reg.STATUS) == Self.allOnes { surpriseRemoval(); return false }
        return true
    }

    /// Marks the device gone (once): link down to the client, queued frames failed.
    func surpriseRemoval() {
        guard !gone else { return }
        gone = true
        context.log(.warning, "registers read all-ones: the device was removed; no more access to it")
        if linkState.up {
            linkState = .down
            if isOpen { client?.linkChanged(.down) }
        }
        failQueuedWithoutDevice()
    }

    /// Reports every queued transmit frame failed without touching the device.
    func failQueuedWithoutDevice() {
        let failed = takeQueuedTokens()
        if !failed.isEmpty { reportFailed(failed) }
    }
}
