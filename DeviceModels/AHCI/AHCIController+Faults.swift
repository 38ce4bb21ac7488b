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

extension AHCIController {
    /// Asks the fault layer about a media or flush command just handed to the disk in `slot`
    /// (commands of the driver's own error handling — READ LOG EXT, IDENTIFY, resets — are not
    /// offered, so a plan cannot make recovery itself impossible). The answer is kept in the slot:
    /// a media error or interface CRC error ends the command at completion; a timeout means no
    /// completion is scheduled; a latency outlier delays it.
    func askFaultHooks(_ p: Int, _ slot: Int, _ c: CommandSlot) -> DiskCommandFault {
        guard let hooks = function.deviceFaultHooks else { return .none }
        let media = c.sectors > 0 && c.proto != .pioIn
        let flush = c.proto == .nonData && (c.taskFile.command == ATACommand.flushCache || c.taskFile.command == ATACommand.flushCacheExt)
        guard media || flush else { return .none }
        let f = hooks.diskCommand(DiskCommandSite(device: function.address, port: p, command: c.taskFile.command,
                                                  lba: c.lba, sectors: c.sectors, time: function.now))
        ports[p].slots[slot].fault = f
        return f
    }
}
