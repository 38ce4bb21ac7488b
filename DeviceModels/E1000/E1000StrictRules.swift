import BoxlessPlatform

/// The e1000 family's strict-mode rules (DESIGN.md, "Strict mode"): what the manuals forbid that
/// real silicon punishes. Each finding's message starts with the rule's ``summary``, then the values
/// involved; sections marked "(inferred)" are recorded as such in Definitions/FACTS.md.
public enum E1000Rule: String, CaseIterable, StrictRule {
    case rctlReserved, rctlBufferSize, rctlThresholdReserved, rctlPacketSplit, tctlReserved
    case interruptReservedBits, eepromWithoutGrant, mdicBusy
    case rxRingWrittenWhileEnabled, txRingWrittenWhileEnabled
    case rxRingMisaligned, txRingMisaligned, rxRingLength, txRingLength
    case rxHeadOutOfRange, rxTailOutOfRange, txHeadOutOfRange, txTailOutOfRange
    case receiverEnabledBeforeRing, transmitterEnabledBeforeRing
    case rxNullBuffer, txNullBuffer
    case legacyLengthTooLong, reservedDescriptorType
    case checksumOffsets, tsoContext, tsoPayloadLength, vlanWithoutVME

    /// `e1000.` and the case name.
    public var id: String { "e1000." + rawValue }

    public var summary: String {
        switch self {
        case .rctlReserved: return "RCTL written with reserved bits set"
        case .rctlBufferSize: return "RCTL.BSEX = 1 with BSIZE = 00b is not a defined buffer size"
        case .rctlThresholdReserved: return "RCTL.RDMTS = 11b is reserved"
        case .rctlPacketSplit: return "RCTL.DTYP selects packet split, which is not modelled (legacy/extended descriptors are used)"
        case .tctlReserved: return "TCTL written with reserved bits set"
        case .interruptReservedBits: return "interrupt mask/cause register written with reserved cause bits"
        case .eepromWithoutGrant: return "EECD SK/CS/DI driven without EECD.EE_REQ / EE_GNT"
        case .mdicBusy: return "MDIC written while the previous MDI access is still in progress (MDIC.R = 0)"
        case .rxRingWrittenWhileEnabled: return "receive ring register written while the receiver (RCTL.EN) is enabled"
        case .txRingWrittenWhileEnabled: return "transmit ring register written while the transmitter (TCTL.EN) is enabled"
        case .rxRingMisaligned: return "RDBAL is not 16-byte aligned"
        case .txRingMisaligned: return "TDBAL is not 16-byte aligned"
        case .rxRingLength: return "RDLEN is not a non-zero multiple of 128 bytes"
        case .txRingLength: return "TDLEN is not a non-zero multiple of 128 bytes"
        case .rxHeadOutOfRange: return "RDH is outside the receive ring"
        case .rxTailOutOfRange: return "RDT is outside the receive ring"
        case .txHeadOutOfRange: return "TDH is outside the transmit ring"
        case .txTailOutOfRange: return "TDT is outside the transmit ring"
        case .receiverEnabledBeforeRing: return "RCTL.EN set before the receive ring (RDBAL/RDBAH/RDLEN) was set up"
        case .transmitterEnabledBeforeRing: return "TCTL.EN set before the transmit ring (TDBAL/TDBAH/TDLEN) was set up"
        case .rxNullBuffer: return "RDT advanced over a receive descriptor with no buffer address"
        case .txNullBuffer: return "TDT advanced over a transmit descriptor with no buffer address"
        case .legacyLengthTooLong: return "legacy transmit descriptor longer than the maximum"
        case .reservedDescriptorType: return "transmit descriptor has DEXT set with a reserved DTYP"
        case .checksumOffsets: return "checksum offload offsets do not fit the packet"
        case .tsoContext: return "TCP segmentation with an unusable context"
        case .tsoPayloadLength: return "TSO context PAYLEN differs from the payload bytes described"
        case .vlanWithoutVME: return "transmit descriptor asks for VLAN insertion (VLE) while CTRL.VME is clear"
        }
    }

    public var reference: String {
        switch self {
        case .rctlReserved: return "8254x SDM §13.4.22 (RCTL reserved bits)"
        case .rctlBufferSize: return "8254x SDM §13.4.22 (BSIZE/BSEX), §3.2.2"
        case .rctlThresholdReserved: return "8254x SDM §13.4.22 (RDMTS)"
        case .rctlPacketSplit: return "82574 DS RCTL.DTYP"
        case .tctlReserved: return "8254x SDM §13.4.33 (inferred), Table 13-76"
        case .interruptReservedBits: return "8254x SDM §13.4.17 Table 13-63, §13.4.20"
        case .eepromWithoutGrant: return "8254x SDM §5.3.1 (software EEPROM access)"
        case .mdicBusy: return "8254x SDM §13.4.7 (MDIC.R), §8.6.2.4"
        case .rxRingWrittenWhileEnabled: return "8254x SDM §13.4.25–13.4.28 (RDBAL/RDBAH/RDLEN/RDH: program while RCTL.EN = 0), §14.4"
        case .txRingWrittenWhileEnabled: return "8254x SDM §13.4.36–13.4.39 (TDBAL/TDBAH/TDLEN/TDH: program while TCTL.EN = 0), §14.5"
        case .rxRingMisaligned: return "8254x SDM §13.4.25 (inferred; RDBAL bits 3:0 ignored)"
        case .txRingMisaligned: return "8254x SDM §13.4.36 (TDBAL bits 3:0 ignored)"
        case .rxRingLength: return "8254x SDM §13.4.27 Table 13-72"
        case .txRingLength: return "8254x SDM §13.4.38 Table 13-81"
        case .rxHeadOutOfRange: return "8254x SDM §13.4.28 Table 13-73"
        case .rxTailOutOfRange: return "8254x SDM §13.4.29 Table 13-74"
        case .txHeadOutOfRange: return "8254x SDM §13.4.39 Table 13-82"
        case .txTailOutOfRange: return "8254x SDM §13.4.40 Table 13-83"
        case .receiverEnabledBeforeRing: return "8254x SDM §14.4 (receive initialization)"
        case .transmitterEnabledBeforeRing: return "8254x SDM §14.5 (transmit initialization)"
        case .rxNullBuffer: return "8254x SDM §3.2.3 (buffer address)"
        case .txNullBuffer: return "8254x SDM §3.3.3 (buffer address)"
        case .legacyLengthTooLong: return "8254x SDM §3.3.3, Table 3-9"
        case .reservedDescriptorType: return "8254x SDM §3.3, Table 3-7"
        case .checksumOffsets: return "8254x SDM §3.3.6 (TCP/IP context descriptor fields)"
        case .tsoContext: return "8254x SDM §3.5, §3.3.6"
        case .tsoPayloadLength: return "8254x SDM §3.3.6 (PAYLEN)"
        case .vlanWithoutVME: return "8254x SDM §3.3.3.1, Table 3-10 (VLE)"
        }
    }
}
