// SPDX-License-Identifier: GPL-2.0
/*
 * The ctrack generic netlink family: list the table (GET dump), count it,
 * flush it, read the counters. include/uapi/linux/ctrack.h and
 * Documentation/netlink/specs/ctrack.yaml are the contract.
 *
 * Every command is GENL_UNS_ADMIN_PERM: CAP_NET_ADMIN in the user namespace
 * that owns the caller's netns, and it acts on that netns only.
 */
#include <linux/siphash.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "netlink.h"
#include "pernet.h"
#include "proto.h"

static struct genl_family ctrack_genl_family;
static siphash_key_t id_key __read_mostly;

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

/* A consistent copy of what packets change, taken under the entry lock. */
struct snapshot {
	u64 packets[CTRACK_DIR_MAX];
	u64 bytes[CTRACK_DIR_MAX];
	u8 tcp_state;
	u8 wscale[CTRACK_DIR_MAX];
};

static void take_snapshot(struct ctrack_entry *e, struct snapshot *s)
{
	spin_lock_bh(&e->lock);
	memcpy(s->packets, e->packets, sizeof(s->packets));
	memcpy(s->bytes, e->bytes, sizeof(s->bytes));
	s->tcp_state = e->proto.tcp.state;
	s->wscale[0] = e->proto.tcp.seen[0].scale;
	s->wscale[1] = e->proto.tcp.seen[1].scale;
	spin_unlock_bh(&e->lock);
}

/* One entry as a message. Caller holds rcu_read_lock or a reference. */
static int fill_entry(struct sk_buff *skb, struct ctrack_entry *e, u32 portid,
		      u32 seq, int flags, u8 cmd)
{
	struct ctrack_tuple reply;
	struct snapshot s;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ctrack_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	take_snapshot(e, &s);
	ctrack_entry_tuple(e, CTRACK_DIR_REPLY, &reply);
	if (put_tuple(skb, CTRACK_A_TUPLE_ORIG, &e->tuple) ||
	    put_tuple(skb, CTRACK_A_TUPLE_REPLY, &reply) ||
	    nla_put_u32(skb, CTRACK_A_STATUS, (u32)READ_ONCE(e->status)) ||
	    nla_put_u32(skb, CTRACK_A_TIMEOUT, ctrack_entry_remaining(e) / HZ) ||
	    nla_put_u32(skb, CTRACK_A_MARK, READ_ONCE(e->mark)) ||
	    put_counters(skb, CTRACK_A_COUNTERS_ORIG, s.packets[0], s.bytes[0]) ||
	    put_counters(skb, CTRACK_A_COUNTERS_REPLY, s.packets[1], s.bytes[1]) ||
	    nla_put_u64_64bit(skb, CTRACK_A_ID, entry_id(e), CTRACK_A_PAD) ||
	    nla_put_u64_64bit(skb, CTRACK_A_START, e->start, CTRACK_A_PAD) ||
	    nla_put_u32(skb, CTRACK_A_USE, refcount_read(&e->use)))
		goto cancel;
	if (e->tuple.proto == IPPROTO_TCP) {
		nest = nla_nest_start(skb, CTRACK_A_PROTOINFO);
		if (!nest ||
		    nla_put_u8(skb, CTRACK_PA_TCP_STATE, s.tcp_state) ||
		    nla_put_u8(skb, CTRACK_PA_TCP_WSCALE_ORIG, s.wscale[0]) ||
		    nla_put_u8(skb, CTRACK_PA_TCP_WSCALE_REPLY, s.wscale[1]))
			goto cancel;
		nla_nest_end(skb, nest);
	}
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Dump filter, parsed once at the dump's start. */
struct dump_ctx {
	unsigned int bucket;	/* next bucket to list */
	unsigned int skip;	/* entries of it already sent (see dump_entries) */
	u8 family;		/* 0: any */
	u8 proto;
	bool has_proto;
};

static_assert(sizeof(struct dump_ctx) <= sizeof_field(struct netlink_callback, ctx));

static int dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = ctrack_dump_attrs(cb);
	struct dump_ctx *ctx = (struct dump_ctx *)cb->ctx;

	memset(ctx, 0, sizeof(*ctx));
	if (attrs[CTRACK_A_FAMILY]) {
		ctx->family = nla_get_u8(attrs[CTRACK_A_FAMILY]);
		if (ctx->family != NFPROTO_IPV4 && ctx->family != NFPROTO_IPV6) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[CTRACK_A_FAMILY],
					    "family must be NFPROTO_IPV4 or NFPROTO_IPV6");
			return -EINVAL;
		}
	}
	if (attrs[CTRACK_A_PROTO]) {
		ctx->proto = nla_get_u8(attrs[CTRACK_A_PROTO]);
		ctx->has_proto = true;
	}
	return 0;
}

static bool dump_match(const struct dump_ctx *ctx, const struct ctrack_entry *e)
{
	return (!ctx->family || e->tuple.l3num == ctx->family) &&
	       (!ctx->has_proto || e->tuple.proto == ctx->proto);
}

/*
 * The table is listed a whole bucket at a time: a bucket that does not fit
 * is trimmed off and sent again, complete, in the next message. An entry
 * never changes bucket, so one that lives through the whole dump is sent
 * exactly once however others come and go. Only a bucket too long for an
 * empty message is split, resuming by position (ctx->skip); that needs
 * chains of dozens of entries, which the table's sizing rules out.
 */
static int dump_entries(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dump_ctx *ctx = (struct dump_ctx *)cb->ctx;
	struct net *net = sock_net(skb->sk);
	u32 portid = NETLINK_CB(cb->skb).portid;
	u32 seq = cb->nlh->nlmsg_seq;

	rcu_read_lock();
	for (; ctx->bucket < ctrack_hash_size; ctx->bucket++) {
		unsigned int start = skb->len, n = 0;
		struct ctrack_hnode *h;

		hlist_for_each_entry_rcu(h, &ctrack_hash[ctx->bucket], node) {
			struct ctrack_entry *e = ctrack_hnode_entry(h);

			if (!ctrack_hnode_listed(h, net) || !dump_match(ctx, e))
				continue;
			if (n++ < ctx->skip)
				continue;
			if (fill_entry(skb, e, portid, seq, NLM_F_MULTI,
				       CTRACK_CMD_GET) < 0) {
				if (start) {
					skb_trim(skb, start);
					ctx->skip = 0;
				} else {
					ctx->skip = n - 1;
				}
				goto out;
			}
		}
		ctx->skip = 0;
	}
out:
	rcu_read_unlock();
	return skb->len;
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

static int put_stats(struct sk_buff *msg, struct net *net)
{
	struct ctrack_net *cnet = ctrack_pernet(net);
	u64 total[__CTRACK_STAT_MAX] = {}, one[__CTRACK_STAT_MAX];
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct ctrack_stats *st = per_cpu_ptr(cnet->stats, cpu);

		for (i = 0; i < __CTRACK_STAT_MAX; i++)
			total[i] += READ_ONCE(st->c[i]);
	}
	if (put_count(msg, net) ||
	    put_stat_nest(msg, CTRACK_A_STATS, total, -1))
		return -EMSGSIZE;
	for_each_possible_cpu(cpu) {
		const struct ctrack_stats *st = per_cpu_ptr(cnet->stats, cpu);

		for (i = 0; i < __CTRACK_STAT_MAX; i++)
			one[i] = READ_ONCE(st->c[i]);
		if (put_stat_nest(msg, CTRACK_A_STATS_CPU, one, cpu))
			return -EMSGSIZE;
	}
	return 0;
}

static int cmd_stats(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, CTRACK_CMD_STATS, put_stats);
}

static const struct nla_policy get_policy[CTRACK_A_MAXTYPE + 1] = {
	[CTRACK_A_FAMILY] = { .type = NLA_U8 },
	[CTRACK_A_PROTO] = { .type = NLA_U8 },
};

static const struct nla_policy flush_policy[CTRACK_A_MAXTYPE + 1] = {
	[CTRACK_A_FAMILY] = { .type = NLA_U8 },
};

/* COUNT and STATS take no attributes: any is rejected. */
static const struct nla_policy none_policy[CTRACK_A_MAXTYPE + 1] = {};

static const struct genl_ops ctrack_genl_ops[] = {
	{
		.cmd = CTRACK_CMD_GET,
		.start = dump_start,
		.dumpit = dump_entries,
		.policy = get_policy,
		.maxattr = CTRACK_A_MAXTYPE,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = CTRACK_CMD_FLUSH,
		.doit = cmd_flush,
		.policy = flush_policy,
		.maxattr = CTRACK_A_MAXTYPE,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = CTRACK_CMD_COUNT,
		.doit = cmd_count,
		.policy = none_policy,
		.maxattr = CTRACK_A_MAXTYPE,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = CTRACK_CMD_STATS,
		.doit = cmd_stats,
		.policy = none_policy,
		.maxattr = CTRACK_A_MAXTYPE,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family ctrack_genl_family __ro_after_init = {
	.name = CTRACK_GENL_NAME,
	.version = CTRACK_GENL_VERSION,
	.maxattr = CTRACK_A_MAXTYPE,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = ctrack_genl_ops,
	.n_ops = ARRAY_SIZE(ctrack_genl_ops),
	.resv_start_op = CTRACK_CMD_MAX + 1,
};

int __init ctrack_netlink_init(void)
{
	/* The attribute types follow the counters' order. */
	BUILD_BUG_ON(CTRACK_STAT_A_FOUND - CTRACK_STAT_FOUND != 1);
	BUILD_BUG_ON(CTRACK_STAT_A_EXPIRED - CTRACK_STAT_EXPIRED != 1);
	BUILD_BUG_ON(CTRACK_STAT_A_CPU - __CTRACK_STAT_MAX != 1);

	get_random_bytes(&id_key, sizeof(id_key));
	return genl_register_family(&ctrack_genl_family);
}

void ctrack_netlink_exit(void)
{
	genl_unregister_family(&ctrack_genl_family);
}
