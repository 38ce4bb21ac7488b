import NativeDriverKit

/// One descriptor ring and its buffers (datasheet §4): coherent descriptors, 128-byte aligned,
/// and one streaming buffer of ``Desc/bufferSize`` per descriptor, mapped for the ring's direction.
struct Ring {
    let descriptors: DMABuffer
    let buffers: [DMABuffer]
    let addresses: [BusAddress]
    var count: Int { buffers.count }

    /// Allocates and maps everything, or releases what it took and throws.
    init(count: Int, direction: DMADirection, dma: any DMAAllocator) throws(DriverError) {
        descriptors = try dma.allocateCoherent(size: count * Desc.size, alignment: 128)
        var buffers: [DMABuffer] = [], addresses: [BusAddress] = []
        do {
            for _ in 0..<count {
                let b = try dma.allocateStreaming(size: Desc.bufferSize)
                buffers.append(b)
                addresses.append(try dma.map(b, direction: direction))
            }
        } catch {
            for (i, b) in buffers.enumerated() {
                if i < addresses.count { dma.unmap(b) }
                dma.free(b)
            }
            dma.free(descriptors)
            throw error
        }
        self.buffers = buffers; self.addresses = addresses
    }

    /// Unmaps and frees everything.
    func release(_ dma: any DMAAllocator) {
        for b in buffers { dma.unmap(b); dma.free(b) }
        dma.free(descriptors)
    }

    /// Writes descriptor `i` as the driver hands it to the device: ADDR, LENGTH, STATUS = 0.
    func post(_ i: Int, length: Int = 0) {
        descriptors.store64(i * Desc.size + Desc.addr, addresses[i].rawValue)
        descriptors.store16(i * Desc.size + Desc.length, UInt16(length))
        descriptors.store8(i * Desc.size + Desc.status, 0)
    }

    /// STATUS of descriptor `i`.
    func status(_ i: Int) -> UInt8 { descriptors.load8(i * Desc.size + Desc.status) }

    /// LENGTH of descriptor `i`.
    func length(_ i: Int) -> Int { Int(descriptors.load16(i * Desc.size + Desc.length)) }
}
