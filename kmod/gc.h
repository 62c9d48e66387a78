/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_GC_H
#define _CTRACK_GC_H

#include <linux/jiffies.h>
#include <linux/minmax.h>

/*
 * How long a full pass of the collector takes, in jiffies: about the
 * shortest lifetime left of what it saw in the table, between 3.2 s and
 * 60 s. A table of long-lived flows is then scanned about once a minute,
 * as nf_conntrack does, instead of costing a share of a CPU.
 */
#define CTRACK_GC_PASS_MIN	(HZ * 32 / 10)
#define CTRACK_GC_PASS_MAX	(60 * HZ)

extern unsigned long ctrack_gc_pass;

/*
 * An entry got @timeout jiffies to live: if that is shorter than a pass,
 * passes get shorter at once, so that its expiry is not found late.
 * Writes only when it lowers the pass: on the packet path, a read.
 */
static inline void ctrack_gc_hint(unsigned long timeout)
{
	unsigned long t = max_t(unsigned long, timeout, CTRACK_GC_PASS_MIN);

	if (unlikely(t < READ_ONCE(ctrack_gc_pass)))
		WRITE_ONCE(ctrack_gc_pass, t);
}

int ctrack_gc_init(void);
void ctrack_gc_exit(void);

#endif /* _CTRACK_GC_H */
