/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_VERDICT_H
#define _CTRACK_VERDICT_H

#include <linux/skbuff.h>
#include <net/net_namespace.h>

#include "bh.h"
#include "table.h"

/*
 * The verdict ctrack_in() computed for one skb, kept for the hooks that
 * see the same skb later (confirm, the xtables match). See
 * Documentation/design.md, "Verdict handoff".
 */
struct ctrack_verdict {
	const struct sk_buff *skb;
	const struct net *net;
	struct ctrack_entry *entry;	/* a reference owned by the slot, or NULL */
	u64 seq;			/* this CPU's write order, across both rings */
	u32 print;			/* what tells packets of one address apart */
	u8 state;			/* enum ctrack_pkt_state */
	u8 dir;				/* enum ctrack_dir */
	u8 hook;			/* NF_INET_* that computed it */
	bool loopback;			/* confirmed on its way to a loopback device */
};

void ctrack_verdict_set(const struct sk_buff *skb, const struct net *net,
			struct ctrack_entry *e, u8 state, u8 dir, u8 hook);
struct ctrack_verdict *ctrack_verdict_get(const struct sk_buff *skb,
					  const struct net *net);
struct ctrack_verdict *ctrack_verdict_take_loopback(const struct sk_buff *skb,
						    const struct net *net);
struct ctrack_entry *ctrack_verdict_clear(struct ctrack_verdict *v);
struct ctrack_entry *ctrack_verdict_refused(const struct net *net,
					    const struct ctrack_tuple *t);
void ctrack_verdict_release(const struct net *net);
void ctrack_verdict_release_exiting(void);
int ctrack_verdict_init(void);
void ctrack_verdict_exit(void);

#endif /* _CTRACK_VERDICT_H */
