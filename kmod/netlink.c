// SPDX-License-Identifier: GPL-2.0
/*
 * The ctrack generic netlink family: get, create, update, delete and list
 * entries, flush, count, read the counters, and the event groups.
 * include/uapi/linux/ctrack.h and Documentation/netlink/specs/ctrack.yaml
 * are the contract.
 *
 * Every command and group is CAP_NET_ADMIN in the user namespace that owns
 * the caller's netns (GENL_UNS_ADMIN_PERM, GENL_MCAST_CAP_NET_ADMIN), and
 * acts on that netns only.
 */
#include <linux/siphash.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "filter.h"
#include "netlink.h"
#include "pernet.h"
#include "proto.h"

/* An entry message fits in this, whatever the protocol. */
#define ENTRY_MSG_SIZE 512

static struct genl_family ctrack_genl_family;
static siphash_key_t id_key __read_mostly;
static bool events_on __read_mostly;

/*
 * An id that names the entry for its whole life without telling anything
 * about kernel memory: the entry's address and tuple under a secret key.
 */
static u64 entry_id(const struct ctrack_entry *e)
{
	struct {
		const void *e;
		struct ctrack_tuple t;
	} in = { .e = e, .t = e->tuple };

	return siphash(&in, sizeof(in), &id_key);
}

static int put_tuple(struct sk_buff *skb, int type, const struct ctrack_tuple *t)
{
	int alen = t->l3num == NFPROTO_IPV4 ? 4 : 16;
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u8(skb, CTRACK_TA_FAMILY, t->l3num) ||
	    nla_put_u8(skb, CTRACK_TA_PROTO, t->proto) ||
	    nla_put(skb, CTRACK_TA_SRC, alen, &t->src) ||
	    nla_put(skb, CTRACK_TA_DST, alen, &t->dst))
		return -EMSGSIZE;
	switch (t->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		if (nla_put_be16(skb, CTRACK_TA_SPORT, t->sp.port) ||
		    nla_put_be16(skb, CTRACK_TA_DPORT, t->dp.port))
			return -EMSGSIZE;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (nla_put_be16(skb, CTRACK_TA_ICMP_ID, t->sp.id) ||
		    nla_put_u8(skb, CTRACK_TA_ICMP_TYPE, t->dp.icmp.type) ||
		    nla_put_u8(skb, CTRACK_TA_ICMP_CODE, t->dp.icmp.code))
			return -EMSGSIZE;
		break;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_counters(struct sk_buff *skb, int type, u64 packets, u64 bytes)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u64_64bit(skb, CTRACK_CA_PACKETS, packets, CTRACK_CA_PAD) ||
	    nla_put_u64_64bit(skb, CTRACK_CA_BYTES, bytes, CTRACK_CA_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* What fill_entry() puts beside the entry itself. */
struct fill {
	u32 portid;
	u32 seq;
	int flags;
	u8 cmd;
	bool zero;	/* reset the counters it reports */
	bool held;	/* the caller holds a reference: not the entry's own */
	u64 id;		/* entry_id() if the caller has it (0: not yet) */
};

/* One entry as a message. Caller holds rcu_read_lock or a reference. */
static int fill_entry(struct sk_buff *skb, struct ctrack_entry *e,
		      const struct fill *f)
{
	struct ctrack_snapshot snap;
	struct ctrack_tuple reply;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, f->portid, f->seq, &ctrack_genl_family, f->flags,
			  f->cmd);
	if (!hdr)
		return -EMSGSIZE;
	ctrack_entry_snapshot(e, &snap, f->zero);

	ctrack_entry_tuple(e, CTRACK_DIR_REPLY, &reply);
	if (put_tuple(skb, CTRACK_A_TUPLE_ORIG, &e->tuple) ||
	    put_tuple(skb, CTRACK_A_TUPLE_REPLY, &reply) ||
	    nla_put_u32(skb, CTRACK_A_STATUS, (u32)READ_ONCE(e->status)) ||
	    nla_put_u32(skb, CTRACK_A_MARK, READ_ONCE(e->mark)) ||
	    nla_put_u64_64bit(skb, CTRACK_A_ID, f->id ?: entry_id(e), CTRACK_A_PAD) ||
	    nla_put_u64_64bit(skb, CTRACK_A_START, e->start, CTRACK_A_PAD) ||
	    nla_put_u32(skb, CTRACK_A_USE, refcount_read(&e->use) - f->held))
		goto cancel;
	/* Counters only where there are some (net.ctrack.acct), as nf_conntrack. */
	if (snap.has_acct &&
	    (put_counters(skb, CTRACK_A_COUNTERS_ORIG, snap.acct.packets[0],
			  snap.acct.bytes[0]) ||
	     put_counters(skb, CTRACK_A_COUNTERS_REPLY, snap.acct.packets[1],
			  snap.acct.bytes[1])))
		goto cancel;
	/* A deleted entry has no time left; it has an end instead. */
	if (f->cmd == CTRACK_CMD_DELETE) {
		if (nla_put_u64_64bit(skb, CTRACK_A_STOP, ktime_get_real_ns(),
				      CTRACK_A_PAD))
			goto cancel;
	} else if (nla_put_u32(skb, CTRACK_A_TIMEOUT,
			       ctrack_entry_remaining(e) / HZ)) {
		goto cancel;
	}
	if (e->tuple.proto == IPPROTO_TCP) {
		nest = nla_nest_start(skb, CTRACK_A_PROTOINFO);
		if (!nest ||
		    nla_put_u8(skb, CTRACK_PA_TCP_STATE, snap.tcp_state) ||
		    nla_put_u8(skb, CTRACK_PA_TCP_WSCALE_ORIG, snap.seen[0].scale) ||
		    nla_put_u8(skb, CTRACK_PA_TCP_WSCALE_REPLY, snap.seen[1].scale) ||
		    nla_put_u8(skb, CTRACK_PA_TCP_FLAGS_ORIG, snap.seen[0].flags) ||
		    nla_put_u8(skb, CTRACK_PA_TCP_FLAGS_REPLY, snap.seen[1].flags))
			goto cancel;
		nla_nest_end(skb, nest);
	}
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	/*
	 * A reset takes the counters with the snapshot (one lock hold, so
	 * that two readers resetting at once never report a packet twice);
	 * what this message could not carry goes back for the next one.
	 */
	if (f->zero)
		ctrack_entry_give_back(e, &snap.acct);
	return -EMSGSIZE;
}

/*
 * ctrack_event - tell the listeners of @ev's group about @e
 *
 * Any context; caller holds a reference or rcu_read_lock. Costs one bit
 * test when nobody listens. A message that cannot be built or delivered
 * counts as event_lost.
 */
void ctrack_event(struct ctrack_entry *e, enum ctrack_event ev)
{
	static const u8 cmds[__CTRACK_EV_MAX] = {
		[CTRACK_EV_NEW] = CTRACK_CMD_NEW,
		[CTRACK_EV_UPDATE] = CTRACK_CMD_UPDATE,
		[CTRACK_EV_DESTROY] = CTRACK_CMD_DELETE,
	};
	struct net *net = ctrack_entry_net(e);
	struct fill f = { .cmd = cmds[ev] };
	struct sk_buff *skb;
	int err;

	/* An entry on its way out announces nothing but its end. */
	if (ev != CTRACK_EV_DESTROY && test_bit(CTRACK_S_DYING_BIT, &e->status))
		return;
	rcu_read_lock();	/* against ctrack_netlink_exit() */
	if (!READ_ONCE(events_on) ||
	    !genl_has_listeners(&ctrack_genl_family, net, ev))
		goto out;
	skb = genlmsg_new(ENTRY_MSG_SIZE, GFP_ATOMIC);
	if (!skb) {
		err = -ENOMEM;
	} else if (fill_entry(skb, e, &f)) {
		nlmsg_free(skb);
		err = -EMSGSIZE;
	} else {
		err = genlmsg_multicast_netns(&ctrack_genl_family, net, skb, 0,
					      ev, GFP_ATOMIC);
	}
	/* -ESRCH: the last listener left meanwhile, nothing was lost. */
	if (err && err != -ESRCH)
		CTRACK_STAT_INC(ctrack_pernet(net), CTRACK_STAT_EVENT_LOST);
out:
	rcu_read_unlock();
}

static const struct nla_policy tuple_policy[CTRACK_TA_MAX + 1] = {
	[CTRACK_TA_FAMILY] = NLA_POLICY_RANGE(NLA_U8, NFPROTO_IPV4, NFPROTO_IPV6),
	[CTRACK_TA_PROTO] = { .type = NLA_U8 },
	[CTRACK_TA_SRC] = { .type = NLA_BINARY, .len = 16 },
	[CTRACK_TA_DST] = { .type = NLA_BINARY, .len = 16 },
	[CTRACK_TA_SPORT] = { .type = NLA_BE16 },
	[CTRACK_TA_DPORT] = { .type = NLA_BE16 },
	[CTRACK_TA_ICMP_ID] = { .type = NLA_BE16 },
	[CTRACK_TA_ICMP_TYPE] = { .type = NLA_U8 },
	[CTRACK_TA_ICMP_CODE] = { .type = NLA_U8 },
};

/* Protocol state a user may give an entry it creates. */
static const struct nla_policy protoinfo_policy[CTRACK_PA_MAX + 1] = {
	[CTRACK_PA_TCP_STATE] = NLA_POLICY_RANGE(NLA_U8, CTRACK_TCP_SYN_SENT,
						 CTRACK_TCP_SYN_SENT2),
};

/* An attribute that must be there and is not: -EINVAL, naming it. */
#define missing(extack, nest, type, msg) ({			\
	NL_SET_ERR_MSG(extack, msg);				\
	NL_SET_ERR_ATTR_MISS(extack, nest, type);		\
	-EINVAL;						\
})

/*
 * A tuple from a CTRACK_A_TUPLE_* nest, laid out exactly as the packet
 * path builds it (padding and unused fields zero), so that it hashes and
 * compares like one.
 */
static int parse_tuple(const struct nlattr *nest, struct ctrack_tuple *t,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CTRACK_TA_MAX + 1];
	unsigned int alen;
	int err;

	err = nla_parse_nested(tb, CTRACK_TA_MAX, nest, tuple_policy, extack);
	if (err)
		return err;
	if (!tb[CTRACK_TA_FAMILY])
		return missing(extack, nest, CTRACK_TA_FAMILY, "tuple without a family");
	if (!tb[CTRACK_TA_PROTO])
		return missing(extack, nest, CTRACK_TA_PROTO, "tuple without a protocol");
	if (!tb[CTRACK_TA_SRC])
		return missing(extack, nest, CTRACK_TA_SRC, "tuple without a source");
	if (!tb[CTRACK_TA_DST])
		return missing(extack, nest, CTRACK_TA_DST, "tuple without a destination");
	memset(t, 0, sizeof(*t));
	t->l3num = nla_get_u8(tb[CTRACK_TA_FAMILY]);
	if (t->l3num != NFPROTO_IPV4 && t->l3num != NFPROTO_IPV6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CTRACK_TA_FAMILY],
				    "family must be NFPROTO_IPV4 or NFPROTO_IPV6");
		return -EINVAL;
	}
	t->proto = nla_get_u8(tb[CTRACK_TA_PROTO]);
	alen = t->l3num == NFPROTO_IPV4 ? 4 : 16;
	if (nla_len(tb[CTRACK_TA_SRC]) != alen || nla_len(tb[CTRACK_TA_DST]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, nla_len(tb[CTRACK_TA_SRC]) != alen ?
				    tb[CTRACK_TA_SRC] : tb[CTRACK_TA_DST],
				    "address length does not match the family");
		return -EINVAL;
	}
	if ((t->proto == IPPROTO_ICMP && t->l3num != NFPROTO_IPV4) ||
	    (t->proto == IPPROTO_ICMPV6 && t->l3num != NFPROTO_IPV6)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CTRACK_TA_PROTO],
				    "ICMP goes with IPv4, ICMPv6 with IPv6");
		return -EINVAL;
	}
	nla_memcpy(&t->src, tb[CTRACK_TA_SRC], alen);
	nla_memcpy(&t->dst, tb[CTRACK_TA_DST], alen);

	if (ctrack_proto_has_ports(t->proto)) {
		if (!tb[CTRACK_TA_SPORT])
			return missing(extack, nest, CTRACK_TA_SPORT, "tuple without a source port");
		if (!tb[CTRACK_TA_DPORT])
			return missing(extack, nest, CTRACK_TA_DPORT,
				       "tuple without a destination port");
		t->sp.port = nla_get_be16(tb[CTRACK_TA_SPORT]);
		t->dp.port = nla_get_be16(tb[CTRACK_TA_DPORT]);
	} else if (tb[CTRACK_TA_SPORT] || tb[CTRACK_TA_DPORT]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CTRACK_TA_SPORT] ?: tb[CTRACK_TA_DPORT],
				    "this protocol has no ports");
		return -EINVAL;
	}

	if (t->proto == IPPROTO_ICMP || t->proto == IPPROTO_ICMPV6) {
		if (!tb[CTRACK_TA_ICMP_TYPE])
			return missing(extack, nest, CTRACK_TA_ICMP_TYPE, "tuple without an ICMP type");
		if (!tb[CTRACK_TA_ICMP_CODE])
			return missing(extack, nest, CTRACK_TA_ICMP_CODE, "tuple without an ICMP code");
		if (!tb[CTRACK_TA_ICMP_ID])
			return missing(extack, nest, CTRACK_TA_ICMP_ID, "tuple without an ICMP id");
		t->sp.id = nla_get_be16(tb[CTRACK_TA_ICMP_ID]);
		t->dp.icmp.type = nla_get_u8(tb[CTRACK_TA_ICMP_TYPE]);
		t->dp.icmp.code = nla_get_u8(tb[CTRACK_TA_ICMP_CODE]);
	} else if (tb[CTRACK_TA_ICMP_TYPE] || tb[CTRACK_TA_ICMP_CODE] ||
		   tb[CTRACK_TA_ICMP_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "ICMP fields in a tuple that is not ICMP");
		return -EINVAL;
	}
	return 0;
}

/* A do request names its entry by a tuple; filters belong to dumps. */
static int request_tuple(struct genl_info *info, struct ctrack_tuple *t)
{
	struct nlattr *orig = info->attrs[CTRACK_A_TUPLE_ORIG];
	struct nlattr *reply = info->attrs[CTRACK_A_TUPLE_REPLY];

	if (info->attrs[CTRACK_A_FILTER]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CTRACK_A_FILTER],
				    "a filter goes with a dump request (NLM_F_DUMP)");
		return -EINVAL;
	}
	if (!orig && !reply) {
		NL_SET_ERR_MSG(info->extack,
			       "needs CTRACK_A_TUPLE_ORIG or CTRACK_A_TUPLE_REPLY");
		return -EINVAL;
	}
	if (orig && reply) {
		NL_SET_ERR_MSG_ATTR(info->extack, reply,
				    "name the entry by one tuple, not two");
		return -EINVAL;
	}
	return parse_tuple(orig ?: reply, t, info->extack);
}

/*
 * The live entry that @info names, referenced. The caller drops it with
 * ctrack_entry_put().
 */
static struct ctrack_entry *request_entry(struct genl_info *info)
{
	struct ctrack_tuple t;
	struct ctrack_entry *e;
	enum ctrack_dir dir;
	int err;

	err = request_tuple(info, &t);
	if (err)
		return ERR_PTR(err);
	rcu_read_lock();
	e = ctrack_lookup(genl_info_net(info), &t, &dir);
	rcu_read_unlock();
	if (!e) {
		NL_SET_ERR_MSG(info->extack, "no entry has this tuple");
		return ERR_PTR(-ENOENT);
	}
	return e;
}

/* GET, ZERO and DELETE of one entry: the reply is the entry. */
static int cmd_get(struct sk_buff *skb, struct genl_info *info)
{
	struct fill f = {
		.portid = info->snd_portid,
		.seq = info->snd_seq,
		.cmd = info->genlhdr->cmd,
		.zero = info->genlhdr->cmd == CTRACK_CMD_ZERO,
		.held = true,
	};
	struct ctrack_entry *e;
	struct sk_buff *msg;
	int err;

	e = request_entry(info);
	if (IS_ERR(e))
		return PTR_ERR(e);
	msg = genlmsg_new(ENTRY_MSG_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	/* Deleted first, so that the reply has its final counters. */
	if (f.cmd == CTRACK_CMD_DELETE && !ctrack_entry_kill(e)) {
		NL_SET_ERR_MSG(info->extack, "the entry went away meanwhile");
		nlmsg_free(msg);
		err = -ENOENT;
		goto out;
	}
	err = fill_entry(msg, e, &f);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	ctrack_entry_put(e);
	return err;
}

/* Longest timeout an entry can hold: its deadline is a 32-bit jiffy. */
#define MAX_TIMEOUT_SECS ((u32)(S32_MAX / HZ) - 1)

static int check_timeout(struct genl_info *info, u32 *secs)
{
	struct nlattr *a = info->attrs[CTRACK_A_TIMEOUT];

	*secs = nla_get_u32(a);
	if (!*secs) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "a timeout of 0 would expire at once");
		return -ERANGE;
	}
	if (*secs > MAX_TIMEOUT_SECS) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "timeout longer than an entry can hold (S32_MAX jiffies)");
		return -ERANGE;
	}
	return 0;
}

static int check_status(struct genl_info *info, u32 *status)
{
	struct nlattr *a = info->attrs[CTRACK_A_STATUS];

	*status = a ? nla_get_u32(a) : 0;
	if (*status & ~CTRACK_S_USER) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "only SEEN_REPLY and ASSURED may be set");
		return -EINVAL;
	}
	return 0;
}

/* NEW: an entry as a packet would have made it, with the state given. */
static int cmd_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *pinfo[CTRACK_PA_MAX + 1] = {};
	struct net *net = genl_info_net(info);
	struct ctrack_tuple t, inv, r;
	struct ctrack_entry *e;
	u32 secs, status;
	int err;

	if (!info->attrs[CTRACK_A_TUPLE_ORIG])
		return missing(info->extack, NULL, CTRACK_A_TUPLE_ORIG,
			       "needs the original tuple");
	if (!info->attrs[CTRACK_A_TIMEOUT])
		return missing(info->extack, NULL, CTRACK_A_TIMEOUT, "needs a timeout");
	err = parse_tuple(info->attrs[CTRACK_A_TUPLE_ORIG], &t, info->extack);
	if (err)
		return err;
	/* As on the packet path: only an ICMP request starts an entry. */
	if (!ctrack_tuple_invert(&inv, &t) ||
	    (ctrack_proto_is_icmp(t.proto) && !ctrack_icmp_new(&t))) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CTRACK_A_TUPLE_ORIG],
				    "only an ICMP request (echo, timestamp, ...) can start an entry");
		return -EINVAL;
	}
	if (info->attrs[CTRACK_A_TUPLE_REPLY]) {
		err = parse_tuple(info->attrs[CTRACK_A_TUPLE_REPLY], &r, info->extack);
		if (err)
			return err;
		if (!ctrack_tuple_eq(&r, &inv)) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CTRACK_A_TUPLE_REPLY],
					    "the reply tuple must be the inverse of the original (no NAT)");
			return -EINVAL;
		}
	}
	err = check_timeout(info, &secs) ?: check_status(info, &status);
	if (err)
		return err;
	if (info->attrs[CTRACK_A_PROTOINFO]) {
		err = nla_parse_nested(pinfo, CTRACK_PA_MAX, info->attrs[CTRACK_A_PROTOINFO],
				       protoinfo_policy, info->extack);
		if (err)
			return err;
	}
	if (t.proto == IPPROTO_TCP && !info->attrs[CTRACK_A_PROTOINFO])
		return missing(info->extack, NULL, CTRACK_A_PROTOINFO,
			       "a TCP entry needs a TCP state");
	if (t.proto == IPPROTO_TCP && !pinfo[CTRACK_PA_TCP_STATE])
		return missing(info->extack, info->attrs[CTRACK_A_PROTOINFO],
			       CTRACK_PA_TCP_STATE, "a TCP entry needs a TCP state");
	if (t.proto != IPPROTO_TCP && pinfo[CTRACK_PA_TCP_STATE]) {
		NL_SET_ERR_MSG_ATTR(info->extack, pinfo[CTRACK_PA_TCP_STATE],
				    "a TCP state for an entry that is not TCP");
		return -EINVAL;
	}

	e = ctrack_entry_alloc(net, &t, ctrack_tuple_hash(net, &t), GFP_KERNEL);
	if (IS_ERR(e)) {
		if (PTR_ERR(e) == -ENOSPC)
			NL_SET_ERR_MSG(info->extack, "the table is full (net.ctrack.max)");
		return PTR_ERR(e);
	}
	if (t.proto == IPPROTO_TCP)
		ctrack_tcp_adopt(e, nla_get_u8(pinfo[CTRACK_PA_TCP_STATE]));
	else if (t.proto == IPPROTO_UDP || t.proto == IPPROTO_UDPLITE)
		ctrack_udp_new(e);
	if (info->attrs[CTRACK_A_MARK])
		e->mark = nla_get_u32(info->attrs[CTRACK_A_MARK]);
	e->status |= status;
	ctrack_entry_refresh(e, (unsigned long)secs * HZ);
	err = ctrack_entry_confirm(e);
	if (err == -EEXIST)
		NL_SET_ERR_MSG(info->extack, "an entry with this tuple exists");
	ctrack_entry_put(e);
	return err;
}

static int cmd_update(struct sk_buff *skb, struct genl_info *info)
{
	u32 secs = 0, status, old_mark;
	unsigned long old_status;
	struct ctrack_entry *e;
	bool changed;
	int err;

	if (!info->attrs[CTRACK_A_TIMEOUT] && !info->attrs[CTRACK_A_MARK] &&
	    !info->attrs[CTRACK_A_STATUS]) {
		NL_SET_ERR_MSG(info->extack, "nothing to update (timeout, mark or status)");
		return -EINVAL;
	}
	err = check_status(info, &status);
	if (!err && info->attrs[CTRACK_A_TIMEOUT])
		err = check_timeout(info, &secs);
	if (err)
		return err;
	e = request_entry(info);
	if (IS_ERR(e))
		return PTR_ERR(e);
	/* Under e->lock, as the packet path changes status. */
	spin_lock_bh(&e->lock);
	old_status = READ_ONCE(e->status);
	old_mark = e->mark;
	if (info->attrs[CTRACK_A_MARK])
		WRITE_ONCE(e->mark, nla_get_u32(info->attrs[CTRACK_A_MARK]));
	if (info->attrs[CTRACK_A_TIMEOUT])
		ctrack_entry_refresh(e, (unsigned long)secs * HZ);
	if (status & CTRACK_S_SEEN_REPLY)
		set_bit(CTRACK_S_SEEN_REPLY_BIT, &e->status);
	if (status & CTRACK_S_ASSURED)
		set_bit(CTRACK_S_ASSURED_BIT, &e->status);
	changed = e->mark != old_mark ||
		  ((READ_ONCE(e->status) ^ old_status) & CTRACK_S_USER);
	spin_unlock_bh(&e->lock);
	err = 0;
	if (test_bit(CTRACK_S_DYING_BIT, &e->status)) {
		/* Killed since the lookup: what was changed is gone with it. */
		NL_SET_ERR_MSG(info->extack, "the entry went away meanwhile");
		err = -ENOENT;
	} else if (changed) {
		/* A new timeout alone is no event, as for packets. */
		ctrack_event(e, CTRACK_EV_UPDATE);
	}
	ctrack_entry_put(e);
	return err;
}

/* What a dump keeps between its messages, beside cb->ctx. */
struct dump_state {
	bool parsed;
	struct ctrack_filter filter;
	unsigned int nsent, cap;
	u64 *sent;	/* ids of the current bucket's entries already sent */
};

struct dump_ctx {
	unsigned int bucket;	/* next bucket to list */
	u8 cmd;			/* GET, ZERO or DELETE */
	struct dump_state *st;
};

static_assert(sizeof(struct dump_ctx) <= sizeof_field(struct netlink_callback, ctx));

static void dump_free(struct dump_state *st)
{
	if (st)
		kfree(st->sent);
	kfree(st);
}

/*
 * Only allocate here: 6.1 gives ->start no extack, so the request is
 * checked in the first dump_entries() call, whose errors reach the caller
 * with their message (in NLMSG_DONE) on every kernel alike.
 */
static int dump_start(struct netlink_callback *cb)
{
	struct dump_ctx *ctx = (struct dump_ctx *)cb->ctx;
	const struct genlmsghdr *g = nlmsg_data(cb->nlh);
	struct dump_state *st;

	memset(ctx, 0, sizeof(*ctx));
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->cap = 32;
	st->sent = kmalloc_array(st->cap, sizeof(*st->sent), GFP_KERNEL);
	if (!st->sent) {
		dump_free(st);
		return -ENOMEM;
	}
	ctx->cmd = g->cmd;
	ctx->st = st;
	return 0;
}

/* Check the request and parse its filter. */
static int dump_parse(struct netlink_callback *cb, struct dump_state *st)
{
	struct nlattr **attrs = ctrack_dump_attrs(cb);

	if (attrs[CTRACK_A_TUPLE_ORIG] || attrs[CTRACK_A_TUPLE_REPLY]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[CTRACK_A_TUPLE_ORIG] ?:
				    attrs[CTRACK_A_TUPLE_REPLY],
				    "a dump selects entries with CTRACK_A_FILTER, not a tuple");
		return -EINVAL;
	}
	return ctrack_filter_parse(&st->filter, attrs[CTRACK_A_FILTER], cb->extack);
}

static int dump_done(struct netlink_callback *cb)
{
	dump_free(((struct dump_ctx *)cb->ctx)->st);
	return 0;
}

static bool was_sent(const struct dump_state *st, u64 id)
{
	unsigned int i;

	for (i = 0; i < st->nsent; i++)
		if (st->sent[i] == id)
			return true;
	return false;
}

/* Room for one more id; false when memory is short (try again later). */
static bool sent_room(struct dump_state *st)
{
	u64 *more;

	if (st->nsent < st->cap)
		return true;
	more = krealloc_array(st->sent, 2 * st->cap, sizeof(*more), GFP_ATOMIC);
	if (!more)
		return false;
	st->sent = more;
	st->cap *= 2;
	return true;
}

/*
 * The table is listed a bucket at a time. An entry never changes bucket,
 * and within a bucket the dump remembers which entries it has sent (by
 * id), so an entry that lives through the whole dump is sent exactly
 * once however others come and go:
 *
 * GET: a bucket that does not fit in the message is trimmed off and sent
 * again, whole, in the next one. A bucket that does not fit even in an
 * empty message is split; the next message skips the entries it sent.
 *
 * ZERO resets what it reports, so nothing is trimmed off: the next
 * message goes on in the same bucket and skips what was sent.
 *
 * DELETE kills an entry once its message is written and goes on at the
 * start of the bucket: what it killed is gone from it.
 */
static int dump_entries(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dump_ctx *ctx = (struct dump_ctx *)cb->ctx;
	struct dump_state *st = ctx->st;
	struct net *net = sock_net(skb->sk);
	struct fill f = {
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.flags = NLM_F_MULTI,
		.cmd = ctx->cmd,
		.zero = ctx->cmd == CTRACK_CMD_ZERO,
	};
	unsigned int start = 0;	/* where the current bucket began */
	int err = 0;

	if (!st->parsed) {
		err = dump_parse(cb, st);
		if (err)
			return err;
		st->parsed = true;
	}
	rcu_read_lock();
	for (; ctx->bucket < ctrack_hash_size; ctx->bucket++) {
		struct ctrack_entry *e;

		start = skb->len;
		ctrack_chain_for_each(e, &ctrack_hash[ctx->bucket]) {
			u64 id;

			if (!ctrack_entry_listed(e, net) ||
			    !ctrack_filter_match(&st->filter, e))
				continue;
			if (ctx->cmd == CTRACK_CMD_DELETE) {
				/*
				 * Killed before it is written, so that the report
				 * has its final counters: only with room for it.
				 */
				if (skb_tailroom(skb) <
				    nlmsg_total_size(GENL_HDRLEN + ENTRY_MSG_SIZE))
					goto out;
				/* Another CPU killed it first: not ours to report. */
				if (!ctrack_entry_kill(e))
					continue;
				if (WARN_ON_ONCE(fill_entry(skb, e, &f) < 0))
					goto out;
				continue;
			}
			id = entry_id(e);
			if (was_sent(st, id))
				continue;
			if (!sent_room(st)) {
				/* Nothing sent yet: no progress possible. */
				if (!skb->len)
					err = -ENOMEM;
				goto trim;
			}
			f.id = id;
			if (fill_entry(skb, e, &f) < 0)
				goto trim;
			st->sent[st->nsent++] = id;
		}
		st->nsent = 0;
		/* A filter that matches little makes long walks: breathe. */
		if ((ctx->bucket & 255) == 255) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	goto out;
trim:
	if (ctx->cmd == CTRACK_CMD_GET && start) {
		skb_trim(skb, start);
		st->nsent = 0;
	}
out:
	rcu_read_unlock();
	return err ?: skb->len;
}

static int cmd_flush(struct sk_buff *skb, struct genl_info *info)
{
	u8 family = 0;

	if (info->attrs[CTRACK_A_FAMILY]) {
		family = nla_get_u8(info->attrs[CTRACK_A_FAMILY]);
		if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CTRACK_A_FAMILY],
					    "family must be NFPROTO_IPV4 or NFPROTO_IPV6");
			return -EINVAL;
		}
	}
	ctrack_table_flush_net(genl_info_net(info), family);
	return 0;
}

/* A reply to @info with the attributes that @put adds. */
static int reply(struct genl_info *info, u8 cmd,
		 int (*put)(struct sk_buff *skb, struct net *net))
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ctrack_genl_family, 0, cmd);
	err = hdr ? put(msg, genl_info_net(info)) : -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int put_count(struct sk_buff *msg, struct net *net)
{
	struct ctrack_net *cnet = ctrack_pernet(net);

	if (nla_put_u32(msg, CTRACK_A_COUNT, atomic_read(&cnet->count)) ||
	    nla_put_u32(msg, CTRACK_A_MAX, READ_ONCE(cnet->max)))
		return -EMSGSIZE;
	return 0;
}

static int cmd_count(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, CTRACK_CMD_COUNT, put_count);
}

static int put_stat_nest(struct sk_buff *msg, int type, const u64 *c, int cpu)
{
	struct nlattr *nest = nla_nest_start(msg, type);
	int i;

	if (!nest)
		return -EMSGSIZE;
	if (cpu >= 0 && nla_put_u32(msg, CTRACK_STAT_A_CPU, cpu))
		return -EMSGSIZE;
	for (i = 0; i < __CTRACK_STAT_MAX; i++)
		if (nla_put_u64_64bit(msg, CTRACK_STAT_A_FOUND + i, c[i],
				      CTRACK_STAT_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* One CPU's counters (a u64 read may tear on 32-bit: ctrack targets x86_64). */
static void read_stats(const struct ctrack_net *cnet, int cpu, u64 *c)
{
	const struct ctrack_stats *st = per_cpu_ptr(cnet->stats, cpu);
	int i;

	for (i = 0; i < __CTRACK_STAT_MAX; i++)
		c[i] = READ_ONCE(st->c[i]);
}

/* STATS (do): the table's size and maximum, and the counters' totals. */
static int put_stats(struct sk_buff *msg, struct net *net)
{
	struct ctrack_net *cnet = ctrack_pernet(net);
	u64 total[__CTRACK_STAT_MAX] = {}, one[__CTRACK_STAT_MAX];
	int cpu, i;

	for_each_possible_cpu(cpu) {
		read_stats(cnet, cpu, one);
		for (i = 0; i < __CTRACK_STAT_MAX; i++)
			total[i] += one[i];
	}
	if (put_count(msg, net) ||
	    put_stat_nest(msg, CTRACK_A_STATS, total, -1))
		return -EMSGSIZE;
	return 0;
}

static int cmd_stats(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, CTRACK_CMD_STATS, put_stats);
}

/*
 * STATS (dump): one message per possible CPU, however many there are
 * (one reply for all would outgrow a message beyond a few dozen CPUs).
 * cb->args[0] is the next CPU.
 */
static int dump_stats(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ctrack_net *cnet = ctrack_pernet(sock_net(skb->sk));
	u64 one[__CTRACK_STAT_MAX];
	int cpu;

	for (cpu = cb->args[0]; cpu < nr_cpu_ids; cpu++) {
		void *hdr;

		if (!cpu_possible(cpu))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &ctrack_genl_family, NLM_F_MULTI, CTRACK_CMD_STATS);
		if (!hdr)
			break;
		read_stats(cnet, cpu, one);
		if (put_stat_nest(skb, CTRACK_A_STATS_CPU, one, cpu)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = cpu;
	return skb->len;
}

static const struct nla_policy get_policy[CTRACK_A_MAXTYPE + 1] = {
	[CTRACK_A_TUPLE_ORIG] = NLA_POLICY_NESTED(tuple_policy),
	[CTRACK_A_TUPLE_REPLY] = NLA_POLICY_NESTED(tuple_policy),
	[CTRACK_A_FILTER] = NLA_POLICY_NESTED(ctrack_filter_policy),
};

static const struct nla_policy new_policy[CTRACK_A_MAXTYPE + 1] = {
	[CTRACK_A_TUPLE_ORIG] = NLA_POLICY_NESTED(tuple_policy),
	[CTRACK_A_TUPLE_REPLY] = NLA_POLICY_NESTED(tuple_policy),
	[CTRACK_A_TIMEOUT] = { .type = NLA_U32 },
	[CTRACK_A_MARK] = { .type = NLA_U32 },
	[CTRACK_A_STATUS] = { .type = NLA_U32 },
	[CTRACK_A_PROTOINFO] = NLA_POLICY_NESTED(protoinfo_policy),
};

static const struct nla_policy update_policy[CTRACK_A_MAXTYPE + 1] = {
	[CTRACK_A_TUPLE_ORIG] = NLA_POLICY_NESTED(tuple_policy),
	[CTRACK_A_TUPLE_REPLY] = NLA_POLICY_NESTED(tuple_policy),
	[CTRACK_A_TIMEOUT] = { .type = NLA_U32 },
	[CTRACK_A_MARK] = { .type = NLA_U32 },
	[CTRACK_A_STATUS] = { .type = NLA_U32 },
};

static const struct nla_policy flush_policy[CTRACK_A_MAXTYPE + 1] = {
	[CTRACK_A_FAMILY] = { .type = NLA_U8 },
};

/* COUNT and STATS take no attributes: any is rejected. */
static const struct nla_policy none_policy[CTRACK_A_MAXTYPE + 1] = {};

#define ENTRY_OP(_cmd, _doit, _policy) {			\
		.cmd = (_cmd),					\
		.start = dump_start,				\
		.dumpit = dump_entries,				\
		.done = dump_done,				\
		.doit = (_doit),				\
		.policy = (_policy),				\
		.maxattr = CTRACK_A_MAXTYPE,			\
		.flags = GENL_UNS_ADMIN_PERM,			\
	}
#define DO_OP(_cmd, _doit, _policy) {				\
		.cmd = (_cmd),					\
		.doit = (_doit),				\
		.policy = (_policy),				\
		.maxattr = CTRACK_A_MAXTYPE,			\
		.flags = GENL_UNS_ADMIN_PERM,			\
	}

static const struct genl_ops ctrack_genl_ops[] = {
	ENTRY_OP(CTRACK_CMD_GET, cmd_get, get_policy),
	DO_OP(CTRACK_CMD_NEW, cmd_new, new_policy),
	DO_OP(CTRACK_CMD_UPDATE, cmd_update, update_policy),
	ENTRY_OP(CTRACK_CMD_DELETE, cmd_get, get_policy),
	DO_OP(CTRACK_CMD_FLUSH, cmd_flush, flush_policy),
	DO_OP(CTRACK_CMD_COUNT, cmd_count, none_policy),
	{
		.cmd = CTRACK_CMD_STATS,
		.doit = cmd_stats,
		.dumpit = dump_stats,
		.policy = none_policy,
		.maxattr = CTRACK_A_MAXTYPE,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	ENTRY_OP(CTRACK_CMD_ZERO, cmd_get, get_policy),
};

/* In enum ctrack_event order: the event is the group's index. */
static const struct genl_multicast_group ctrack_mcgrps[] = {
	[CTRACK_EV_NEW] = { .name = CTRACK_MCGRP_NEW, .flags = GENL_MCAST_CAP_NET_ADMIN },
	[CTRACK_EV_UPDATE] = { .name = CTRACK_MCGRP_UPDATE, .flags = GENL_MCAST_CAP_NET_ADMIN },
	[CTRACK_EV_DESTROY] = { .name = CTRACK_MCGRP_DESTROY, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family ctrack_genl_family __ro_after_init = {
	.name = CTRACK_GENL_NAME,
	.version = CTRACK_GENL_VERSION,
	.maxattr = CTRACK_A_MAXTYPE,
	.netnsok = true,
	/*
	 * Without genl_mutex: a dump in a namespace with few entries in a
	 * large table walks many buckets in one callback, and under the
	 * mutex it would stall every generic netlink family of the host
	 * (nl80211, devlink, wireguard...) meanwhile. Every operation is
	 * safe against the packet path already, and so against another
	 * operation; counter resets take and report in one lock hold.
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = ctrack_genl_ops,
	.n_ops = ARRAY_SIZE(ctrack_genl_ops),
	.mcgrps = ctrack_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ctrack_mcgrps),
};

int __init ctrack_netlink_init(void)
{
	int err;

	/* The attribute types follow the counters' order. */
	BUILD_BUG_ON(CTRACK_STAT_A_FOUND - CTRACK_STAT_FOUND != 1);
	BUILD_BUG_ON(CTRACK_STAT_A_EVENT_LOST - CTRACK_STAT_EVENT_LOST != 1);
	BUILD_BUG_ON(CTRACK_STAT_A_CPU - __CTRACK_STAT_MAX != 1);
	BUILD_BUG_ON(ARRAY_SIZE(ctrack_mcgrps) != __CTRACK_EV_MAX);

	get_random_bytes(&id_key, sizeof(id_key));
	err = genl_register_family(&ctrack_genl_family);
	if (!err)
		WRITE_ONCE(events_on, true);
	return err;
}

void ctrack_netlink_exit(void)
{
	WRITE_ONCE(events_on, false);
	synchronize_rcu();	/* no ctrack_event() uses the family any more */
	genl_unregister_family(&ctrack_genl_family);
}
