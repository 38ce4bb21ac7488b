import BoxlessPlatform

/// One Boxless PCI function served to UML's "PCI over virtio" driver (Linux arch/um/drivers/virt-pci.c)
/// through a vhost-user connection: queue 0 carries the guest's config-space and BAR accesses
/// (`struct virtio_pcidev_msg`, include/uapi/linux/virtio_pcidev.h), queue 1 carries interrupts
/// back (INTx and MSI/MSI-X messages).
///
/// Accesses go through the machine exactly as our own hosts' do: config space through
/// ``Machine/configRead(_:offset:width:)``, BARs through the memory decode at the address software
/// assigned (so a BAR the guest has not enabled is a master abort and a finding). Device DMA reaches
/// the guest's shared memory through the function's IOMMU domain, which maps exactly the guest RAM
/// the front end shared: DMA anywhere else is a finding.
public final class VirtualPCIDevice {
    /// virtio_pcidev_ops.
    public enum Op: UInt8, Sendable {
        case reserved = 0, cfgRead, cfgWrite, mmioRead, mmioWrite, mmioMemset, int, msi, pme
    }
    /// Size of `struct virtio_pcidev_msg` before its data.
    static let headerSize = 16

    /// The function served.
    public let function: PCIFunction
    /// The vhost-user connection (queue 0: commands, queue 1: interrupts).
    public let connection: VhostUserConnection
    unowned(unsafe) let machine: Machine
    private var pendingInterrupts: [[UInt8]] = []
    /// Commands served (for the report).
    public private(set) var commandsServed = 0
    /// Interrupt messages sent.
    public private(set) var interruptsSent = 0
    /// Interrupt messages waiting for the guest to post a buffer.
    public var interruptsPending: Int { pendingInterrupts.count }
    private var mappedGuestMemory: [BusAddress] = []
    /// Runs after an in-band kick was served, before it is acknowledged (the host settles the
    /// notifications it caused there, in time-travel mode).
    public var afterKick: (() throws(LinuxHostError) -> Void)?

    /// Serves `function` of `machine` on a vhost-user socket at `socketPath`.
    public init(function: PCIFunction, machine: Machine, socketPath: String) throws(LinuxHostError) {
        self.function = function
        self.machine = machine
        connection = try VhostUserConnection(path: socketPath, queueCount: 2)
        connection.memoryChanged = { [unowned self] in self.mapGuestMemory() }
        connection.kicked = { [unowned self] (q: Int) throws(LinuxHostError) in
            if q == 0 { try self.serveCommands() } else { try self.serveInterruptQueue() }
            try self.afterKick?()
        }
    }

    /// Maps the guest's RAM into the function's IOMMU domain, identity (bus address = guest physical
    /// address, which is what UML's DMA API hands drivers).
    private func mapGuestMemory() {
        for b in mappedGuestMemory { function.iommu.unmap(b, at: machine.now) }
        mappedGuestMemory.removeAll()
        for r in connection.memory.guestRanges {
            let start = (r.guestAddress + PhysicalMemory.pageSize - 1) & ~(PhysicalMemory.pageSize - 1)
            let end = (r.guestAddress + r.size) & ~(PhysicalMemory.pageSize - 1)
            guard end > start else { continue }
            let bus = BusAddress(start)
            function.iommu.map(bus, length: end - start, physical: PhysicalAddress(rawValue: start),
                               pointer: r.pointer + Int(start - r.guestAddress), direction: .bidirectional,
                               at: machine.now, label: "UML guest RAM")
            mappedGuestMemory.append(bus)
        }
    }

    /// Serves every command the guest queued (call when queue 0's kick descriptor is readable).
    public func serveCommands() throws(LinuxHostError) {
        let q = connection.queues[0]
        q.drainKick()
        var notify = false
        while let chain = try q.pop(memory: connection.memory) {
            let bytes = chain.readableBytes()
            var reply: [UInt8] = []
            if bytes.count >= Self.headerSize {
                reply = execute(bytes)
            } else {
                function.finding(.configAccess, "virt-pci command of \(bytes.count) bytes is shorter than its header")
            }
            let written = reply.withUnsafeBytes { chain.writeWritable($0) }
            notify = q.push(chain.head, written: written) || notify
            commandsServed += 1
        }
        if notify { try connection.notify(queue: 0) }
    }

    /// Sends pending interrupts into buffers the guest posted (call when queue 1's kick is readable).
    public func serveInterruptQueue() throws(LinuxHostError) {
        connection.queues[1].drainKick()
        try flushInterrupts()
    }

    private func execute(_ m: [UInt8]) -> [UInt8] {
        let op = Op(rawValue: m[0]) ?? .reserved
        let bar = Int(m[1])
        let size = Int(m.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self) })
        let addr = m.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }
        let data = Array(m[Self.headerSize...])
        switch op {
        case .cfgRead:
            guard let w = AccessWidth(bytes: size) else { return allOnes(size) }
            if w == .qword {
                let lo = UInt64(machine.configRead(function.address, offset: Int(addr), width: .dword))
                let hi = UInt64(machine.configRead(function.address, offset: Int(addr) + 4, width: .dword))
                return le(lo | hi << 32, 8)
            }
            return le(UInt64(machine.configRead(function.address, offset: Int(addr), width: w)), size)
        case .cfgWrite:
            guard let w = AccessWidth(bytes: size), data.count >= size else { return [] }
            let v = value(data, size)
            if w == .qword {
                machine.configWrite(function.address, offset: Int(addr), width: .dword, value: UInt32(truncatingIfNeeded: v))
                machine.configWrite(function.address, offset: Int(addr) + 4, width: .dword, value: UInt32(truncatingIfNeeded: v >> 32))
            } else {
                machine.configWrite(function.address, offset: Int(addr), width: w, value: UInt32(truncatingIfNeeded: v))
            }
            return []
        case .mmioRead:
            var out: [UInt8] = []
            forEachPiece(bar: bar, offset: addr, size: size) { a, w, io in out += le(read(a, w, io: io), w.bytes) }
            return out
        case .mmioWrite:
            guard data.count >= size else { return [] }
            var i = 0
            forEachPiece(bar: bar, offset: addr, size: size) { a, w, io in
                write(a, w, io: io, value(data[i..<i + w.bytes], w.bytes)); i += w.bytes
            }
            return []
        case .mmioMemset:
            guard let b = data.first else { return [] }
            forEachPiece(bar: bar, offset: addr, size: size) { a, w, io in
                write(a, w, io: io, value(repeatElement(b, count: w.bytes), w.bytes))
            }
            return []
        default:
            function.finding(.configAccess, "virt-pci command with operation \(m[0]) is not a device operation")
            return []
        }
    }

    /// Splits an access of `size` bytes at BAR `bar` + `offset` into naturally aligned pieces of at
    /// most 8 bytes (a copy_fromio of odd length arrives as one message), each with its address in
    /// the BAR's space and whether that space is port I/O (the guest kernel's virt-pci sends port
    /// accesses to an I/O BAR as MMIO_READ/MMIO_WRITE on that BAR; scripts/uml/ adds that path).
    private func forEachPiece(bar: Int, offset: UInt64, size: Int, _ body: (UInt64, AccessWidth, Bool) -> Void) {
        guard bar < 6, let declared = function.bar(bar) else {
            function.finding(.accessOutOfRange, "guest access to BAR\(bar), which the device does not have")
            return
        }
        let base = function.barBase(bar)
        let io = !declared.kind.isMemory
        var o = offset, left = size
        while left > 0 {
            var w = io ? 4 : 8  // port I/O is at most a dword wide
            while w > 1 && (w > left || o % UInt64(w) != 0) { w /= 2 }
            body(base &+ o, AccessWidth(bytes: w)!, io)
            o += UInt64(w); left -= w
        }
    }

    /// One register read in the BAR's space (port I/O or memory).
    private func read(_ a: UInt64, _ w: AccessWidth, io: Bool) -> UInt64 {
        io ? machine.ioRead(a, width: w) : machine.mmioRead(a, width: w)
    }

    /// One register write in the BAR's space (port I/O or memory).
    private func write(_ a: UInt64, _ w: AccessWidth, io: Bool, _ v: UInt64) {
        if io { machine.ioWrite(a, width: w, value: v) } else { machine.mmioWrite(a, width: w, value: v) }
    }

    /// Queues an MSI/MSI-X message: UML's MSI domain uses the Linux IRQ number as the message data
    /// (virt-pci.c, um_pci_compose_msi_msg), so the data is forwarded as is.
    public func signalMessage(address: UInt64, data: UInt32) {
        var m = header(.msi, size: 4, addr: address)
        m += le(UInt64(data), 4)
        pendingInterrupts.append(m)
        try? flushInterrupts()
    }

    /// Queues an INTx assertion of the function's pin (VIRTIO_PCIDEV_OP_INT, addr = pin 1–4).
    public func signalINTx() {
        let pin = UInt64(function.deviceReadConfig(0x3D, .byte))
        pendingInterrupts.append(header(.int, size: 0, addr: pin))
        try? flushInterrupts()
    }

    private func flushInterrupts() throws(LinuxHostError) {
        let q = connection.queues[1]
        var notify = false
        while !pendingInterrupts.isEmpty, let chain = try q.pop(memory: connection.memory) {
            let m = pendingInterrupts.removeFirst()
            let n = m.withUnsafeBytes { chain.writeWritable($0) }
            notify = q.push(chain.head, written: n) || notify
            interruptsSent += 1
        }
        if notify { try connection.notify(queue: 1) }
    }

    private func header(_ op: Op, size: UInt32, addr: UInt64) -> [UInt8] {
        [op.rawValue, 0, 0, 0] + le(UInt64(size), 4) + le(addr, 8)
    }
    private func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
    /// The little-endian value of the first `n` (at most 8) bytes of `b`.
    private func value<C: Collection<UInt8>>(_ b: C, _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for (k, byte) in b.prefix(min(n, 8)).enumerated() { v |= UInt64(byte) << (8 * UInt64(k)) }
        return v
    }
    private func allOnes(_ n: Int) -> [UInt8] { [UInt8](repeating: 0xFF, count: max(0, min(n, 8))) }
}
