import BoxlessPlatform

/// The disk's timing state: when its data path is next free, where the head is, the platter angle.
struct DiskTimingState {
    /// Solid state: when the link/media data path is free. Rotating: when the mechanism is free.
    var pathFree = VirtualTime.zero
    /// Rotating: the sector after the last one the head read or wrote.
    var headLBA: UInt64 = 0
    /// Rotating: platter angle at time zero, as picoseconds into a revolution (seeded).
    var phase: UInt64 = 0
}

/// What a command asks of the disk, for timing.
enum DiskWork {
    /// Media read of `sectors`.
    case read(lba: UInt64, sectors: Int)
    /// Write of `sectors`, into the cache or through to the media.
    case write(lba: UInt64, sectors: Int, cached: Bool)
    /// FLUSH: `bytes` dirty in `chunks` separate 64 KiB chunks.
    case flush(bytes: UInt64, chunks: Int)
    /// No media work (IDENTIFY, SET FEATURES, READ LOG …), with `bytes` of PIO/DMA data.
    case control(bytes: Int)
}

extension SATADisk {
    /// Seeds the platter's starting angle (rotating disks).
    func seedTiming(_ random: inout SeededRandom) {
        let rev = profile.revolution.rawValue
        timing.phase = rev == 0 ? 0 : random.next() % rev
    }

    /// Time to move `bytes` at `rate` bytes per second (rounded up to a picosecond).
    @inline(__always) static func transfer(_ bytes: Int, _ rate: UInt64) -> VirtualDuration {
        .transfer(bytes: bytes, bytesPerSecond: rate)
    }

    /// When `work`, which reached the device at `start` over a link of `link`, completes; advances
    /// the disk's timing state. Deterministic: depends only on the inputs, the state and the seed.
    func completionTime(_ work: DiskWork, start: VirtualTime, link: SATALinkSpeed) -> VirtualTime {
        let p = profile
        let linkRate = link.bytesPerSecond
        let ready = start + p.commandOverhead
        switch work {
        case .control(let bytes):
            let t = max(ready, timing.pathFree) + Self.transfer(bytes, linkRate)
            return t
        case .flush(let bytes, let chunks):
            var media = p.flushOverhead + Self.transfer(Int(bytes), p.mediaWriteBytesPerSecond)
            if p.isRotating {
                // Elevator order: a short seek and half a revolution per dirty region.
                media = media + (p.trackToTrackSeek + VirtualDuration(rawValue: p.revolution.rawValue / 2)) * UInt64(chunks)
            }
            let t = max(ready, timing.pathFree) + media
            timing.pathFree = t
            return t
        case .read(let lba, let sectors):
            let bytes = sectors * BlockGeometry.sectorSize
            let rate = min(linkRate, p.mediaReadBytesPerSecond)
            if !p.isRotating {
                let begin = max(ready + p.readLatency, timing.pathFree)
                timing.pathFree = begin + Self.transfer(bytes, rate)
                return timing.pathFree
            }
            return mechanical(lba: lba, sectors: sectors, begin: max(ready, timing.pathFree), rate: rate)
        case .write(let lba, let sectors, let cached):
            let bytes = sectors * BlockGeometry.sectorSize
            if cached {
                let begin = max(ready, timing.pathFree)
                let end = begin + Self.transfer(bytes, linkRate)
                timing.pathFree = p.isRotating ? end + p.cachedWriteLatency : end
                return end + p.cachedWriteLatency
            }
            let rate = min(linkRate, p.mediaWriteBytesPerSecond)
            if !p.isRotating {
                let begin = max(ready, timing.pathFree)
                timing.pathFree = begin + Self.transfer(bytes, rate)
                return timing.pathFree + p.uncachedWriteLatency
            }
            return mechanical(lba: lba, sectors: sectors, begin: max(ready, timing.pathFree), rate: rate)
        }
    }

    /// Rotating media access: seek, rotational wait, transfer; one at a time.
    private func mechanical(lba: UInt64, sectors: Int, begin: VirtualTime, rate: UInt64) -> VirtualTime {
        let p = profile
        var t = begin
        if lba != timing.headLBA {
            let spt = p.sectorsPerTrack
            let fromTrack = timing.headLBA / spt, toTrack = lba / spt
            let tracks = fromTrack > toTrack ? fromTrack - toTrack : toTrack - fromTrack
            if tracks > 0 {
                // seek(d) = t2t + (avg − t2t) · sqrt(3 d / D): a third of the stroke costs the average.
                let totalTracks = max(1, sectorCount / spt)
                let frac = min(1.0, 3.0 * Double(tracks) / Double(totalTracks))
                let extra = Double(p.averageSeek.rawValue - p.trackToTrackSeek.rawValue) * frac.squareRoot()
                t = t + p.trackToTrackSeek + VirtualDuration(rawValue: UInt64(extra))
            }
            // Rotational wait until the target sector's angle comes under the head.
            let rev = p.revolution.rawValue
            let angle = (t.rawValue &+ timing.phase) % rev
            let target = (lba % spt) * rev / spt
            t = t + VirtualDuration(rawValue: (target + rev - angle) % rev)
        }
        t = t + Self.transfer(sectors * BlockGeometry.sectorSize, rate)
        timing.headLBA = lba + UInt64(sectors)
        timing.pathFree = t
        return t
    }
}
