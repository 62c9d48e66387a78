// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: classify at PREROUTING and OUTPUT, confirm new entries
 * at INPUT and POSTROUTING. ctrack never drops a packet for what it is;
 * only a full table with nothing to evict drops (and counts) a new flow.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/netdevice.h>
#include <linux/udp.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "core.h"
#include "proto.h"
#include "verdict.h"
#include "netlink.h"

/* Verify the L4 checksum (PREROUTING only, as nf_conntrack does). */
static bool csum_bad(struct sk_buff *skb, const struct ctrack_pkt *pkt,
		     unsigned int hook, u8 family)
{
	u8 proto = pkt->tuple.proto;

	switch (proto) {
	case IPPROTO_UDP: {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, pkt->l4off, sizeof(_uh), &_uh);
		/*
		 * IPv4 lets UDP go without a checksum, and IPv6 lets
		 * tunnels do so (RFC 6935), which a router cannot tell
		 * from other flows: as nf_conntrack, ctrack verifies no
		 * zero checksum in either family and leaves the verdict
		 * to the receiver.
		 */
		if (!uh || !uh->check)
			return false;
		fallthrough;
	}
	case IPPROTO_TCP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return nf_checksum(skb, hook, pkt->l4off, proto, family) != 0;
	case IPPROTO_UDPLITE: {
		struct udphdr _uh;
		const struct udphdr *uh;
		unsigned int cov;

		uh = skb_header_pointer(skb, pkt->l4off, sizeof(_uh), &_uh);
		if (!uh)
			return true;
		cov = ntohs(uh->len) ? ntohs(uh->len) : pkt->l4len;
		/* The parser refuses such a packet; never sum past the skb. */
		if (cov > pkt->l4len)
			return true;
		return nf_checksum_partial(skb, hook, pkt->l4off, cov, proto,
					   family) != 0;
	}
	}
	return false;
}

/* Result of classifying one packet. */
struct classified {
	struct ctrack_entry *e;	/* referenced, or NULL */
	u8 state;
	u8 dir;
	bool drop;
};

/*
 * At OUTPUT, is this packet REJECT's answer to a packet whose entry was
 * never confirmed? Then it is RELATED to that entry, in the reply
 * direction, as nf_conntrack makes it: the answer changes nothing in the
 * entry, and does not confirm it (ctrack_confirm() confirms only for a
 * packet of the original direction). @orig is the tuple the refused
 * packet had. The slot found may also be that of a packet the ruleset
 * dropped a little earlier (slots live until their ring comes round):
 * then a reset or error the stack itself sends for that tuple is RELATED
 * to the dropped packet's entry, which it leaves as it was.
 * Caller holds rcu_read_lock.
 */
static bool rejected(struct net *net, struct ctrack_net *cnet,
		     const struct nf_hook_state *state,
		     const struct ctrack_tuple *orig, struct classified *c)
{
	struct ctrack_entry *e;
	bool bh;

	if (state->hook != NF_INET_LOCAL_OUT)
		return false;
	bh = ctrack_bh_off();
	e = ctrack_verdict_refused(net, orig);
	ctrack_bh_restore(bh);
	if (!e)
		return false;
	CTRACK_STAT_INC(cnet, CTRACK_STAT_RELATED);
	c->e = e;
	c->state = CTRACK_PKT_RELATED;
	c->dir = CTRACK_DIR_REPLY;
	return true;
}

/*
 * An ICMP error is RELATED when the packet it quotes belongs to an entry
 * and it is addressed to that packet's sender, or when REJECT sends it
 * for a packet it refused (rejected()); anything else is INVALID.
 * Caller holds rcu_read_lock.
 */
static void classify_icmp_error(struct net *net, struct ctrack_net *cnet,
				const struct ctrack_pkt *pkt,
				const struct nf_hook_state *state,
				struct classified *c)
{
	enum ctrack_dir idir;
	struct ctrack_entry *e;

	if (!nf_inet_addr_cmp(&pkt->tuple.dst, &pkt->inner.src))
		goto invalid;
	e = ctrack_lookup(net, &pkt->inner, &idir);
	if (!e) {
		if (rejected(net, cnet, state, &pkt->inner, c))
			return;
		goto invalid;
	}
	CTRACK_STAT_INC(cnet, CTRACK_STAT_RELATED);
	c->e = e;
	c->state = CTRACK_PKT_RELATED;
	c->dir = !idir;
	return;
invalid:
	CTRACK_STAT_INC(cnet, CTRACK_STAT_INVALID);
	c->state = CTRACK_PKT_INVALID;
}

/* May this packet open an entry? Fills in the protocol's initial state. */
static bool may_start(struct ctrack_entry *e, const struct sk_buff *skb,
		      const struct ctrack_pkt *pkt, const struct ctrack_net *cnet)
{
	switch (pkt->tuple.proto) {
	case IPPROTO_TCP:
		return ctrack_tcp_new(e, skb, pkt, cnet);
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		ctrack_udp_new(e);
		return true;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return ctrack_icmp_new(&pkt->tuple);
	}
	return true;
}

/* Count the packet, if @e counts. Caller holds e->lock. */
static void account(struct ctrack_entry *e, const struct sk_buff *skb,
		    enum ctrack_dir dir)
{
	struct ctrack_acct *acct = ctrack_entry_acct(e);

	if (acct) {
		acct->packets[dir]++;
		acct->bytes[dir] += skb->len;
	}
}

/*
 * TCP: the window state of both directions moves together, under e->lock.
 * @changed tells whether the packet moved the state or set a status bit:
 * exactly one packet sees each change (and raises its UPDATE event).
 */
static enum ctrack_l4_verdict track_tcp(struct ctrack_entry *e,
					const struct sk_buff *skb,
					const struct ctrack_pkt *pkt,
					enum ctrack_dir dir,
					const struct ctrack_net *cnet,
					bool *changed)
{
	struct ctrack_tcp *tcp = ctrack_entry_tcp(e);
	enum ctrack_l4_verdict v;
	unsigned long status;
	u8 state;

	spin_lock_bh(&e->lock);
	status = READ_ONCE(e->status);
	state = tcp->state;
	v = ctrack_tcp_packet(e, skb, pkt, dir, cnet);
	if (v == CTRACK_L4_ACCEPT) {
		account(e, skb, dir);
		if (dir == CTRACK_DIR_REPLY)
			ctrack_status_set(e, CTRACK_S_SEEN_REPLY_BIT);
		*changed = (READ_ONCE(e->status) ^ status) & CTRACK_S_USER ||
			   tcp->state != state;
	}
	spin_unlock_bh(&e->lock);
	return v;
}

/*
 * Every other protocol: no lock on the way. The deadline is written whole
 * and status bits only ever get set, atomically, so that the CPU that sets
 * one is the one to report it; only counting takes e->lock.
 */
static enum ctrack_l4_verdict track(struct ctrack_entry *e,
				    const struct sk_buff *skb,
				    const struct ctrack_pkt *pkt,
				    enum ctrack_dir dir,
				    const struct ctrack_net *cnet,
				    bool *changed)
{
	enum ctrack_l4_verdict v;

	*changed = false;
	switch (pkt->tuple.proto) {
	case IPPROTO_TCP:
		return track_tcp(e, skb, pkt, dir, cnet, changed);
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		v = ctrack_udp_packet(e, dir, cnet, changed);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		v = ctrack_icmp_packet(e, dir, cnet);
		break;
	default:
		v = ctrack_generic_packet(e, dir, cnet);
		break;
	}
	if (v != CTRACK_L4_ACCEPT)
		return v;
	if (dir == CTRACK_DIR_REPLY &&
	    ctrack_status_set(e, CTRACK_S_SEEN_REPLY_BIT))
		*changed = true;
	if (e->shape & CTRACK_SHAPE_ACCT) {
		spin_lock_bh(&e->lock);
		account(e, skb, dir);
		spin_unlock_bh(&e->lock);
	}
	return v;
}

/* Caller holds rcu_read_lock (netfilter hooks do). */
static void classify(struct net *net, struct ctrack_net *cnet,
		     struct sk_buff *skb, const struct nf_hook_state *state,
		     struct classified *c)
{
	struct ctrack_pkt pkt;
	enum ctrack_dir dir;
	struct ctrack_entry *e;
	bool reopened = false, changed;
	u32 hash;

	switch (ctrack_tuple_parse(skb, skb_network_offset(skb), state->pf, &pkt)) {
	case CTRACK_PARSE_OK:
		break;
	case CTRACK_PARSE_UNTRACKED:
		CTRACK_STAT_INC(cnet, CTRACK_STAT_IGNORE);
		c->state = CTRACK_PKT_UNTRACKED;
		return;
	case CTRACK_PARSE_ICMP_ERROR:
		if (state->hook == NF_INET_PRE_ROUTING && READ_ONCE(cnet->checksum) &&
		    csum_bad(skb, &pkt, state->hook, state->pf))
			goto invalid;
		classify_icmp_error(net, cnet, &pkt, state, c);
		return;
	default:
		goto invalid;
	}
	if (state->hook == NF_INET_PRE_ROUTING && !pkt.no_csum &&
	    READ_ONCE(cnet->checksum) && csum_bad(skb, &pkt, state->hook, state->pf))
		goto invalid;
	if (pkt.tuple.proto == IPPROTO_TCP && !ctrack_tcp_header_ok(skb, &pkt))
		goto invalid;

	hash = ctrack_tuple_hash(net, &pkt.tuple);
again:
	e = ctrack_lookup_hash(net, &pkt.tuple, hash, &dir);
	if (e) {
		CTRACK_STAT_INC(cnet, CTRACK_STAT_FOUND);
	} else {
		struct ctrack_tuple orig;

		/*
		 * A reset from REJECT cannot start a flow, but answers one:
		 * asked before an entry is allocated for it, so that at a
		 * full table it neither evicts a flow nor is dropped.
		 */
		if (state->hook == NF_INET_LOCAL_OUT &&
		    pkt.tuple.proto == IPPROTO_TCP &&
		    ctrack_tcp_is_rst(skb, &pkt) &&
		    ctrack_tuple_invert(&orig, &pkt.tuple) &&
		    rejected(net, cnet, state, &orig, c))
			return;
		/* An ICMP reply or unknown type cannot start anything. */
		if (!ctrack_tuple_invertible(&pkt.tuple))
			goto invalid;
		e = ctrack_entry_alloc(net, &pkt.tuple, hash, GFP_ATOMIC);
		if (IS_ERR(e)) {
			c->drop = true;
			c->state = CTRACK_PKT_INVALID;
			return;
		}
		if (!may_start(e, skb, &pkt, cnet)) {
			ctrack_entry_put(e);
			goto invalid;
		}
		dir = CTRACK_DIR_ORIGINAL;
		CTRACK_STAT_INC(cnet, CTRACK_STAT_NEW);
	}

	switch (track(e, skb, &pkt, dir, cnet, &changed)) {
	case CTRACK_L4_ACCEPT:
		/* A new entry announces itself when confirmed. */
		if (changed && test_bit(CTRACK_S_CONFIRMED_BIT, &e->status))
			ctrack_event(e, CTRACK_EV_UPDATE);
		break;
	case CTRACK_L4_IGNORE:
		break;
	case CTRACK_L4_REOPEN:
		/* The old flow is over; this packet starts the next one. */
		ctrack_entry_kill(e);
		ctrack_entry_put(e);
		if (reopened)
			goto invalid;
		reopened = true;
		goto again;
	case CTRACK_L4_INVALID:
	default:
		ctrack_entry_put(e);
		goto invalid;
	}

	c->e = e;
	c->dir = dir;
	if (dir == CTRACK_DIR_REPLY ||
	    test_bit(CTRACK_S_SEEN_REPLY_BIT, &e->status))
		c->state = CTRACK_PKT_ESTABLISHED;
	else
		c->state = CTRACK_PKT_NEW;
	return;

invalid:
	CTRACK_STAT_INC(cnet, CTRACK_STAT_INVALID);
	c->state = CTRACK_PKT_INVALID;
}

/*
 * A packet on a loopback device was classified at this netns's OUTPUT
 * already: carry that verdict over instead of tracking the packet twice.
 */
static bool loopback_seen(struct sk_buff *skb, const struct nf_hook_state *state)
{
	struct ctrack_verdict *v;
	struct ctrack_entry *e = NULL;
	u8 vstate = 0, dir = 0;
	bool found = false, bh;

	if (state->hook != NF_INET_PRE_ROUTING || !state->in ||
	    !(state->in->flags & IFF_LOOPBACK))
		return false;
	bh = ctrack_bh_off();
	v = ctrack_verdict_take_loopback(skb, state->net);
	if (v) {
		vstate = v->state;
		dir = v->dir;
		/* The OUTPUT slot's reference moves to the new slot. */
		e = ctrack_verdict_clear(v);
		found = true;
	}
	ctrack_bh_restore(bh);
	if (found)
		ctrack_verdict_set(skb, state->net, e, vstate, dir,
				   NF_INET_LOCAL_OUT);
	return found;
}

static unsigned int ctrack_in(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct net *net = state->net;
	struct ctrack_net *cnet = ctrack_pernet_rcu(net);
	struct classified c = { .state = CTRACK_PKT_INVALID };

	if (loopback_seen(skb, state))
		return NF_ACCEPT;
	classify(net, cnet, skb, state, &c);
	ctrack_verdict_set(skb, net, c.e, c.state, c.dir, state->hook);
	return c.drop ? NF_DROP : NF_ACCEPT;
}

/*
 * Confirm the packet's entry at its last hook, and drop the verdict: no
 * later hook looks for it, except after a loopback device, where this
 * netns's PREROUTING takes the verdict over (loopback_seen()).
 */
static unsigned int ctrack_confirm(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct ctrack_verdict *v;
	struct ctrack_entry *e, *put = NULL;
	bool bh;

	bh = ctrack_bh_off();
	v = ctrack_verdict_get(skb, state->net);
	if (!v) {
		CTRACK_STAT_INC(ctrack_pernet(state->net), CTRACK_STAT_VERDICT_MISS);
	} else {
		e = READ_ONCE(v->entry);
		/* Not for REJECT's answer to a refused packet (rejected()). */
		if (e && v->dir == CTRACK_DIR_ORIGINAL &&
		    !test_bit(CTRACK_S_CONFIRMED_BIT, &e->status))
			ctrack_entry_confirm(e);
		if (state->hook == NF_INET_LOCAL_IN || !state->out ||
		    !(state->out->flags & IFF_LOOPBACK))
			put = ctrack_verdict_clear(v);
		else
			v->loopback = true;
	}
	ctrack_bh_restore(bh);
	if (put)
		ctrack_entry_put(put);
	return NF_ACCEPT;
}

static const struct nf_hook_ops ctrack_ops[] = {
	{ .hook = ctrack_in, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = CTRACK_PRI_CLASSIFY },
	{ .hook = ctrack_in, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = CTRACK_PRI_CLASSIFY },
	{ .hook = ctrack_confirm, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_IN, .priority = CTRACK_PRI_CONFIRM },
	{ .hook = ctrack_confirm, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_POST_ROUTING, .priority = CTRACK_PRI_CONFIRM },
	{ .hook = ctrack_in, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = CTRACK_PRI_CLASSIFY },
	{ .hook = ctrack_in, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = CTRACK_PRI_CLASSIFY },
	{ .hook = ctrack_confirm, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_IN, .priority = CTRACK_PRI_CONFIRM },
	{ .hook = ctrack_confirm, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_POST_ROUTING, .priority = CTRACK_PRI_CONFIRM },
};

/* Defragmentation first, so that every packet we classify is whole. */
int ctrack_hooks_register(struct net *net)
{
	int err;

	err = nf_defrag_ipv4_enable(net);
	if (err)
		return err;
	err = nf_defrag_ipv6_enable(net);
	if (err)
		goto err_v4;
	err = nf_register_net_hooks(net, ctrack_ops, ARRAY_SIZE(ctrack_ops));
	if (err)
		goto err_v6;
	return 0;

err_v6:
	nf_defrag_ipv6_disable(net);
err_v4:
	nf_defrag_ipv4_disable(net);
	return err;
}

/*
 * Does not wait for CPUs still running one of the hooks (since 4.16 the
 * unregistration frees the hook blob after a grace period but returns at
 * once): the caller waits for a grace period before it frees what a hook
 * may touch. A namespace's exit gets one from the namespace core between
 * .pre_exit, which calls this, and .exit_batch.
 */
void ctrack_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, ctrack_ops, ARRAY_SIZE(ctrack_ops));
	nf_defrag_ipv6_disable(net);
	nf_defrag_ipv4_disable(net);
}
