import E1000Model

/// The e1000 family's models have an Ethernet port.
extension E1000Device: EthernetDeviceModel {}
