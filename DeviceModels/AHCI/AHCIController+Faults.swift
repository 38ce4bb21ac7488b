import BoxlessPlatform

/// State faults a fault plan pushes onto the controller's disks (issue 14): media errors on an LBA
/// range, a power loss, and a PHY that loses PhyRdy for a while.
extension AHCIController: DeviceStateFaultTarget {
    /// Default PhyRdy loss when a plan gives no duration.
    public static let defaultPhyNotReady = VirtualDuration.milliseconds(10)

    public func applyStateFault(_ fault: DeviceStateFault) -> Bool {
        let attached = disks.indices.filter { disks[$0] != nil }
        guard !attached.isEmpty else { return false }
        switch fault {
        case let .mediaError(lba, healedByWrite):
            // Reads of these sectors fail with UNC (SATADisk.markBad; ATA8-ACS error reporting).
            let range = lba.lowerBound..<(lba.upperBound == .max ? .max : lba.upperBound + 1)
            for p in attached { disks[p]!.markBad(lbaRange: range, healedByWrite: healedByWrite) }
            return true
        case .powerLoss:
            // Power is cut and comes back: the volatile cache is gone, the link drops and retrains
            // (COMINIT after power-on), commands in the device are lost.
            for p in attached {
                disks[p]!.powerLoss()
                linkDown(p, det: SStatus.detPresent)
                startLink(p)
            }
            function.note("fault: power loss")
            return true
        case .phyNotReady(let duration):
            // PhyRdy is lost (PxSSTS.DET = 1, PxSERR.DIAG.N) and comes back after `duration`.
            for p in attached {
                linkDown(p, det: SStatus.detPresent)
                function.schedule(after: duration ?? Self.defaultPhyNotReady) { [unowned self] in self.startLink(p) }
            }
            function.note("fault: PhyRdy lost")
            return true
        default:
            return false
        }
    }
}
