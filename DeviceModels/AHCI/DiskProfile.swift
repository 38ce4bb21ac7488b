import BoxlessPlatform

/// A Serial ATA link generation. Data moves at the line rate less 8b/10b coding: each byte is ten
/// bits on the wire (Serial ATA 3.x, physical layer), so 1.5/3/6 Gb/s carry 150/300/600 MB/s.
public enum SATALinkSpeed: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Gen1, 1.5 Gb/s.
    case gen1 = 1
    /// Gen2, 3.0 Gb/s.
    case gen2 = 2
    /// Gen3, 6.0 Gb/s.
    case gen3 = 3

    /// Payload bytes per second after 8b/10b coding.
    public var bytesPerSecond: UInt64 {
        switch self {
        case .gen1: return 150_000_000
        case .gen2: return 300_000_000
        case .gen3: return 600_000_000
        }
    }

    /// `1.5 Gb/s`, `3.0 Gb/s` or `6.0 Gb/s`.
    public var description: String { ["", "1.5 Gb/s", "3.0 Gb/s", "6.0 Gb/s"][rawValue] }
}

/// The timing and behaviour of a kind of disk (DESIGN.md, "Cycle-approximate timing": each figure
/// states its source). The figures are *typical* values of current products, not one datasheet:
/// spinning disks from the usual 7200 rpm desktop class (e.g. 1–4 TB SATA drives: ~8.5 ms average
/// seek, 8.33 ms per revolution, ~150 MB/s sustained media rate), solid-state disks from the SATA
/// mainstream class (~500–550 MB/s, tens of microseconds of command latency).
///
/// How a command's time is made (see `SATADisk+Timing.swift`):
/// - every command: ``commandOverhead`` (device firmware) after the HBA fetched it;
/// - solid state: a read waits ``readLatency``, a cached write ``cachedWriteLatency``, an uncached
///   or FUA write ``uncachedWriteLatency``; these latencies overlap across queued (NCQ) commands, as
///   flash channels work in parallel, while data moves one command at a time at the slower of the link
///   and the media rate;
/// - rotating: one command at a time; a seek from the head's track (``trackToTrackSeek`` plus a
///   square-root curve that makes a one-third-stroke seek cost ``averageSeek``), then the rotational
///   wait until the target sector passes under the head — the platter turns at ``rpm`` from a seeded
///   starting angle, so latency is 0 … one revolution and reproducible — then the media transfer.
///   An access that starts where the previous one ended skips both (read-ahead / write combining).
///   Cached writes cost only the link transfer; the media work is paid by FLUSH.
public struct DiskProfile: Sendable, Equatable {
    /// A name for reports ("ssd", "hdd7200").
    public var name: String
    /// Spindle speed in revolutions per minute; 0 for solid state.
    public var rpm: Int
    /// Device firmware time per command.
    public var commandOverhead: VirtualDuration
    /// Solid state: time from command to first data of a read.
    public var readLatency: VirtualDuration
    /// Time to accept a write into the volatile cache.
    public var cachedWriteLatency: VirtualDuration
    /// Solid state: time to program a write that bypasses the cache (cache off or FUA).
    public var uncachedWriteLatency: VirtualDuration
    /// Sustained media read rate, bytes per second.
    public var mediaReadBytesPerSecond: UInt64
    /// Sustained media write rate, bytes per second.
    public var mediaWriteBytesPerSecond: UInt64
    /// Rotating: average seek (one third of the full stroke).
    public var averageSeek: VirtualDuration
    /// Rotating: seek to the adjacent track.
    public var trackToTrackSeek: VirtualDuration
    /// Fixed cost of a FLUSH CACHE (EXT) on top of writing the dirty data.
    public var flushOverhead: VirtualDuration
    /// Volatile write cache size; when unflushed data would exceed it, the disk writes the whole
    /// cache back to the media (those writes become durable early, which is always allowed).
    public var cacheBytes: Int
    /// Whether the volatile write cache is on at power-on.
    public var writeCacheEnabledAtPowerOn: Bool
    /// Time from PhyRdy (after COMRESET) to the device's signature D2H Register FIS.
    public var resetReadyTime: VirtualDuration
    /// Fastest link the device supports.
    public var maxLinkSpeed: SATALinkSpeed

    /// Creates a profile.
    public init(name: String, rpm: Int, commandOverhead: VirtualDuration, readLatency: VirtualDuration,
                cachedWriteLatency: VirtualDuration, uncachedWriteLatency: VirtualDuration,
                mediaReadBytesPerSecond: UInt64, mediaWriteBytesPerSecond: UInt64,
                averageSeek: VirtualDuration = .zero, trackToTrackSeek: VirtualDuration = .zero,
                flushOverhead: VirtualDuration, cacheBytes: Int, writeCacheEnabledAtPowerOn: Bool = true,
                resetReadyTime: VirtualDuration, maxLinkSpeed: SATALinkSpeed = .gen3) {
        self.name = name; self.rpm = rpm; self.commandOverhead = commandOverhead; self.readLatency = readLatency
        self.cachedWriteLatency = cachedWriteLatency; self.uncachedWriteLatency = uncachedWriteLatency
        self.mediaReadBytesPerSecond = mediaReadBytesPerSecond; self.mediaWriteBytesPerSecond = mediaWriteBytesPerSecond
        self.averageSeek = averageSeek; self.trackToTrackSeek = trackToTrackSeek; self.flushOverhead = flushOverhead
        self.cacheBytes = cacheBytes; self.writeCacheEnabledAtPowerOn = writeCacheEnabledAtPowerOn
        self.resetReadyTime = resetReadyTime; self.maxLinkSpeed = maxLinkSpeed
    }

    /// A mainstream SATA SSD (typical figures): 60 µs read latency, 20 µs to cache a write, 200 µs
    /// to program one uncached, 550/520 MB/s media, 2 µs firmware overhead, 64 MiB cache, flush
    /// 100 µs + data, ready 100 µs after PhyRdy, Gen3 link.
    public static let ssd = DiskProfile(
        name: "ssd", rpm: 0, commandOverhead: .microseconds(2), readLatency: .microseconds(60),
        cachedWriteLatency: .microseconds(20), uncachedWriteLatency: .microseconds(200),
        mediaReadBytesPerSecond: 550_000_000, mediaWriteBytesPerSecond: 520_000_000,
        flushOverhead: .microseconds(100), cacheBytes: 64 << 20, resetReadyTime: .microseconds(100))

    /// A 7200 rpm desktop disk (typical figures): 8.5 ms average seek, 0.8 ms track to track,
    /// 8.33 ms per revolution (60 s / 7200), 150 MB/s media, 50 µs firmware overhead, 10 µs to
    /// cache a write, 64 MiB cache, flush 1 ms + data, ready 100 µs after PhyRdy (already spinning:
    /// spin-up is not modelled), Gen3 link.
    public static let hdd7200 = DiskProfile(
        name: "hdd7200", rpm: 7200, commandOverhead: .microseconds(50), readLatency: .zero,
        cachedWriteLatency: .microseconds(10), uncachedWriteLatency: .zero,
        mediaReadBytesPerSecond: 150_000_000, mediaWriteBytesPerSecond: 150_000_000,
        averageSeek: .microseconds(8_500), trackToTrackSeek: .microseconds(800),
        flushOverhead: .milliseconds(1), cacheBytes: 64 << 20, resetReadyTime: .microseconds(100))

    /// Whether the disk spins.
    public var isRotating: Bool { rpm > 0 }
    /// Rotating: one revolution.
    public var revolution: VirtualDuration { rpm > 0 ? .picoseconds(60_000_000_000_000 / UInt64(rpm)) : .zero }
    /// Rotating: sectors passing under the head per revolution (media rate × revolution / 512).
    public var sectorsPerTrack: UInt64 {
        guard rpm > 0 else { return 1 }
        return max(1, mediaReadBytesPerSecond * 60 / UInt64(rpm) / 512)
    }
}
