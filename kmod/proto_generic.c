// SPDX-License-Identifier: GPL-2.0
/*
 * Every protocol ctrack does not know: tracked by addresses and protocol
 * number alone, with one long timeout.
 */
#include "proto.h"

/* Lockless (see track() in core.c). */
enum ctrack_l4_verdict ctrack_generic_packet(struct ctrack_entry *e,
					     enum ctrack_dir dir,
					     const struct ctrack_net *cnet)
{
	ctrack_entry_refresh(e, READ_ONCE(cnet->timeouts[CTRACK_TO_GENERIC]));
	return CTRACK_L4_ACCEPT;
}
