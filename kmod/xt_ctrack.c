// SPDX-License-Identifier: GPL-2.0
/*
 * The "ctrack" xtables match (include/uapi/linux/netfilter/xt_ctrack.h).
 *
 * It matches on the verdict that ctrack_in() computed for this very skb
 * (Documentation/design.md, "Verdict handoff"), found through the verdict
 * rings: never on a second look at the packet. A packet ctrack has not classified (the raw
 * table runs before it; a verdict miss) matches no ctrack rule at all.
 * Options other than --ctstate need an entry: a packet classified
 * INVALID or UNTRACKED has none and matches none of them, inverted or not.
 */
#include <linux/module.h>
#include <linux/netfilter/x_tables.h>
#include <uapi/linux/netfilter/xt_ctrack.h>

#include "proto.h"
#include "verdict.h"
#include "xt_ctrack.h"

#define STATUS_BITS (CTRACK_S_EXPECTED | CTRACK_S_SEEN_REPLY | \
		     CTRACK_S_ASSURED | CTRACK_S_CONFIRMED)

/* Does one option hold, given its result before inversion? */
static bool opt(const struct xt_ctrack_mtinfo1 *info, u16 flag, bool hit)
{
	return hit ^ !!(info->invert_flags & flag);
}

static bool addr_in(const union nf_inet_addr *a, const union nf_inet_addr *want,
		    const union nf_inet_addr *mask, u8 family)
{
	if (family == NFPROTO_IPV4)
		return !((a->ip ^ want->ip) & mask->ip);
	return !(((a->all[0] ^ want->all[0]) & mask->all[0]) |
		 ((a->all[1] ^ want->all[1]) & mask->all[1]) |
		 ((a->all[2] ^ want->all[2]) & mask->all[2]) |
		 ((a->all[3] ^ want->all[3]) & mask->all[3]));
}

/* The options about the entry. Caller holds rcu_read_lock. */
static bool entry_matches(const struct xt_ctrack_mtinfo1 *info,
			  const struct ctrack_entry *e, u8 dir, u8 family)
{
	const union nf_inet_addr *addr[4], *want[4], *mask[4];
	struct ctrack_tuple r;
	__be16 port[4];
	u16 flags = info->match_flags;
	int i;

	if ((flags & XT_CTRACK_PROTO) &&
	    !opt(info, XT_CTRACK_PROTO, e->tuple.proto == info->l4proto))
		return false;
	if ((flags & XT_CTRACK_DIR) &&
	    !opt(info, XT_CTRACK_DIR, dir == info->direction))
		return false;

	if (!(flags & (XT_CTRACK_REPLSRC | XT_CTRACK_REPLDST |
		       XT_CTRACK_REPLSRC_PORT | XT_CTRACK_REPLDST_PORT)))
		r = e->tuple;	/* not looked at */
	else
		ctrack_entry_tuple(e, CTRACK_DIR_REPLY, &r);
	addr[0] = &e->tuple.src;
	addr[1] = &e->tuple.dst;
	addr[2] = &r.src;
	addr[3] = &r.dst;
	want[0] = &info->origsrc_addr;
	want[1] = &info->origdst_addr;
	want[2] = &info->replsrc_addr;
	want[3] = &info->repldst_addr;
	mask[0] = &info->origsrc_mask;
	mask[1] = &info->origdst_mask;
	mask[2] = &info->replsrc_mask;
	mask[3] = &info->repldst_mask;
	port[0] = e->tuple.sp.port;
	port[1] = e->tuple.dp.port;
	port[2] = r.sp.port;
	port[3] = r.dp.port;
	for (i = 0; i < XT_CTRACK_NPORTS; i++) {
		u16 aflag = XT_CTRACK_ORIGSRC << i, pflag = XT_CTRACK_ORIGSRC_PORT << i;

		if ((flags & aflag) &&
		    !opt(info, aflag, addr_in(addr[i], want[i], mask[i], family)))
			return false;
		if (flags & pflag) {
			u16 p = ntohs(port[i]);

			/* An entry without ports has none in any range. */
			if (!ctrack_proto_has_ports(e->tuple.proto))
				return false;
			if (!opt(info, pflag, p >= info->port_min[i] &&
				 p <= info->port_max[i]))
				return false;
		}
	}

	if (flags & XT_CTRACK_STATUS) {
		u32 status = READ_ONCE(e->status) & STATUS_BITS;
		bool hit = (status & info->status_mask) ||
			   (!status && (info->status_mask & XT_CTRACK_STATUS_NONE));

		if (!opt(info, XT_CTRACK_STATUS, hit))
			return false;
	}
	if (flags & XT_CTRACK_EXPIRES) {
		unsigned long left = ctrack_entry_remaining(e) / HZ;

		if (!opt(info, XT_CTRACK_EXPIRES, left >= info->expires_min &&
			 left <= info->expires_max))
			return false;
	}
	return true;
}

/* The match on the slot's verdict. Caller has BHs off (the slot is stable). */
static bool verdict_matches(const struct xt_ctrack_mtinfo1 *info,
			    const struct ctrack_verdict *v, u8 family)
{
	struct ctrack_entry *e = READ_ONCE(v->entry);

	if ((info->match_flags & XT_CTRACK_STATE) &&
	    !opt(info, XT_CTRACK_STATE,
		 info->state_mask & XT_CTRACK_STATE_BIT(v->state)))
		return false;
	if (!(info->match_flags & ~XT_CTRACK_STATE))
		return true;
	if (!e || v->state == CTRACK_PKT_INVALID || v->state == CTRACK_PKT_UNTRACKED)
		return false;
	return entry_matches(info, e, v->dir, family);
}

static bool ctrack_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
	const struct xt_ctrack_mtinfo1 *info = par->matchinfo;
	struct ctrack_verdict *v;
	bool hit = false, bh;

	/*
	 * BHs stay off for the whole evaluation: the slot cannot be reused
	 * under us, nor the task migrate between rules. The entry is safe
	 * under the hook's RCU read lock.
	 */
	bh = ctrack_bh_off();
	v = ctrack_verdict_get(skb, xt_net(par));
	if (v)
		hit = verdict_matches(info, v, xt_family(par));
	else
		CTRACK_STAT_INC(ctrack_pernet(xt_net(par)), CTRACK_STAT_VERDICT_MISS);
	ctrack_bh_restore(bh);
	return hit;
}

/*
 * An address as the plugin stores it: masked, and for IPv4 nothing past
 * the first word, so that rules compare equal byte for byte (-D, -C).
 */
static bool addr_canonical(const union nf_inet_addr *a,
			   const union nf_inet_addr *m, u8 family)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (a->all[i] & ~m->all[i])
			return false;
		if (family == NFPROTO_IPV4 && i && (a->all[i] | m->all[i]))
			return false;
	}
	return true;
}

static int ctrack_mt_check(const struct xt_mtchk_param *par)
{
	const struct xt_ctrack_mtinfo1 *info = par->matchinfo;
	const union nf_inet_addr *addrs[XT_CTRACK_NPORTS][2] = {
		{ &info->origsrc_addr, &info->origsrc_mask },
		{ &info->origdst_addr, &info->origdst_mask },
		{ &info->replsrc_addr, &info->replsrc_mask },
		{ &info->repldst_addr, &info->repldst_mask },
	};
	int i;

	if (!strcmp(par->table, "raw")) {
		pr_info_ratelimited("the raw table runs before ctrack classifies: use mangle or filter\n");
		return -EINVAL;
	}
	if (!info->match_flags || (info->match_flags & ~XT_CTRACK_ALL) ||
	    (info->invert_flags & ~info->match_flags) ||
	    info->pad[0] || info->pad[1]) {
		pr_info_ratelimited("unknown or inconsistent option flags\n");
		return -EINVAL;
	}
	if ((info->match_flags & XT_CTRACK_STATE) &&
	    (!info->state_mask || (info->state_mask & ~0x7f))) {
		pr_info_ratelimited("empty or unknown --ctstate\n");
		return -EINVAL;
	}
	if ((info->match_flags & XT_CTRACK_STATUS) &&
	    (!info->status_mask ||
	     (info->status_mask & ~(STATUS_BITS | XT_CTRACK_STATUS_NONE)))) {
		pr_info_ratelimited("empty or unknown --ctstatus\n");
		return -EINVAL;
	}
	if (info->direction >= CTRACK_DIR_MAX ||
	    (info->invert_flags & XT_CTRACK_DIR)) {
		pr_info_ratelimited("--ctdir is ORIGINAL or REPLY, not inverted\n");
		return -EINVAL;
	}
	for (i = 0; i < XT_CTRACK_NPORTS; i++) {
		if ((info->match_flags & (XT_CTRACK_ORIGSRC << i)) &&
		    !addr_canonical(addrs[i][0], addrs[i][1], par->family)) {
			pr_info_ratelimited("address with bits outside its mask or family\n");
			return -EINVAL;
		}
	}
	if (info->expires_min > info->expires_max) {
		pr_info_ratelimited("--ctexpire range is backwards\n");
		return -EINVAL;
	}
	for (i = 0; i < XT_CTRACK_NPORTS; i++) {
		if (!(info->match_flags & (XT_CTRACK_ORIGSRC_PORT << i)))
			continue;
		if (!(info->match_flags & XT_CTRACK_PROTO) ||
		    (info->invert_flags & XT_CTRACK_PROTO) ||
		    !ctrack_proto_has_ports(info->l4proto)) {
			pr_info_ratelimited("port options need --ctproto tcp, udp or udplite\n");
			return -EINVAL;
		}
		if (info->port_min[i] > info->port_max[i]) {
			pr_info_ratelimited("port range is backwards\n");
			return -EINVAL;
		}
	}
	return 0;
}

static struct xt_match ctrack_mt_reg[] __read_mostly = {
	{
		.name = "ctrack",
		.revision = 1,
		.family = NFPROTO_IPV4,
		.match = ctrack_mt,
		.checkentry = ctrack_mt_check,
		.matchsize = sizeof(struct xt_ctrack_mtinfo1),
		.me = THIS_MODULE,
	},
	{
		.name = "ctrack",
		.revision = 1,
		.family = NFPROTO_IPV6,
		.match = ctrack_mt,
		.checkentry = ctrack_mt_check,
		.matchsize = sizeof(struct xt_ctrack_mtinfo1),
		.me = THIS_MODULE,
	},
};

int __init ctrack_xt_init(void)
{
	return xt_register_matches(ctrack_mt_reg, ARRAY_SIZE(ctrack_mt_reg));
}

void ctrack_xt_exit(void)
{
	xt_unregister_matches(ctrack_mt_reg, ARRAY_SIZE(ctrack_mt_reg));
}
