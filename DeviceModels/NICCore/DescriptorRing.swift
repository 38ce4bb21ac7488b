import BoxlessPlatform

/// Index arithmetic of a descriptor ring (DESIGN.md, "NIC core"): `count` descriptors of
/// `descriptorSize` bytes from `base`, a hardware index (`head`: the next descriptor the device
/// fetches) and, for head/tail rings, a software index (`tail`: one past the last descriptor handed
/// to the device; Intel SDM §3.2.6, §3.3.1). Rings marked by an end-of-ring bit instead of a length
/// (Realtek's EOR, RTL8139C+ / RTL8169 datasheets §"Descriptor") keep `count` as the index the EOR
/// descriptor was found at, plus one. A value type: the model keeps it and the registers stay the truth.
public struct DescriptorRing: Sendable, Equatable {
    /// Bus address of descriptor 0.
    public var base: UInt64
    /// Descriptors in the ring.
    public var count: UInt32
    /// Bytes per descriptor.
    public var descriptorSize: UInt32
    /// Creates a ring.
    @inlinable public init(base: UInt64, count: UInt32, descriptorSize: UInt32) {
        self.base = base; self.count = count; self.descriptorSize = descriptorSize
    }

    /// Bus address of descriptor `index`.
    @inlinable public func address(of index: UInt32) -> BusAddress {
        BusAddress(base &+ UInt64(index) &* UInt64(descriptorSize))
    }

    /// The index after `index`, wrapping at the end.
    @inlinable public func next(_ index: UInt32) -> UInt32 { index &+ 1 >= count ? 0 : index &+ 1 }

    /// Descriptors the device owns on a head/tail ring: `head` up to (not including) `tail`. Zero
    /// when either index is outside the ring (a driver bug the model reports separately).
    @inlinable public func owned(head: UInt32, tail: UInt32) -> UInt32 {
        guard count > 0, head < count, tail < count else { return 0 }
        return tail >= head ? tail &- head : tail &+ count &- head
    }

    /// How many descriptors one burst fetches from `head`: at most `limit`, never past the end of
    /// the ring (a burst is one contiguous read), never more than `available`.
    @inlinable public func burst(from head: UInt32, available: UInt32, limit: Int) -> Int {
        guard head < count else { return 0 }
        return Int(min(available, count &- head, UInt32(clamping: limit)))
    }
}
