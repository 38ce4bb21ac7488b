// SPDX-License-Identifier: GPL-2.0
/*
 * Boxless: interrupts UML's time-travel mode would lose (arch/um/kernel/irq.c, Linux 6.1).
 *
 * Written for Boxless's Linux host; scripts/build-uml.sh copies this file next to irq.c and
 * includes it there. UML learns which host descriptor is ready from an edge-triggered epoll set
 * (EPOLLET, arch/um/os-Linux/irq.c). In external time-travel mode a SIGIO that arrives while
 * interrupts are off (e.g. while the guest idles, waiting for the time controller) runs only the
 * time-travel handlers; for every other ready descriptor it marks SIGIO pending — but it has
 * already taken the one edge epoll reports, so when interrupts come back on and the pending SIGIO
 * is handled, epoll reports nothing and that interrupt is lost. A console whose host pipe was full
 * (the line driver waits for its write interrupt) then never writes again: the guest's writer
 * blocks for good.
 *
 * The fix remembers such a descriptor (irq_reg.boxless_deferred, set where the SIGIO was only
 * marked pending) and runs its handler at the end of the next full SIGIO handling.
 */
static void boxless_run_deferred(struct uml_pt_regs *regs)
{
	struct irq_reg *found;
	struct irq_entry *entry;
	unsigned long flags;
	enum um_irq_type t;

	do {
		found = NULL;
		spin_lock_irqsave(&irq_lock, flags);
		list_for_each_entry(entry, &active_fds, list) {
			for (t = 0; t < NUM_IRQ_TYPES && !found; t++) {
				if (entry->reg[t].boxless_deferred) {
					entry->reg[t].boxless_deferred = false;
					found = &entry->reg[t];
				}
			}
			if (found)
				break;
		}
		spin_unlock_irqrestore(&irq_lock, flags);
		/* Entries leave active_fds but are freed only by free_irqs(), after this. */
		if (found && found->events)
			irq_io_loop(found, regs);
	} while (found);
}
