// SPDX-License-Identifier: GPL-2.0
/*
 * Entry filters (CTRACK_A_FILTER): what `ctrack -L/-D/-z` select with
 * -f, -p, -s, -d, -r, -q, the port and ICMP options, --state, -u and -m.
 * Parsed once per request, then matched against every entry of a dump
 * without taking any lock.
 */
#include <linux/bitops.h>

#include "filter.h"

const struct nla_policy ctrack_filter_policy[CTRACK_FA_MAX + 1] = {
	[CTRACK_FA_FAMILY] = NLA_POLICY_RANGE(NLA_U8, NFPROTO_IPV4, NFPROTO_IPV6),
	[CTRACK_FA_PROTO] = { .type = NLA_U8 },
	[CTRACK_FA_ORIG_SRC] = { .type = NLA_BINARY, .len = 16 },
	[CTRACK_FA_ORIG_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[CTRACK_FA_ORIG_DST] = { .type = NLA_BINARY, .len = 16 },
	[CTRACK_FA_ORIG_DST_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[CTRACK_FA_REPLY_SRC] = { .type = NLA_BINARY, .len = 16 },
	[CTRACK_FA_REPLY_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[CTRACK_FA_REPLY_DST] = { .type = NLA_BINARY, .len = 16 },
	[CTRACK_FA_REPLY_DST_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[CTRACK_FA_ORIG_SPORT] = { .type = NLA_BE16 },
	[CTRACK_FA_ORIG_DPORT] = { .type = NLA_BE16 },
	[CTRACK_FA_REPLY_SPORT] = { .type = NLA_BE16 },
	[CTRACK_FA_REPLY_DPORT] = { .type = NLA_BE16 },
	[CTRACK_FA_ICMP_TYPE] = { .type = NLA_U8 },
	[CTRACK_FA_ICMP_CODE] = { .type = NLA_U8 },
	[CTRACK_FA_ICMP_ID] = { .type = NLA_BE16 },
	[CTRACK_FA_TCP_STATE] = NLA_POLICY_MAX(NLA_U8, __CTRACK_TCP_MAX - 1),
	[CTRACK_FA_STATUS] = { .type = NLA_U32 },
	[CTRACK_FA_STATUS_MASK] = { .type = NLA_U32 },
	[CTRACK_FA_MARK] = { .type = NLA_U32 },
	[CTRACK_FA_MARK_MASK] = { .type = NLA_U32 },
};

/* A network-order mask of @plen leading ones over @len bytes. */
static void prefix_mask(union nf_inet_addr *m, unsigned int plen, unsigned int len)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < len && plen; i++) {
		unsigned int bits = min(plen, 8U);

		((u8 *)m)[i] = (u8)(0xff00 >> bits);
		plen -= bits;
	}
}

static int parse_addr(struct ctrack_filter *f, struct nlattr **tb, int slot,
		      struct netlink_ext_ack *extack)
{
	int type = CTRACK_FA_ORIG_SRC + 2 * slot;
	unsigned int len = f->family == NFPROTO_IPV4 ? 4 : 16, plen = len * 8;

	if (!tb[type]) {
		if (tb[type + 1]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[type + 1],
					    "a prefix length needs its address");
			return -EINVAL;
		}
		return 0;
	}
	if (!(f->has & BIT(CTRACK_FA_FAMILY))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[type], "an address needs CTRACK_FA_FAMILY");
		return -EINVAL;
	}
	if (nla_len(tb[type]) != len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[type],
				    "address length does not match the family");
		return -EINVAL;
	}
	if (tb[type + 1]) {
		plen = nla_get_u8(tb[type + 1]);
		if (plen > len * 8) {
			NL_SET_ERR_MSG_ATTR(extack, tb[type + 1],
					    "prefix longer than the address");
			return -EINVAL;
		}
	}
	memset(&f->addr[slot], 0, sizeof(f->addr[slot]));
	nla_memcpy(&f->addr[slot], tb[type], len);
	prefix_mask(&f->mask[slot], plen, len);
	/* Host bits of the address are ignored, as in a route. */
	f->addr[slot].all[0] &= f->mask[slot].all[0];
	f->addr[slot].all[1] &= f->mask[slot].all[1];
	f->addr[slot].all[2] &= f->mask[slot].all[2];
	f->addr[slot].all[3] &= f->mask[slot].all[3];
	return 0;
}

/*
 * ctrack_filter_parse - fill @f from a CTRACK_A_FILTER nest (NULL: match all)
 *
 * Every rejection names the attribute in @extack.
 */
int ctrack_filter_parse(struct ctrack_filter *f, const struct nlattr *nest,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CTRACK_FA_MAX + 1];
	int err, i;

	memset(f, 0, sizeof(*f));
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, CTRACK_FA_MAX, nest, ctrack_filter_policy, extack);
	if (err)
		return err;
	for (i = 1; i <= CTRACK_FA_MAX; i++)
		if (tb[i])
			f->has |= BIT(i);

	if (tb[CTRACK_FA_FAMILY]) {
		f->family = nla_get_u8(tb[CTRACK_FA_FAMILY]);
		if (f->family != NFPROTO_IPV4 && f->family != NFPROTO_IPV6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[CTRACK_FA_FAMILY],
					    "family must be NFPROTO_IPV4 or NFPROTO_IPV6");
			return -EINVAL;
		}
	}
	for (i = 0; i < __CTRACK_FS_MAX; i++) {
		err = parse_addr(f, tb, i, extack);
		if (err)
			return err;
	}

	if (tb[CTRACK_FA_PROTO])
		f->proto = nla_get_u8(tb[CTRACK_FA_PROTO]);
	for (i = 0; i < __CTRACK_FS_MAX; i++) {
		struct nlattr *a = tb[CTRACK_FA_ORIG_SPORT + i];

		if (!a)
			continue;
		if (!tb[CTRACK_FA_PROTO] || !ctrack_proto_has_ports(f->proto)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "ports need CTRACK_FA_PROTO TCP, UDP or UDP-Lite");
			return -EINVAL;
		}
		f->port[i] = nla_get_be16(a);
	}
	for (i = CTRACK_FA_ICMP_TYPE; i <= CTRACK_FA_ICMP_ID; i++) {
		if (tb[i] && (!tb[CTRACK_FA_PROTO] || !ctrack_proto_is_icmp(f->proto))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "ICMP fields need CTRACK_FA_PROTO ICMP or ICMPv6");
			return -EINVAL;
		}
	}
	if (tb[CTRACK_FA_ICMP_TYPE])
		f->icmp_type = nla_get_u8(tb[CTRACK_FA_ICMP_TYPE]);
	if (tb[CTRACK_FA_ICMP_CODE])
		f->icmp_code = nla_get_u8(tb[CTRACK_FA_ICMP_CODE]);
	if (tb[CTRACK_FA_ICMP_ID])
		f->icmp_id = nla_get_be16(tb[CTRACK_FA_ICMP_ID]);
	if (tb[CTRACK_FA_TCP_STATE]) {
		if (!tb[CTRACK_FA_PROTO] || f->proto != IPPROTO_TCP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[CTRACK_FA_TCP_STATE],
					    "a TCP state needs CTRACK_FA_PROTO TCP");
			return -EINVAL;
		}
		f->tcp_state = nla_get_u8(tb[CTRACK_FA_TCP_STATE]);
	}

	if (tb[CTRACK_FA_STATUS_MASK] && !tb[CTRACK_FA_STATUS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CTRACK_FA_STATUS_MASK],
				    "a status mask needs CTRACK_FA_STATUS");
		return -EINVAL;
	}
	if (tb[CTRACK_FA_STATUS]) {
		f->status = nla_get_u32(tb[CTRACK_FA_STATUS]);
		f->status_mask = tb[CTRACK_FA_STATUS_MASK] ?
				 nla_get_u32(tb[CTRACK_FA_STATUS_MASK]) : f->status;
		f->status &= f->status_mask;
	}
	if (tb[CTRACK_FA_MARK_MASK] && !tb[CTRACK_FA_MARK]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CTRACK_FA_MARK_MASK],
				    "a mark mask needs CTRACK_FA_MARK");
		return -EINVAL;
	}
	if (tb[CTRACK_FA_MARK]) {
		f->mark = nla_get_u32(tb[CTRACK_FA_MARK]);
		f->mark_mask = tb[CTRACK_FA_MARK_MASK] ?
			       nla_get_u32(tb[CTRACK_FA_MARK_MASK]) : ~0U;
		f->mark &= f->mark_mask;
	}
	return 0;
}

static bool masked_eq(const union nf_inet_addr *a, const union nf_inet_addr *want,
		       const union nf_inet_addr *mask)
{
	return !(((a->all[0] & mask->all[0]) ^ want->all[0]) |
		 ((a->all[1] & mask->all[1]) ^ want->all[1]) |
		 ((a->all[2] & mask->all[2]) ^ want->all[2]) |
		 ((a->all[3] & mask->all[3]) ^ want->all[3]));
}

#define HAS(f, attr) ((f)->has & BIT(CTRACK_FA_##attr))

/*
 * Does @e match @f? Reads the entry without its lock: a dump sees each
 * field as it was at some moment during the walk. Caller holds
 * rcu_read_lock or a reference.
 */
bool ctrack_filter_match(const struct ctrack_filter *f,
			 const struct ctrack_entry *e)
{
	const struct ctrack_tuple *o = &e->tuple;
	struct ctrack_tuple r;
	const union nf_inet_addr *addr[__CTRACK_FS_MAX];
	__be16 port[__CTRACK_FS_MAX];
	int i;

	if (!f->has)
		return true;
	if ((HAS(f, FAMILY) && o->l3num != f->family) ||
	    (HAS(f, PROTO) && o->proto != f->proto))
		return false;
	ctrack_entry_tuple(e, CTRACK_DIR_REPLY, &r);
	addr[CTRACK_FS_ORIG_SRC] = &o->src;
	addr[CTRACK_FS_ORIG_DST] = &o->dst;
	addr[CTRACK_FS_REPLY_SRC] = &r.src;
	addr[CTRACK_FS_REPLY_DST] = &r.dst;
	port[CTRACK_FS_ORIG_SRC] = o->sp.port;
	port[CTRACK_FS_ORIG_DST] = o->dp.port;
	port[CTRACK_FS_REPLY_SRC] = r.sp.port;
	port[CTRACK_FS_REPLY_DST] = r.dp.port;
	for (i = 0; i < __CTRACK_FS_MAX; i++) {
		if ((f->has & BIT(CTRACK_FA_ORIG_SRC + 2 * i)) &&
		    !masked_eq(addr[i], &f->addr[i], &f->mask[i]))
			return false;
		if ((f->has & BIT(CTRACK_FA_ORIG_SPORT + i)) && port[i] != f->port[i])
			return false;
	}
	if ((HAS(f, ICMP_TYPE) && o->dp.icmp.type != f->icmp_type) ||
	    (HAS(f, ICMP_CODE) && o->dp.icmp.code != f->icmp_code) ||
	    (HAS(f, ICMP_ID) && o->sp.id != f->icmp_id))
		return false;
	/* Only TCP entries have a TCP state. */
	if (HAS(f, TCP_STATE) &&
	    (o->proto != IPPROTO_TCP ||
	     READ_ONCE(ctrack_entry_tcp(e)->state) != f->tcp_state))
		return false;
	if (HAS(f, STATUS) &&
	    ((u32)READ_ONCE(e->status) & f->status_mask) != f->status)
		return false;
	if (HAS(f, MARK) && (READ_ONCE(e->mark) & f->mark_mask) != f->mark)
		return false;
	return true;
}
