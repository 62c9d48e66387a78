// SPDX-License-Identifier: GPL-2.0
/*
 * Incremental garbage collection of expired entries. Busy flows are
 * expired lazily by lookups; the collector finds the idle ones. Each run
 * scans a fixed slice of the buckets and expires at most a bounded
 * number of entries, so that neither its CPU time nor the burst of
 * removals it causes grows with the table. The pace adapts to what the
 * table holds (see gc.h): a pass takes about the shortest lifetime left
 * of the entries it saw, so that idle flows go within about their
 * timeout, and a table of a million long-lived flows costs a scan a
 * minute rather than several a second.
 */
#include <linux/workqueue.h>

#include "gc.h"
#include "table.h"

#define GC_SLICES	32	/* a full pass every GC_SLICES runs */
#define GC_MAX_EXPIRE	256	/* per run */

unsigned long ctrack_gc_pass __read_mostly = CTRACK_GC_PASS_MIN;

static struct delayed_work gc_work;
static unsigned int gc_cursor;
static unsigned long pass_left = ULONG_MAX;	/* shortest lifetime left seen */
static unsigned long pass_start_len = CTRACK_GC_PASS_MIN;

static void gc_run(struct work_struct *work)
{
	unsigned int slice = max(ctrack_hash_size / GC_SLICES, 256U);
	unsigned int expired, before = gc_cursor;
	unsigned long left = ULONG_MAX, len;

	expired = ctrack_gc_scan(&gc_cursor, slice, GC_MAX_EXPIRE, &left);
	pass_left = min(pass_left, left);
	if (gc_cursor <= before) {
		/*
		 * A pass ended: the next one takes the shortest lifetime left
		 * that this one saw, or less if a shorter timeout was hinted
		 * meanwhile (an entry in a part already scanned).
		 */
		len = clamp_t(unsigned long, pass_left, CTRACK_GC_PASS_MIN,
			      CTRACK_GC_PASS_MAX);
		if (READ_ONCE(ctrack_gc_pass) < pass_start_len)
			len = min(len, READ_ONCE(ctrack_gc_pass));
		WRITE_ONCE(ctrack_gc_pass, len);
		pass_start_len = len;
		pass_left = ULONG_MAX;
	}
	/* Hit the bound: there is more to do right away. */
	queue_delayed_work(system_power_efficient_wq, &gc_work,
			   expired >= GC_MAX_EXPIRE ? 1 :
			   READ_ONCE(ctrack_gc_pass) / GC_SLICES);
}

int ctrack_gc_init(void)
{
	INIT_DEFERRABLE_WORK(&gc_work, gc_run);
	queue_delayed_work(system_power_efficient_wq, &gc_work,
			   CTRACK_GC_PASS_MIN / GC_SLICES);
	return 0;
}

void ctrack_gc_exit(void)
{
	cancel_delayed_work_sync(&gc_work);
}
