// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 queries (echo, timestamp, information, address mask,
 * node information): a request opens an entry keyed by its identifier,
 * the reply matches it. Errors are not handled here: they are RELATED to
 * the entry of the packet they quote (see core.c).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>

#include "proto.h"

/* Only a request may start an entry: a reply or an unknown type cannot. */
bool ctrack_icmp_new(const struct ctrack_tuple *t)
{
	u8 type = t->dp.icmp.type;

	if (t->l3num == NFPROTO_IPV4)
		return type == ICMP_ECHO || type == ICMP_TIMESTAMP ||
		       type == ICMP_INFO_REQUEST || type == ICMP_ADDRESS;
	return type == ICMPV6_ECHO_REQUEST || type == ICMPV6_NI_QUERY;
}

/* Lockless (see track() in core.c). */
enum ctrack_l4_verdict ctrack_icmp_packet(struct ctrack_entry *e,
					  enum ctrack_dir dir,
					  const struct ctrack_net *cnet)
{
	enum ctrack_timeout to = e->tuple.l3num == NFPROTO_IPV4 ?
				 CTRACK_TO_ICMP : CTRACK_TO_ICMPV6;

	ctrack_entry_refresh(e, READ_ONCE(cnet->timeouts[to]));
	return CTRACK_L4_ACCEPT;
}
