import BoxlessPlatform

/// One acknowledged write the disk holds only in its volatile cache (the journal a checker reads to
/// tell which writes a power loss was allowed to lose: DESIGN.md, "Checks": "every write acknowledged
/// before a completed FLUSH survives a power loss").
public struct DiskWrite: Sendable, Equatable, CustomStringConvertible {
    /// First sector.
    public var lba: UInt64
    /// Sectors written.
    public var sectors: Int
    /// When the disk acknowledged it (its completion reached the HBA).
    public var acknowledgedAt: VirtualTime
    /// Sector range.
    public var range: Range<UInt64> { lba..<lba + UInt64(sectors) }
    /// `LBA a..<b acked at t`.
    public var description: String { "LBA \(lba)..<\(lba + UInt64(sectors)) acknowledged at \(acknowledgedAt)" }
}

/// What a ``SATADisk/powerLoss()`` threw away.
public struct PowerLossReport: Sendable, Equatable {
    /// Sector ranges whose latest acknowledged data was lost (merged, sorted).
    public var lostRanges: [Range<UInt64>]
    /// The acknowledged but unflushed writes that were lost, in acknowledgement order.
    public var lostWrites: [DiskWrite]
    /// Virtual time of the last command the disk saw before the loss.
    public var at: VirtualTime
}

/// Counters of a disk (for reports and checks).
public struct SATADiskStatistics: Sendable, Equatable {
    /// Commands completed (with or without error).
    public var commands: UInt64 = 0
    /// Sectors read.
    public var sectorsRead: UInt64 = 0
    /// Sectors written (acknowledged).
    public var sectorsWritten: UInt64 = 0
    /// FLUSH CACHE (EXT) commands completed successfully.
    public var flushes: UInt64 = 0
    /// Times a full cache was written back without a FLUSH.
    public var cacheWritebacks: UInt64 = 0
    /// Commands that ended with an error.
    public var errors: UInt64 = 0
    /// Power losses.
    public var powerLosses: UInt64 = 0
}

/// A Serial ATA disk (ATA8-ACS device) attached to a port of an ``AHCIController``.
///
/// It stores its sectors in a ``BlockBackend`` behind a volatile write cache: with the cache on
/// (``writeCacheEnabled``, SET FEATURES 02h/82h), an acknowledged write lives only in the cache until
/// a FLUSH CACHE (EXT) completes or the cache fills up; ``powerLoss()`` discards it. With the cache off,
/// or for a FUA write, data reaches the backend before the command completes. ``markBad(lbaRange:healedByWrite:)``
/// injects media errors (reads fail with UNC).
///
/// Commands served: IDENTIFY DEVICE, READ/WRITE DMA (EXT), WRITE DMA FUA EXT, READ/WRITE FPDMA
/// QUEUED (NCQ, 32 tags), FLUSH CACHE (EXT), SET FEATURES (write cache, transfer mode, SATA features,
/// read look-ahead), SET MULTIPLE MODE, CHECK POWER MODE, READ LOG (DMA) EXT pages 00h and 10h.
/// Anything else is aborted (ABRT). After an NCQ error the disk aborts every queued command and
/// refuses commands other than READ LOG (DMA) EXT of page 10h until that page is read or the link
/// is reset (ATA8-ACS, NCQ error handling).
public final class SATADisk {
    /// Where the sectors live.
    public let backend: any BlockBackend
    /// Timing and behaviour.
    public let profile: DiskProfile
    /// IDENTIFY DEVICE model number (up to 40 characters).
    public let model: String
    /// IDENTIFY DEVICE serial number (up to 20 characters).
    public let serial: String
    /// IDENTIFY DEVICE firmware revision (up to 8 characters).
    public let firmware: String
    /// Fastest link this disk negotiates (defaults to the profile's); the port runs at the slower of
    /// this, the HBA's CAP.ISS and PxSCTL.SPD.
    public var linkSpeed: SATALinkSpeed
    /// Capacity in 512-byte sectors.
    public var sectorCount: UInt64 { backend.sectorCount }
    /// Whether the volatile write cache is on (SET FEATURES 02h/82h; power-on default from the profile).
    public internal(set) var writeCacheEnabled: Bool
    /// Counters.
    public internal(set) var statistics = SATADiskStatistics()
    /// Acknowledged writes not yet durable, in acknowledgement order (cleared by a completed flush
    /// or a cache write-back).
    public private(set) var unflushedWrites: [DiskWrite] = []
    /// What the last ``powerLoss()`` discarded, if there was one.
    public private(set) var lastPowerLoss: PowerLossReport?
    /// The last host-side failure of the backend (the command that met it ended with an ATA error).
    public private(set) var lastBackendError: StorageError?
    /// Sector ranges that fail reads with UNC.
    public private(set) var badRanges: [(range: Range<UInt64>, healedByWrite: Bool)] = []

    /// Most unflushed writes the disk tracks; at this many (or a full cache) it writes the cache back,
    /// so the journal and the cache stay bounded however long a run goes without FLUSH.
    public static let journalLimit = 1 << 16

    let cache = SparseSectorStore()
    var ncqError: NCQErrorRecord?
    var timing = DiskTimingState()
    var lastTime = VirtualTime.zero

    /// Creates a disk over `backend`.
    public init(backend: any BlockBackend, profile: DiskProfile = .ssd, model: String = "Boxless SSD",
                serial: String = "BX0001", firmware: String = "1.0") {
        self.backend = backend
        self.profile = profile
        self.model = model
        self.serial = serial
        self.firmware = firmware
        self.linkSpeed = profile.maxLinkSpeed
        self.writeCacheEnabled = profile.writeCacheEnabledAtPowerOn
    }

    /// Sector ranges whose latest acknowledged data is only in the volatile cache: exactly what a
    /// power loss now would lose (sorted, merged).
    public var acknowledgedButUnflushed: [Range<UInt64>] { cache.runs }

    /// Power is cut: the volatile write cache is discarded (acknowledged writes not yet flushed are
    /// lost, as ``lastPowerLoss`` records), and settings return to their power-on values (write cache
    /// per the profile, NCQ error state cleared). Data already in the backend is kept. The host side
    /// (controller, driver) should be restarted by the caller, as after a real power cycle.
    public func powerLoss() {
        lastPowerLoss = PowerLossReport(lostRanges: cache.runs, lostWrites: unflushedWrites, at: lastTime)
        cache.removeAll()
        unflushedWrites.removeAll()
        writeCacheEnabled = profile.writeCacheEnabledAtPowerOn
        ncqError = nil
        statistics.powerLosses += 1
    }

    /// Makes reads of `lbaRange` fail with an uncorrectable media error (UNC). If `healedByWrite`,
    /// a later write to a sector repairs it (as a drive reallocating a pending sector would);
    /// otherwise the range stays bad until ``clearBadSectors()``.
    public func markBad(lbaRange: Range<UInt64>, healedByWrite: Bool = false) {
        guard !lbaRange.isEmpty else { return }
        badRanges.append((lbaRange, healedByWrite))
    }

    /// Removes every injected media error.
    public func clearBadSectors() { badRanges.removeAll() }

    /// The data a read of `count` sectors at `lba` would return now (cache over backend), ignoring
    /// injected media errors — for checkers.
    public func contents(lba: UInt64, count: Int) throws(StorageError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count * BlockGeometry.sectorSize)
        let failure: StorageError? = out.withUnsafeMutableBytes { b in
            do throws(StorageError) { try self.readSectors(lba: lba, count: count, into: b); return nil } catch { return error }
        }
        if let failure { throw failure }
        return out
    }

    /// The data the backend holds (what survives a power loss now) — for checkers.
    public func durableContents(lba: UInt64, count: Int) throws(StorageError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count * BlockGeometry.sectorSize)
        let failure: StorageError? = out.withUnsafeMutableBytes { b in
            do throws(StorageError) { try self.backend.read(lba: lba, count: count, into: b); return nil } catch { return error }
        }
        if let failure { throw failure }
        return out
    }

    // MARK: data path (used by the controller)

    /// The outcome of a command on the device: ATA Status and Error, and the LBA an error refers to.
    struct Outcome {
        var status: UInt8 = ATAStatus.ready
        var error: UInt8 = 0
        var lba: UInt64 = 0
        var failed: Bool { error != 0 }
        static let ok = Outcome()
        static func fail(_ error: UInt8, lba: UInt64 = 0) -> Outcome {
            Outcome(status: ATAStatus.ready | ATAStatus.err, error: error, lba: lba)
        }
    }

    /// Whether `lba..<lba+count` lies inside the capacity.
    @inline(__always) func inRange(_ lba: UInt64, _ count: Int) -> Bool {
        lba <= sectorCount && UInt64(count) <= sectorCount - lba
    }

    /// Cache over backend.
    func readSectors(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(StorageError) {
        switch cache.coverage(lba: lba, count: count) {
        case .none: try backend.read(lba: lba, count: count, into: buffer)
        case .full: cache.read(lba: lba, count: count, into: buffer, zeroAbsent: false)
        case .partial:
            try backend.read(lba: lba, count: count, into: buffer)
            cache.read(lba: lba, count: count, into: buffer, zeroAbsent: false)
        }
    }

    /// Serves a media read: capacity (IDNF), injected errors (UNC), backend failures (UNC).
    func read(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        guard inRange(lba, count) else { return .fail(ATAError.idnf, lba: lba) }
        if !badRanges.isEmpty, let bad = firstBad(lba, count) { return .fail(ATAError.unc, lba: bad) }
        do { try readSectors(lba: lba, count: count, into: buffer) } catch {
            lastBackendError = error
            return .fail(ATAError.unc, lba: lba)
        }
        statistics.sectorsRead += UInt64(count)
        return .ok
    }

    /// Serves a media write, acknowledged at `now`: into the cache, or through to the backend when the
    /// cache is off or `fua` is set.
    func write(lba: UInt64, count: Int, from buffer: UnsafeRawBufferPointer, fua: Bool, now: VirtualTime) -> Outcome {
        lastTime = now
        guard inRange(lba, count) else { return .fail(ATAError.idnf, lba: lba) }
        if writeCacheEnabled && !fua {
            cache.write(lba: lba, count: count, from: buffer)
            unflushedWrites.append(DiskWrite(lba: lba, sectors: count, acknowledgedAt: now))
            if cache.presentSectors * UInt64(BlockGeometry.sectorSize) > UInt64(profile.cacheBytes)
                || unflushedWrites.count >= Self.journalLimit {
                if writeBack() != nil { return .fail(ATAError.abrt, lba: lba) }
                statistics.cacheWritebacks += 1
            }
        } else {
            do { try backend.write(lba: lba, count: count, from: buffer) } catch {
                lastBackendError = error
                return .fail(ATAError.abrt, lba: lba)
            }
            cache.discard(lba: lba, count: count)
        }
        if !badRanges.isEmpty { heal(lba, count) }
        statistics.sectorsWritten += UInt64(count)
        return .ok
    }

    /// FLUSH CACHE (EXT): writes the cache back and flushes the backend.
    func flush(now: VirtualTime) -> Outcome {
        lastTime = now
        if let bad = writeBack() { return .fail(ATAError.abrt, lba: bad) }
        do { try backend.flush() } catch {
            lastBackendError = error
            return .fail(ATAError.abrt)
        }
        statistics.flushes += 1
        return .ok
    }

    /// Writes every cached sector to the backend, in LBA order; returns the first LBA that failed.
    private func writeBack() -> UInt64? {
        var failedAt: UInt64?
        do {
            try cache.forEachRun { (lba: UInt64, n: Int, bytes: UnsafeRawBufferPointer) throws(StorageError) in
                failedAt = lba
                try self.backend.write(lba: lba, count: n, from: bytes)
            }
        } catch {
            lastBackendError = error
            return failedAt
        }
        cache.removeAll()
        unflushedWrites.removeAll(keepingCapacity: true)
        return nil
    }

    /// SET FEATURES (ATA8-ACS): returns whether the subcommand is supported.
    func setFeatures(_ tf: TaskFile) -> Outcome {
        switch UInt8(truncatingIfNeeded: tf.features) {
        case SetFeaturesCode.enableWriteCache: writeCacheEnabled = true
        case SetFeaturesCode.disableWriteCache:
            // Disabling the cache first writes it back, so nothing acknowledged is left volatile.
            if let bad = writeBack() { return .fail(ATAError.abrt, lba: bad) }
            writeCacheEnabled = false
        case SetFeaturesCode.setTransferMode, SetFeaturesCode.enableReadLookAhead, SetFeaturesCode.disableReadLookAhead,
             SetFeaturesCode.enableSATAFeature, SetFeaturesCode.disableSATAFeature:
            break
        default: return .fail(ATAError.abrt)
        }
        return .ok
    }

    /// Sizes for the timing model: dirty bytes and dirty runs a flush would write.
    var dirtyState: (bytes: UInt64, chunks: Int) {
        (cache.presentSectors * UInt64(BlockGeometry.sectorSize), cache.chunkCount)
    }

    private func firstBad(_ lba: UInt64, _ count: Int) -> UInt64? {
        let r = lba..<lba + UInt64(count)
        var first: UInt64?
        for b in badRanges where b.range.overlaps(r) {
            let s = max(b.range.lowerBound, lba)
            if first == nil || s < first! { first = s }
        }
        return first
    }

    private func heal(_ lba: UInt64, _ count: Int) {
        let r = lba..<lba + UInt64(count)
        var out: [(range: Range<UInt64>, healedByWrite: Bool)] = []
        for b in badRanges {
            guard b.healedByWrite, b.range.overlaps(r) else { out.append(b); continue }
            if b.range.lowerBound < r.lowerBound { out.append((b.range.lowerBound..<r.lowerBound, true)) }
            if r.upperBound < b.range.upperBound { out.append((r.upperBound..<b.range.upperBound, true)) }
        }
        badRanges = out
    }
}

/// The NCQ Command Error log contents the disk holds after a queued command failed.
struct NCQErrorRecord {
    /// Tag of the failed command (NQ = 0), or nil when a non-queued command caused the abort (NQ = 1).
    var tag: Int?
    var status: UInt8
    var error: UInt8
    var lba: UInt64
    var count: UInt16
}
