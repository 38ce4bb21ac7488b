import BoxlessPlatform

/// A NIC model as the runner sees it: a PCI device model with an Ethernet port, a station address
/// and named statistics. Every NIC family conforms (e1000, RTL8139, RTL8168, a user's own), so
/// replay, checks, faults and every host treat them alike.
public protocol NICModel: PCIDeviceModel, NICStatisticsSource {
    /// The MAC's side of the link (exists once the model is attached to a function).
    var port: EthernetPort! { get }
    /// The station address the device loads at power-on (from its EEPROM / NVM).
    var macAddress: [UInt8] { get }
}
