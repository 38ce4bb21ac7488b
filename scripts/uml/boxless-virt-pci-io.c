// SPDX-License-Identifier: GPL-2.0
/*
 * Boxless: PCI port I/O for UML's "PCI over virtio" (arch/um/drivers/virt-pci.c, Linux 6.1).
 *
 * Written for Boxless's Linux host; scripts/build-uml.sh copies this file next to virt-pci.c and
 * includes it there (it uses that file's device table and BAR accessors). Nothing else in the
 * kernel changes except PCI_IOBASE (arch/um/include/asm/io.h), which points at the mapping made
 * here.
 *
 * Stock 6.1 virt-pci gives its host bridge a memory window only, so a device's I/O BAR is never
 * assigned and inb()/outb() on it land on nothing (lib/logic_iomem.c WARNs "Invalid read"). Drivers
 * that need port I/O — Linux's e1000 resets the 82540/82544/82545/82546/82541 through IOADDR/IODATA
 * (8254x SDM §13.2.1, IOADDR/IODATA), because those parts cannot acknowledge the memory write
 * that resets them — then misbehave. This adds:
 *
 *  - an I/O window (ports 0x1000–0xffff) on the host bridge, so the PCI core assigns I/O BARs and
 *    pci_enable_device() sets PCI_COMMAND_IO as on any PC;
 *  - a port space: PCI_IOBASE is a logic_iomem mapping of 64 KiB, so inb(port) reaches
 *    boxless_io_read(port); the port is looked up among the I/O BARs of enabled devices and sent to
 *    the device as an MMIO_READ/MMIO_WRITE on that BAR (virtio_pcidev_msg.bar = the BAR's index,
 *    addr = offset in it) — the device side tells memory from I/O BARs by its own BAR types;
 *  - ports no device decodes read as all ones and swallow writes, as a PC's master abort does.
 */

/* logic_iomem maps only memory resources, so the port space borrows 64 KiB of unused physical
 * address space below virt-pci's config space (0xefff8000) for its mapping. */
#define BOXLESS_IO_PHYS		0xe0000000UL
#define BOXLESS_IO_SPACE	0x10000UL
#define BOXLESS_IO_FIRST_PORT	0x1000UL

void __iomem *um_pci_iobase;
EXPORT_SYMBOL(um_pci_iobase);

static struct resource boxless_io_phys = {
	.name = "virt-pci port space",
	.start = BOXLESS_IO_PHYS,
	.end = BOXLESS_IO_PHYS + BOXLESS_IO_SPACE - 1,
	.flags = IORESOURCE_MEM,
};

static struct resource boxless_io_window = {
	.name = "virt-pci I/O",
	.start = BOXLESS_IO_FIRST_PORT,
	.end = BOXLESS_IO_SPACE - 1,
	.flags = IORESOURCE_IO,
};

/* The I/O BARs of enabled devices: port range, device slot (um_pci_devices index), BAR index. */
struct boxless_io_range {
	unsigned long start, end;
	int slot;
	u8 bar;
	bool used;
};

static struct boxless_io_range boxless_io_ranges[MAX_DEVICES * PCI_STD_NUM_BARS];
static DEFINE_SPINLOCK(boxless_io_lock);

/* Finds the device and BAR decoding [port, port + size); false when no device does. */
static bool boxless_io_find(unsigned int port, int size, struct um_pci_device **dev, u8 **resptr,
			    unsigned int *offset)
{
	unsigned long flags;
	bool found = false;
	int i;

	spin_lock_irqsave(&boxless_io_lock, flags);
	for (i = 0; i < ARRAY_SIZE(boxless_io_ranges); i++) {
		struct boxless_io_range *r = &boxless_io_ranges[i];
		struct um_pci_device *d;

		if (!r->used || port < r->start || port + size - 1 > r->end)
			continue;
		d = um_pci_devices[r->slot].dev;
		if (!d)
			break;
		d->resptr[r->bar] = r->bar;
		*dev = d;
		*resptr = &d->resptr[r->bar];
		*offset = port - r->start;
		found = true;
		break;
	}
	spin_unlock_irqrestore(&boxless_io_lock, flags);
	return found;
}

static unsigned long boxless_io_read(void *priv, unsigned int port, int size)
{
	struct um_pci_device *dev;
	unsigned int offset;
	u8 *resptr;

	if (!boxless_io_find(port, size, &dev, &resptr, &offset))
		return ULONG_MAX;
	return um_pci_bar_read(resptr, offset, size);
}

static void boxless_io_write(void *priv, unsigned int port, int size, unsigned long val)
{
	struct um_pci_device *dev;
	unsigned int offset;
	u8 *resptr;

	if (boxless_io_find(port, size, &dev, &resptr, &offset))
		um_pci_bar_write(resptr, offset, size, val);
}

static const struct logic_iomem_ops boxless_io_ops = {
	.read = boxless_io_read,
	.write = boxless_io_write,
};

static long boxless_io_map(unsigned long offset, size_t size, const struct logic_iomem_ops **ops,
			   void **priv)
{
	*ops = &boxless_io_ops;
	*priv = NULL;
	return offset;
}

static const struct logic_iomem_region_ops boxless_io_region_ops = {
	.map = boxless_io_map,
};

/*
 * Records the device's assigned I/O BARs when a driver enables it (the weak default in
 * drivers/pci/pci.c only enables the resources; so does this, after recording).
 */
int pcibios_enable_device(struct pci_dev *pdev, int bars)
{
	int slot = pdev->devfn / 8;
	unsigned long flags;
	int i, j = 0;

	if (pdev->bus == bridge->bus && slot < MAX_DEVICES) {
		spin_lock_irqsave(&boxless_io_lock, flags);
		for (i = 0; i < ARRAY_SIZE(boxless_io_ranges); i++)
			if (boxless_io_ranges[i].slot == slot)
				boxless_io_ranges[i].used = false;
		for (i = 0; i < PCI_STD_NUM_BARS; i++) {
			struct resource *r = &pdev->resource[i];

			if (!(r->flags & IORESOURCE_IO) || !r->parent || !resource_size(r))
				continue;
			while (j < ARRAY_SIZE(boxless_io_ranges) && boxless_io_ranges[j].used)
				j++;
			if (j == ARRAY_SIZE(boxless_io_ranges))
				break;
			boxless_io_ranges[j] = (struct boxless_io_range) {
				.start = r->start, .end = r->end, .slot = slot, .bar = i, .used = true,
			};
		}
		spin_unlock_irqrestore(&boxless_io_lock, flags);
	}
	return pci_enable_resources(pdev, bars);
}

/* Called by um_pci_init() before the host bridge is probed: maps the port space, adds the window. */
static void boxless_io_init(struct pci_host_bridge *b)
{
	if (WARN_ON(logic_iomem_add_region(&boxless_io_phys, &boxless_io_region_ops)))
		return;
	um_pci_iobase = ioremap(BOXLESS_IO_PHYS, BOXLESS_IO_SPACE);
	if (WARN_ON(!um_pci_iobase))
		return;
	if (WARN_ON(request_resource(&ioport_resource, &boxless_io_window)))
		return;
	pci_add_resource(&b->windows, &boxless_io_window);
}
