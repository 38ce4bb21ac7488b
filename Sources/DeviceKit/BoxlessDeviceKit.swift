// BoxlessDeviceKit: what a device model sees (DESIGN.md, "Device models"), as one product for
// people who model a chip Boxless lacks.
//
// - The platform's device side (BoxlessPlatform): `PCIDeviceModel`, `ConfigSpaceBuilder` and its
//   capabilities (power management, MSI, MSI-X, PCI Express, VPD, AER, …), `BARDeclaration`,
//   `RegionAccessRules`, `RegisterMap`, the DMA port (`PCIFunction.dmaRead`/`dmaWrite`/`dmaLoad`/
//   `dmaStore`), interrupts (`setINTx`, `signalMSI`, `signalMSIX`), the scheduler and virtual time
//   (`schedule(after:)`, `VirtualTime`, `VirtualDuration`), bus timing, typed strict rules
//   (`StrictRule`, `strictFinding`), fault hooks (`DeviceFaultHooks`) and the Ethernet port.
// - The NIC core (NICCore): `NICModel`, named statistics and drop reasons, descriptor-ring
//   arithmetic, the RX FIFO, the MII PHY, Ethernet CRC, Internet checksums, frame parsing and TCP
//   segmentation.
//
// A model imports this module and nothing else of Boxless; it never sees a driver or a host.
@_exported import BoxlessPlatform
@_exported import NICCore
