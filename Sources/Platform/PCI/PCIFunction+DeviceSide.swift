// The device-side API a model uses: time, DMA, findings. (Interrupts: PCIFunction+Interrupts.swift.)

extension PCIFunction {
    /// Current virtual time.
    @inlinable public var now: VirtualTime { scheduler.now }

    /// Schedules `action` after `delay` on the device lane.
    @discardableResult
    @inlinable public func schedule(after delay: VirtualDuration, _ action: @escaping () -> Void) -> EventID {
        scheduler.schedule(after: delay, action)
    }

    /// Schedules `action` at `time` on the device lane.
    @discardableResult
    @inlinable public func schedule(at time: VirtualTime, _ action: @escaping () -> Void) -> EventID {
        scheduler.schedule(at: time, action)
    }

    /// Cancels a scheduled event.
    @inlinable public func cancel(_ id: EventID) { scheduler.cancel(id) }

    /// Whether the machine runs device models in strict mode.
    public var strict: Bool { machine.configuration.strict }

    /// Reports a finding about this function.
    public func finding(_ code: FindingCode, _ message: String, reference: String? = nil) {
        machine.log.finding(address, code, message, reference: reference)
    }

    /// Adds a note to the event log (a model's notable state change, e.g. "link up").
    public func note(_ text: String) { machine.log.record(.note(source: model.name, text: text)) }

    /// Sets config-space bits the device owns (read-only to software), e.g. status bits.
    public func deviceSetConfig(_ offset: Int, _ width: AccessWidth, _ value: UInt32) { config.set(offset, width, value) }

    /// Reads this function's config space without side effects or logging.
    public func deviceReadConfig(_ offset: Int, _ width: AccessWidth) -> UInt32 { config.read(offset, width) }

    /// Device DMA read: moves `buffer.count` bytes from bus address `address` into `buffer`.
    /// Checks bus mastering and the IOMMU; on failure the buffer reads as all ones and the device sees
    /// a master abort or an IOMMU fault, as real hardware would (and a finding is logged).
    public func dmaRead(_ address: BusAddress, into buffer: UnsafeMutableRawBufferPointer) -> DMAStatus {
        transfer(address, buffer, write: false)
    }

    /// Device DMA write: moves `bytes` to bus address `address` (see ``dmaRead(_:into:)``).
    public func dmaWrite(_ address: BusAddress, from bytes: UnsafeRawBufferPointer) -> DMAStatus {
        transfer(address, UnsafeMutableRawBufferPointer(mutating: bytes), write: true)
    }

    /// Reads a little-endian integer by DMA (all ones if the transfer fails).
    public func dmaLoad<T: FixedWidthInteger>(_ address: BusAddress, as: T.Type = T.self) -> (T, DMAStatus) {
        var v: T = 0
        let st = withUnsafeMutableBytes(of: &v) { dmaRead(address, into: $0) }
        return (T(littleEndian: v), st)
    }

    /// Writes a little-endian integer by DMA.
    @discardableResult
    public func dmaStore<T: FixedWidthInteger>(_ address: BusAddress, _ value: T) -> DMAStatus {
        withUnsafeBytes(of: value.littleEndian) { dmaWrite(address, from: $0) }
    }

    private func transfer(_ address: BusAddress, _ buffer: UnsafeMutableRawBufferPointer, write: Bool) -> DMAStatus {
        let length = buffer.count
        func done(_ st: DMAStatus) -> DMAStatus {
            eventLog.recordDMA(write: write, device: self.address, address: address, length: UInt32(truncatingIfNeeded: length),
                                  status: st, payload: st == .ok ? UnsafeRawBufferPointer(buffer) : nil)
            return st
        }
        // Fast path (performance only; the same checks, effects and record as below): bus mastering
        // on, no fault plan, one mapping covering the whole transfer.
        if length > 0, machineRef._withUnsafeGuaranteedRef({ $0.faults == nil }), busMasterEnabled,
           let p = iommu.translateWhole(address, length: length, write: write) {
            if write { p.copyMemory(from: buffer.baseAddress!, byteCount: length) }
            else { buffer.baseAddress!.copyMemory(from: p, byteCount: length) }
            return done(.ok)
        }
        guard length > 0 else { return done(.ok) }
        let dir = write ? "write" : "read"
        guard busMasterEnabled else {
            config.setBits16(ConfigHeader.status, ConfigHeader.statusReceivedMasterAbort, true)
            machine.log.finding(self.address, .dmaBusMasterOff, "DMA \(dir) of \(length) bytes at \(address) while Bus Master Enable is clear",
                                reference: "PCI Local Bus 3.0 §6.2.2")
            if !write { buffer.initializeMemory(as: UInt8.self, repeating: 0xFF) }
            return done(.masterAbort)
        }
        // Resolve every piece first, so a fault leaves memory untouched. The common case is one
        // mapping covering the whole transfer: no allocation on that path.
        var first: (UnsafeMutableRawPointer, Int)?
        var pieces: [(UnsafeMutableRawPointer, Int, Int)] = []   // (host pointer, buffer offset, count), when split
        var done_ = 0
        while done_ < length {
            let a = address + UInt64(done_)
            switch iommu.translate(a, length: length - done_, write: write) {
            case .success(let (p, n)):
                if done_ == 0 && n == length { first = (p, n) } else {
                    if let f = first { pieces.append((f.0, 0, f.1)); first = nil }
                    pieces.append((p, done_, n))
                }
                done_ += n
            case .failure(let fault):
                let code: FindingCode, msg: String
                switch fault {
                case .unmapped(let history):
                    code = history.map { $0.hasPrefix("past the end") ? FindingCode.dmaUnmapped : .dmaAfterUnmap } ?? .dmaUnmapped
                    msg = "DMA \(dir) of \(length) bytes at \(address): \(a) is not mapped" + (history.map { "; \($0)" } ?? "")
                case .direction(let d):
                    code = .dmaDirection
                    msg = "DMA \(dir) of \(length) bytes at \(address): mapping is \(d)"
                }
                machine.log.finding(self.address, code, msg, reference: "PCIe Base 6.0 §10.1 (ATS/IOMMU translation), VT-d §3")
                if !write { buffer.initializeMemory(as: UInt8.self, repeating: 0xFF) }
                return done(.iommuFault)
            }
        }
        if let (p, _) = first {
            if machine.faults == nil {
                if write { p.copyMemory(from: buffer.baseAddress!, byteCount: length) }
                else { buffer.baseAddress!.copyMemory(from: p, byteCount: length) }
                return done(.ok)
            }
            pieces = [(p, 0, length)]
        }
        if let f = machine.faults {
            // The hook sees (and may change) the bytes in flight: copy a device write first so the
            // model's own buffer is not modified.
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 8)
            defer { scratch.deallocate() }
            if write { scratch.copyMemory(from: UnsafeRawBufferPointer(buffer)) } else {
                for (p, off, n) in pieces { (scratch.baseAddress! + off).copyMemory(from: p, byteCount: n) }
            }
            let site = DMASite(device: self.address, address: address, length: length, isWrite: write, time: now)
            switch f.dmaTransfer(site, data: scratch) {
            case .masterAbort:
                config.setBits16(ConfigHeader.status, ConfigHeader.statusReceivedMasterAbort, true)
                if !write { buffer.initializeMemory(as: UInt8.self, repeating: 0xFF) }
                return done(.masterAbort)
            case .drop:
                return done(.dropped)
            case .none:
                for (p, off, n) in pieces {
                    if write { p.copyMemory(from: scratch.baseAddress! + off, byteCount: n) }
                    else { (buffer.baseAddress! + off).copyMemory(from: scratch.baseAddress! + off, byteCount: n) }
                }
                return done(.ok)
            }
        }
        for (p, off, n) in pieces {
            if write { p.copyMemory(from: buffer.baseAddress! + off, byteCount: n) }
            else { (buffer.baseAddress! + off).copyMemory(from: p, byteCount: n) }
        }
        return done(.ok)
    }
}
