/// The shell scripts (busybox `sh`) the Linux host's jobs run in the guest. Each reports with `say`
/// (see ``LinuxGuestImage``), one fact per line, first word the key.
public enum LinuxJobScripts {
    /// Finds the PCI function the guest bound, reports its driver and interrupt mode:
    /// `PCI <vendor:device> <driver> <msi|msix|intx>`.
    static let reportPCI = """
        for d in /sys/bus/pci/devices/*; do
          drv=none; [ -e $d/driver ] && drv=$(basename $(readlink $d/driver))
          mode=intx
          if [ -d $d/msi_irqs ] && [ -n "$(ls $d/msi_irqs)" ]; then mode=$(cat $d/msi_irqs/* | sort -u | tr '\\n' ' '); fi
          say PCI $(cat $d/vendor):$(cat $d/device) $drv $mode
        done

        """

    /// Brings the first Ethernet interface up, promiscuous, with IPv6 off (so the guest sends
    /// nothing of its own), and waits for carrier: `IFACE <name> <driver>`, `LINK <speed> <duplex>`.
    ///
    /// `net.core.gro_normal_batch = 1`: Linux hands received frames to the stack in lists, and in a
    /// list a packet socket is served inline for frames another protocol also takes (IPv4) but at
    /// the end of the list for frames only it takes (EAPOL, frames for other hosts), so the agent
    /// would see them reordered (net/core/dev.c, __netif_receive_skb_list_core). One-frame lists
    /// keep the NIC's order.
    static let networkUp = """
        for f in /proc/sys/net/ipv6/conf/all/disable_ipv6 /proc/sys/net/ipv6/conf/default/disable_ipv6; do echo 1 > $f; done
        echo 1 > /proc/sys/net/core/gro_normal_batch || { say ERROR cannot set net.core.gro_normal_batch; exit 1; }
        IF=
        for n in /sys/class/net/*; do [ -e $n/device ] && IF=$(basename $n) && break; done
        [ -n "$IF" ] || { say ERROR no network interface; exit 1; }
        say IFACE $IF $(basename $(readlink /sys/class/net/$IF/device/driver))
        ip link set $IF promisc on
        ip link set $IF up || { say ERROR ip link up failed; exit 1; }
        i=0
        while [ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" != 1 ]; do
          i=$((i+1)); [ $i -gt 300 ] && { say ERROR no carrier after 30 s; exit 1; }
          sleep 0.1
        done
        say LINK $(cat /sys/class/net/$IF/speed) $(cat /sys/class/net/$IF/duplex)

        """

    /// Reports the interface's counters: `STAT <name> <value>`.
    static let networkStatistics = """
        for s in /sys/class/net/$IF/statistics/*; do say STAT $(basename $s) $(cat $s); done

        """
}

extension LinuxJobScripts {
    /// For tests: ``networkUp``.
    public static var networkUpForTests: String { networkUp }
    /// For tests: ``reportPCI``.
    public static var reportPCIForTests: String { reportPCI }
}
