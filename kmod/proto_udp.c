// SPDX-License-Identifier: GPL-2.0
/*
 * UDP and UDP-Lite: no state on the wire, so only time tells. A flow that
 * was answered and is still alive after 2 seconds is a stream: it gets the
 * long timeout and becomes ASSURED (a one-shot query and its answer, such
 * as DNS, do not).
 */
#include "proto.h"

#define UDP_STREAM_AFTER (2 * HZ)

void ctrack_udp_new(struct ctrack_entry *e)
{
	e->udp_stream_ts = (u32)jiffies + UDP_STREAM_AFTER;
}

/*
 * Lockless (see track() in core.c). @changed is set when this packet made
 * the flow ASSURED.
 */
enum ctrack_l4_verdict ctrack_udp_packet(struct ctrack_entry *e,
					 enum ctrack_dir dir,
					 const struct ctrack_net *cnet,
					 bool *changed)
{
	bool replied = dir == CTRACK_DIR_REPLY ||
		       test_bit(CTRACK_S_SEEN_REPLY_BIT, &e->status);

	if (replied && (s32)((u32)jiffies - e->udp_stream_ts) > 0) {
		ctrack_entry_refresh(e, READ_ONCE(cnet->timeouts[CTRACK_TO_UDP_STREAM]));
		if (ctrack_status_set(e, CTRACK_S_ASSURED_BIT))
			*changed = true;
	} else {
		ctrack_entry_refresh(e, READ_ONCE(cnet->timeouts[CTRACK_TO_UDP]));
	}
	return CTRACK_L4_ACCEPT;
}
