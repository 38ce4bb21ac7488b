/// A function's location: segment, bus, device and function.
public struct PCILocation: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// PCI segment (domain).
    public var segment: UInt16
    /// Bus.
    public var bus: UInt8
    /// Device (slot), 0–31.
    public var device: UInt8
    /// Function, 0–7.
    public var function: UInt8
    /// Creates a location.
    public init(segment: UInt16 = 0, bus: UInt8 = 0, device: UInt8, function: UInt8 = 0) {
        self.segment = segment; self.bus = bus; self.device = device; self.function = function
    }
    public static func < (a: Self, b: Self) -> Bool {
        (a.segment, a.bus, a.device, a.function) < (b.segment, b.bus, b.device, b.function)
    }
    /// `0000:00:03.0`.
    public var description: String {
        func h(_ v: UInt64, _ n: Int) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(h(UInt64(segment), 4)):\(h(UInt64(bus), 2)):\(h(UInt64(device), 2)).\(function)"
    }
}

/// What a function says it is, read from its config header.
public struct PCIIdentity: Hashable, Sendable {
    /// Vendor ID.
    public var vendorID: UInt16
    /// Device ID.
    public var deviceID: UInt16
    /// Subsystem vendor ID.
    public var subsystemVendorID: UInt16
    /// Subsystem ID.
    public var subsystemID: UInt16
    /// Class code: base class, sub-class, programming interface (24 bits).
    public var classCode: UInt32
    /// Revision ID.
    public var revision: UInt8
    /// Creates an identity.
    public init(vendorID: UInt16, deviceID: UInt16, subsystemVendorID: UInt16 = 0, subsystemID: UInt16 = 0,
                classCode: UInt32 = 0, revision: UInt8 = 0) {
        self.vendorID = vendorID; self.deviceID = deviceID; self.subsystemVendorID = subsystemVendorID
        self.subsystemID = subsystemID; self.classCode = classCode; self.revision = revision
    }
}

/// One entry of a driver's match table, like Linux's `struct pci_device_id`: nil fields match anything;
/// the class matches when `identity.classCode & classMask == classCode & classMask`.
public struct PCIMatch: Hashable, Sendable {
    /// Vendor ID, or nil for any.
    public var vendorID: UInt16?
    /// Device ID, or nil for any.
    public var deviceID: UInt16?
    /// Subsystem vendor ID, or nil for any.
    public var subsystemVendorID: UInt16?
    /// Subsystem ID, or nil for any.
    public var subsystemID: UInt16?
    /// Class code to compare under `classMask`.
    public var classCode: UInt32
    /// Which class-code bits matter (0 = class is ignored).
    public var classMask: UInt32
    /// A value the driver gets back in `probe` (e.g. which chip variant matched).
    public var driverData: Int

    /// Creates a match entry.
    public init(vendorID: UInt16? = nil, deviceID: UInt16? = nil, subsystemVendorID: UInt16? = nil,
                subsystemID: UInt16? = nil, classCode: UInt32 = 0, classMask: UInt32 = 0, driverData: Int = 0) {
        self.vendorID = vendorID; self.deviceID = deviceID; self.subsystemVendorID = subsystemVendorID
        self.subsystemID = subsystemID; self.classCode = classCode; self.classMask = classMask; self.driverData = driverData
    }

    /// Matches one vendor/device pair.
    public static func device(_ vendor: UInt16, _ device: UInt16, driverData: Int = 0) -> PCIMatch {
        PCIMatch(vendorID: vendor, deviceID: device, driverData: driverData)
    }

    /// Matches a class code under a mask.
    public static func pciClass(_ classCode: UInt32, mask: UInt32 = 0xFF_FFFF, driverData: Int = 0) -> PCIMatch {
        PCIMatch(classCode: classCode, classMask: mask, driverData: driverData)
    }

    /// Whether `identity` matches this entry.
    public func matches(_ identity: PCIIdentity) -> Bool {
        (vendorID.map { $0 == identity.vendorID } ?? true)
            && (deviceID.map { $0 == identity.deviceID } ?? true)
            && (subsystemVendorID.map { $0 == identity.subsystemVendorID } ?? true)
            && (subsystemID.map { $0 == identity.subsystemID } ?? true)
            && identity.classCode & classMask == classCode & classMask
    }

    /// How specific the entry is; a host prefers the most specific matching entry across drivers
    /// (subsystem over device over vendor over class), then registration order.
    public var specificity: Int {
        (subsystemID != nil ? 16 : 0) + (subsystemVendorID != nil ? 8 : 0) + (deviceID != nil ? 4 : 0)
            + (vendorID != nil ? 2 : 0) + (classMask != 0 ? 1 : 0)
    }
}
