#!/bin/sh
# Builds the User-Mode Linux kernel and the busybox initramfs used by the Linux host
# (`--host linux`) into an ignored folder. Nothing built here is committed.
#
# Inputs, all from Debian's packages (installed by `make deps`): linux-source-6.1 (kernel source),
# busybox-static (the initramfs userland). Output: $OUT/linux (UML kernel), $OUT/busybox.
# Usage: scripts/build-uml.sh [OUT]   (default .build-linux)
set -eu
OUT=${1:-.build-linux}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
JOBS=$(nproc 2>/dev/null || echo 2)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CONFIG_STAMP="$OUT/config-options"

# The options the Linux host needs on top of `make ARCH=um defconfig` (issue 6):
# PCI over virtio (vhost-user) with device ID 1234, time-travel, initramfs, the drivers under test.
OPTIONS="--enable VIRTIO_UML --enable UML_PCI_OVER_VIRTIO --set-val UML_PCI_OVER_VIRTIO_DEVICE_ID 1234
 --enable UML_TIME_TRAVEL_SUPPORT --enable BLK_DEV_INITRD --enable PCI --enable PCI_MSI
 --enable NETDEVICES --enable ETHERNET --enable NET_VENDOR_INTEL --enable E1000 --enable E1000E
 --enable NET_VENDOR_REALTEK --enable 8139TOO --enable 8139CP --enable R8169
 --enable ATA --enable SATA_AHCI --enable BLK_DEV_SD --enable SCSI --enable EXT4_FS
 --enable PACKET --enable INET --enable IPV6 --enable DEVTMPFS --enable DEVTMPFS_MOUNT
 --disable RAID6_PQ_BENCHMARK --disable SMP --enable PRINTK_TIME --disable UML_NET --disable HOSTFS
 --disable BLK_DEV_UBD --disable UML_RANDOM --enable DETECT_HUNG_TASK --set-val DEFAULT_HUNG_TASK_TIMEOUT 20"

# Fixes to UML (6.1): three to its PCI-over-virtio glue (arch/um/drivers/virt-pci.c), one to its
# interrupt handling (arch/um/kernel/irq.c); none to any driver:
# 1. The INTx interrupt descriptor it allocates per device has no irq chip, so every request_irq()
#    on a legacy (INTx) interrupt fails with -ENOSYS and a driver without MSI (Linux's e1000) cannot
#    open its interface. We give that descriptor the kernel's dummy chip and the simple flow handler,
#    which is what generic_handle_irq() on an INTx message then runs.
# 2. A config or BAR read uses one per-CPU message buffer and polls the command queue for the
#    completion that carries that buffer. An interrupt handler that reads a register (every NIC's
#    does: ICR) while process context waits for its own read takes the outer read's completion (same
#    buffer), and the outer read then waits out its 40 ms limit ("um virt-pci delay") and returns
#    garbage. We keep interrupts off while a CPU uses that buffer (local_irq_save around the
#    get_cpu_var/put_cpu_var pairs), so register reads from interrupt handlers wait their turn.
# 3. Port I/O: stock virt-pci has no I/O window, so I/O BARs stay unassigned and inb()/outl() reach
#    nothing (Linux's e1000 resets the 82540EM through its I/O BAR). scripts/uml/boxless-virt-pci-io.c
#    (ours) adds an I/O window and a port space that sends port accesses to the device's I/O BAR;
#    it is included into virt-pci.c, called from um_pci_init(), and PCI_IOBASE points at it.
# 4. Lost interrupts in time-travel mode: a SIGIO that arrives while interrupts are off runs only
#    the time-travel handlers and consumes the edge epoll reported for every other descriptor, so
#    that interrupt never runs (a console whose host pipe filled up stops writing for good).
#    scripts/uml/boxless-irq-deferred.c (ours) remembers such descriptors and runs their handlers
#    at the next full SIGIO handling (arch/um/kernel/irq.c).
IO_SOURCE="$HERE/scripts/uml/boxless-virt-pci-io.c"
IRQ_SOURCE="$HERE/scripts/uml/boxless-irq-deferred.c"
FIXES="intx-chip-1 irqsafe-cmd-1 io-ports-$(md5sum < "$IO_SOURCE" | cut -c1-12) irq-deferred-$(md5sum < "$IRQ_SOURCE" | cut -c1-12)"
STAMP="$OPTIONS $FIXES"
apply_fixes() {
  f=arch/um/drivers/virt-pci.c
  cmp -s "$IO_SOURCE" arch/um/drivers/boxless-virt-pci-io.c || cp "$IO_SOURCE" arch/um/drivers/boxless-virt-pci-io.c
  if ! grep -q "boxless: port I/O" "$f"; then
    sed -i -e 's|^static int __init um_pci_init(void)$|#include "boxless-virt-pci-io.c" /* boxless: port I/O */\n\n&|' \
           -e 's|^\(\s*\)pci_add_resource(&bridge->windows, &virt_iomem_resource);$|&\n\1boxless_io_init(bridge); /* boxless: port I/O */|' "$f"
    [ "$(grep -c 'boxless: port I/O' "$f")" = 2 ] || { echo "error: could not apply the port I/O fix to $f" >&2; exit 2; }
  fi
  i=arch/um/kernel/irq.c
  cmp -s "$IRQ_SOURCE" arch/um/kernel/boxless-irq-deferred.c || cp "$IRQ_SOURCE" arch/um/kernel/boxless-irq-deferred.c
  if ! grep -q "boxless: deferred" "$i"; then
    sed -i -e 's|^\tbool wakeup;$|&\n\tbool boxless_deferred; /* boxless: deferred */|' \
           -e 's|^\t\tmark_sigio_pending();$|\t\treg->boxless_deferred = true; /* boxless: deferred */\n&|' \
           -e 's|^static void _sigio_handler(struct uml_pt_regs \*regs,$|#include "boxless-irq-deferred.c" /* boxless: deferred */\n\n&|' \
           -e 's|^\tif (!timetravel_handlers_only)$|\tif (!timetravel_handlers_only) /* boxless: deferred */\n\t\tboxless_run_deferred(regs);\n&|' "$i"
    [ "$(grep -c 'boxless: deferred' "$i")" = 4 ] || { echo "error: could not apply the deferred-interrupt fix to $i" >&2; exit 2; }
  fi
  h=arch/um/include/asm/io.h
  if ! grep -q "boxless: port I/O" "$h"; then
    sed -i 's|^#include <asm-generic/io.h>$|#ifdef CONFIG_UML_PCI_OVER_VIRTIO /* boxless: port I/O through virt-pci */\nextern void __iomem *um_pci_iobase;\n#define PCI_IOBASE um_pci_iobase\n#endif\n\n&|' "$h"
    grep -q "boxless: port I/O" "$h" || { echo "error: could not apply the port I/O fix to $h" >&2; exit 2; }
  fi
  if ! grep -q "boxless: INTx chip" "$f"; then
    sed -i '/um_pci_devices\[free\]\.dev = dev;/a\	irq_set_chip_and_handler(dev->irq, \&dummy_irq_chip, handle_simple_irq); /* boxless: INTx chip */' "$f"
    grep -q "boxless: INTx chip" "$f" || { echo "error: could not apply the INTx fix to $f" >&2; exit 2; }
  fi
  if ! grep -q "boxless: irq-safe buffer" "$f"; then
    sed -i -e 's/^\(\s*\)struct um_pci_message_buffer \*buf;$/&\n\1unsigned long boxless_irqflags; \/* boxless: irq-safe buffer *\//' \
           -e 's/^\(\s*\)buf = get_cpu_var(um_pci_msg_bufs);$/\1local_irq_save(boxless_irqflags);\n&/' \
           -e 's/^\(\s*\)put_cpu_var(um_pci_msg_bufs);$/&\n\1local_irq_restore(boxless_irqflags);/' "$f"
    [ "$(grep -c 'local_irq_save(boxless_irqflags)' "$f")" = 3 ] && [ "$(grep -c 'local_irq_restore(boxless_irqflags)' "$f")" = 3 ] \
      || { echo "error: could not apply the irq-safe command fix to $f" >&2; exit 2; }
  fi
}

if [ -x "$OUT/linux" ] && [ -f "$CONFIG_STAMP" ] && [ "$(cat "$CONFIG_STAMP")" = "$STAMP" ]; then
  echo "UML kernel up to date: $OUT/linux"
else
  [ -f "$SRC_TAR" ] || { echo "error: $SRC_TAR missing (apt-get install linux-source-6.1)" >&2; exit 2; }
  if [ ! -d "$OUT/src" ]; then
    echo "unpacking $SRC_TAR"
    mkdir -p "$OUT/src.tmp" && tar -xf "$SRC_TAR" -C "$OUT/src.tmp" --strip-components=1 && mv "$OUT/src.tmp" "$OUT/src"
  fi
  cd "$OUT/src"
  apply_fixes
  make -s ARCH=um defconfig
  # shellcheck disable=SC2086
  ./scripts/config $OPTIONS
  make -s ARCH=um olddefconfig
  for o in VIRTIO_UML UML_PCI_OVER_VIRTIO UML_TIME_TRAVEL_SUPPORT E1000 E1000E 8139TOO 8139CP R8169 REALTEK_PHY SATA_AHCI BLK_DEV_SD EXT4_FS; do
    grep -q "^CONFIG_$o=y" .config || { echo "error: CONFIG_$o not set after olddefconfig" >&2; exit 2; }
  done
  echo "building UML kernel with $JOBS jobs (about 5 minutes on 2 cores)"
  make -s ARCH=um -j "$JOBS" linux
  cp linux "$OUT/linux.new" && mv "$OUT/linux.new" "$OUT/linux"
  printf '%s' "$STAMP" > "$CONFIG_STAMP"
  echo "UML kernel: $OUT/linux"
fi

BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || { echo "error: $BUSYBOX missing (apt-get install busybox-static)" >&2; exit 2; }
file "$BUSYBOX" 2>/dev/null | grep -q "statically linked" || ldd "$BUSYBOX" 2>&1 | grep -q "not a dynamic" || {
  echo "error: $BUSYBOX is not statically linked (install busybox-static)" >&2; exit 2; }
cp "$BUSYBOX" "$OUT/busybox"
echo "busybox: $OUT/busybox"

# The guest agent (Guest/boxless-agent.c), static so it runs in the busybox initramfs.
gcc -static -O2 -Wall -o "$OUT/boxless-agent.new" "$HERE/Guest/boxless-agent.c"
mv "$OUT/boxless-agent.new" "$OUT/boxless-agent"
echo "agent: $OUT/boxless-agent"

# The guest's random seed (Guest/uml-seed.c), preloaded into UML by the Linux host.
gcc -shared -fPIC -O2 -Wall -o "$OUT/libboxless-seed.so.new" "$HERE/Guest/uml-seed.c"
mv "$OUT/libboxless-seed.so.new" "$OUT/libboxless-seed.so"
echo "seed library: $OUT/libboxless-seed.so"
