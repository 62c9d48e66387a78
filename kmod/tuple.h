/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_TUPLE_H
#define _CTRACK_TUPLE_H

#include <linux/types.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>
#include <uapi/linux/ctrack.h>

/*
 * What identifies a flow in one direction. For ICMP and ICMPv6 the
 * "source port" is the echo identifier and the "destination port" holds
 * type and code, so that a request and its reply invert into each other.
 * Padding is always zero: tuples are hashed and compared as memory.
 */
struct ctrack_tuple {
	union nf_inet_addr src;
	union nf_inet_addr dst;
	union {
		__be16 port;
		__be16 id;
	} sp;
	union {
		__be16 port;
		struct {
			u8 type;
			u8 code;
		} icmp;
	} dp;
	u8 l3num;	/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	u8 proto;	/* IPPROTO_* */
	u16 pad;
};

/* What parsing a packet found out, beside the tuple. */
enum ctrack_parse_res {
	CTRACK_PARSE_OK,
	CTRACK_PARSE_INVALID,		/* malformed or truncated */
	CTRACK_PARSE_UNTRACKED,		/* never tracked (neighbour discovery, MLD) */
	CTRACK_PARSE_ICMP_ERROR,	/* an ICMP error: see the inner tuple */
};

struct ctrack_pkt {
	struct ctrack_tuple tuple;
	unsigned int l4off;	/* offset of the L4 header in the skb */
	unsigned int l4len;	/* bytes from l4off to the end of the L3 payload */
	/* ICMP errors only: the quoted packet's tuple, as it was sent */
	struct ctrack_tuple inner;
};

/* Protocols whose tuples carry ports, and the ICMPs (type, code, id). */
static inline bool ctrack_proto_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE;
}

static inline bool ctrack_proto_is_icmp(u8 proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

enum ctrack_parse_res ctrack_tuple_parse(const struct sk_buff *skb,
					 unsigned int nhoff, u8 family,
					 struct ctrack_pkt *pkt);
bool ctrack_tuple_invert(struct ctrack_tuple *inv,
			 const struct ctrack_tuple *t);

/*
 * Tuples compare as 32-bit words (they are 4-byte aligned, padding zero):
 * the lookup compares one or two a chain entry, and the kernel's memcmp()
 * goes byte by byte.
 */
#define CTRACK_TUPLE_WORDS (sizeof(struct ctrack_tuple) / sizeof(u32))

static inline bool ctrack_tuple_eq(const struct ctrack_tuple *a,
				   const struct ctrack_tuple *b)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	u32 diff = 0;
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct ctrack_tuple) % sizeof(u32));
	for (i = 0; i < CTRACK_TUPLE_WORDS; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

/* A total order on tuples (not memcmp()'s): negative when @a comes first. */
static inline int ctrack_tuple_cmp(const struct ctrack_tuple *a,
				   const struct ctrack_tuple *b)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	unsigned int i;

	for (i = 0; i < CTRACK_TUPLE_WORDS; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}
bool ctrack_icmp_is_error(u8 l3num, u8 type);

#endif /* _CTRACK_TUPLE_H */
