/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_BH_H
#define _CTRACK_BH_H

#include <linux/bottom_half.h>
#include <linux/preempt.h>

/*
 * Verdict slots and bucket locks are touched with BHs off. The packet
 * path mostly runs in softirq, where they are off already and toggling
 * them would cost a check for pending softirqs each time: ctrack_bh_off()
 * turns them off only where they are on, and says whether
 * ctrack_bh_restore() is to turn them on again.
 */
static inline bool ctrack_bh_off(void)
{
	if (in_softirq())
		return false;
	local_bh_disable();
	return true;
}

static inline void ctrack_bh_restore(bool turned_off)
{
	if (turned_off)
		local_bh_enable();
}

#endif /* _CTRACK_BH_H */
