/// Receive injection for hosts whose clock Boxless does not own (QEMU on this build, a free-running
/// Linux guest): at most ``window`` frames are on their way at once — sent, and neither delivered
/// nor known to be dropped — a fraction of a receive ring, so the NIC is never overrun by a burst no
/// real link could deliver while the driver is not scheduled. Frames the device counted as dropped
/// free their place once nothing moves for ``quiet``; after ``stallLimit`` without progress the rest
/// of the trace is taken but not sent, and the run fails with the host's stall report. One loop for
/// every such host; the host adapter says how a frame reaches the wire and how time moves.
struct WindowedInjector {
    /// How a host takes part.
    struct Host {
        /// Puts a frame on the way to the NIC; false when the host cannot carry it (counted, not sent).
        var send: ([UInt8]) throws -> Bool
        /// Lets the host and the driver run a little (and collects what was delivered).
        var advance: () throws -> Void
        /// The host's clock, from any origin.
        var now: () -> Duration
        /// Frames the device has counted as dropped so far.
        var deviceDrops: () -> Int
        /// Why the host may stop early (a guest that exited), nil while it runs.
        var stopped: () -> String? = { nil }
        /// What the host can say about a stall (the NIC's registers, read outside the driver).
        var stallReport: () -> String = { "" }
    }

    /// Frames on their way at most.
    var window = 32
    /// Quiet time after which counted drops free window places.
    var quiet: Duration
    /// Time without progress after which the run gives the rest up.
    var stallLimit: Duration
    /// Frames the host could not carry.
    private(set) var hostSkipped = 0

    /// Replays `feed` through `host`; `tally` reads the receive check (``ReceiveTally``) and `sent`
    /// tells it of each frame sent. Returns the failures it saw; throws the feed's or host's errors.
    mutating func run(feed: ReplayFeed, host: Host, tally: () -> any ReceiveTally, sent: (ReplayFrame) -> Void) throws -> [String] {
        var pending = try feed.next()
        var excused = 0
        var lastSettled = -1, lastProgress = host.now()
        while true {
            let done = settled(tally()) + excused
            while let f = pending, tally().sent - done < window {
                if try host.send(f.bytes) { sent(f) } else { hostSkipped += 1 }
                pending = try feed.next()
            }
            if pending == nil && tally().sent <= settled(tally()) + excused { return [] }
            if let why = host.stopped() { return [why] }
            try host.advance()
            let now = host.now(), s = settled(tally())
            if s != lastSettled { lastSettled = s; lastProgress = now; continue }
            guard now - lastProgress > quiet else { continue }
            let e = max(0, host.deviceDrops() - tally().missing)
            if e != excused { excused = e; lastProgress = now; continue }
            if now - lastProgress > stallLimit {
                let onTheirWay = tally().sent - s - excused
                while pending != nil { pending = try feed.next() }   // taken, not sent
                return ["no frame delivered for \(stallLimit) with \(onTheirWay) on their way" + host.stallReport()]
            }
        }
    }

    private func settled(_ t: any ReceiveTally) -> Int { t.delivered + t.missing }
}
