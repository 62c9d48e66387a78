// SPDX-License-Identifier: GPL-2.0
/*
 * Incremental garbage collection of expired entries. Busy flows are
 * expired lazily by lookups; the collector finds the idle ones. Each run
 * scans a fixed slice of the buckets and expires at most a bounded
 * number of entries, so that neither its CPU time nor the burst of
 * removals it causes grows with the table.
 */
#include <linux/workqueue.h>

#include "gc.h"
#include "table.h"

#define GC_INTERVAL	(HZ / 10)
#define GC_SLICES	32	/* a full pass every GC_SLICES runs */
#define GC_MAX_EXPIRE	256	/* per run */

static struct delayed_work gc_work;
static unsigned int gc_cursor;

static void gc_run(struct work_struct *work)
{
	unsigned int slice = max(ctrack_hash_size / GC_SLICES, 256U);
	unsigned int expired;

	expired = ctrack_gc_scan(&gc_cursor, slice, GC_MAX_EXPIRE);
	/* Hit the bound: there is more to do right away. */
	queue_delayed_work(system_power_efficient_wq, &gc_work,
			   expired >= GC_MAX_EXPIRE ? 1 : GC_INTERVAL);
}

int ctrack_gc_init(void)
{
	INIT_DEFERRABLE_WORK(&gc_work, gc_run);
	queue_delayed_work(system_power_efficient_wq, &gc_work, GC_INTERVAL);
	return 0;
}

void ctrack_gc_exit(void)
{
	cancel_delayed_work_sync(&gc_work);
}
