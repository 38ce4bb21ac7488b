import BoxlessPlatform

/// The platform register map of BAR0, so findings name registers as the manuals do.
///
/// It holds every register of `E1000Register` the chip has, the MTA/RAL/RAH/VFTA arrays, and a few
/// more registers real drivers touch (listed in ``extras``). Offsets that hit none of them are
/// reserved: they read 0 and ignore writes, as the manuals' reserved space does, without a finding
/// (drivers' register dumps walk through them).
enum E1000RegisterMap {
    /// Registers outside `E1000Register` that drivers read or write (Linux e1000/e1000e register
    /// lists; SDM §13.4 and §13.8 for the 8254x ones).
    static let extras: [(name: String, offset: UInt32, chip: E1000Availability, access: RegisterAccess)] = [
        ("FLA", 0x0001C, .only82574L, .readWrite),
        ("TXCW", 0x00178, .both, .readWrite),
        ("RXCW", 0x00180, .both, .readOnly),
        ("AIT", 0x00458, .both, .readWrite),
        ("EXTCNF_CTRL", 0x00F00, .only82574L, .readWrite),
        ("POEMB", 0x00F10, .only82574L, .readWrite),
        ("EEMNGCTL", 0x01010, .only82574L, .readWrite),
        ("RDFH", 0x02410, .both, .readWrite), ("RDFT", 0x02418, .both, .readWrite),
        ("RDFHS", 0x02420, .both, .readWrite), ("RDFTS", 0x02428, .both, .readWrite),
        ("RDFPC", 0x02430, .both, .readWrite),
        ("TXDMAC", 0x03000, .only82540EM, .readWrite),
        ("KABGTXD", 0x03004, .only82574L, .readWrite),
        ("TDFH", 0x03410, .both, .readWrite), ("TDFT", 0x03418, .both, .readWrite),
        ("TDFHS", 0x03420, .both, .readWrite), ("TDFTS", 0x03428, .both, .readWrite),
        ("TDFPC", 0x03430, .both, .readWrite),
        ("IPAV", 0x05838, .both, .readWrite),
    ]

    /// EEMNGCTL.CFG_DONE_PORT_0 (bit 18): the manageability configuration cycle finished; Linux
    /// e1000e waits for it after a PHY reset on the 82574 (`E1000_NVM_CFG_DONE_PORT_0`).
    static let cfgDonePort0: UInt32 = 1 << 18

    static let map82540EM = build(.i82540EM)
    static let map82574L = build(.i82574L)

    static func map(for chip: E1000Chip) -> RegisterMap { chip == .i82540EM ? map82540EM : map82574L }

    private static func build(_ chip: E1000Chip) -> RegisterMap {
        var regs: [RegisterInfo] = []
        for r in E1000Register.allCases where r.availability.includes(chip) {
            let access: RegisterAccess
            switch r {
            case .ICR, .WUS: access = .writeOneToClear
            case .STATUS: access = chip == .i82540EM ? .readOnly : .readWrite
            case .FWSM: access = .readOnly
            case .ICS, .IMC: access = .writeOnly
            default: access = r.isStatistic ? .readToClear : .readWrite
            }
            regs.append(RegisterInfo("\(r)", offset: UInt64(r.rawValue), access: access))
        }
        for a in E1000RegisterArray.allCases {
            for i in 0..<a.count { regs.append(RegisterInfo("\(a)[\(i)]", offset: UInt64(a.offset(i)!))) }
        }
        if chip == .i82574L {
            for i in 0..<32 { regs.append(RegisterInfo("RETA[\(i)]", offset: UInt64(0x05C00 + 4 * i))) }
            for i in 0..<10 { regs.append(RegisterInfo("RSSRK[\(i)]", offset: UInt64(0x05C80 + 4 * i))) }
        }
        for e in extras where e.chip.includes(chip) {
            regs.append(RegisterInfo(e.name, offset: UInt64(e.offset), access: e.access))
        }
        return RegisterMap(regs, undefinedIsFinding: false)
    }
}
