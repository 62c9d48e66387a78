/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_TUPLE_H
#define _CTRACK_TUPLE_H

#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
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
} __aligned(8);	/* compared as five 64-bit words */

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
	bool no_csum;		/* an IPv4 UDP datagram sent without checksum */
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

enum ctrack_parse_res ctrack_tuple_parse_slow(const struct sk_buff *skb,
					      unsigned int nhoff, u8 family,
					      struct ctrack_pkt *pkt);

/*
 * The common case in one go: IPv4 without options, not a fragment, TCP or
 * UDP with the headers in the linear area. It takes only packets that the
 * general path accepts, with the same result; everything else (and every
 * malformed packet) goes the general way.
 */
static __always_inline bool ctrack_parse_ipv4_fast(const struct sk_buff *skb,
					    unsigned int nhoff,
					    struct ctrack_pkt *pkt)
{
	const struct iphdr *iph;
	const __be16 *ports;
	unsigned int tot, l4len;

	if (skb_headlen(skb) < nhoff + sizeof(*iph) + sizeof(struct udphdr))
		return false;
	iph = (const struct iphdr *)(skb->data + nhoff);
	if (*(const u8 *)iph != 0x45 || (iph->frag_off & htons(IP_MF | IP_OFFSET)))
		return false;
	tot = ntohs(iph->tot_len);
	if (tot < sizeof(*iph) + sizeof(struct udphdr) || tot > skb->len - nhoff)
		return false;
	l4len = tot - sizeof(*iph);
	ports = (const __be16 *)(iph + 1);

	switch (iph->protocol) {
	case IPPROTO_UDP: {
		const struct udphdr *uh = (const struct udphdr *)ports;
		unsigned int ulen = ntohs(uh->len);

		if (ulen < sizeof(*uh) || ulen > l4len)
			return false;
		pkt->no_csum = !uh->check;
		break;
	}
	case IPPROTO_TCP: {
		const struct tcphdr *th = (const struct tcphdr *)ports;

		if (skb_headlen(skb) < nhoff + sizeof(*iph) + sizeof(*th) ||
		    th->doff < 5 || th->doff * 4 > l4len)
			return false;
		pkt->no_csum = false;
		break;
	}
	default:
		return false;
	}
	/*
	 * Whole words, all four: tuples are hashed and compared word by
	 * word, and an initializer of the union's .ip member leaves the
	 * other twelve bytes unspecified.
	 */
	pkt->tuple = (struct ctrack_tuple) {
		.src.all = { (__force u32)iph->saddr },
		.dst.all = { (__force u32)iph->daddr },
		.sp.port = ports[0],
		.dp.port = ports[1],
		.l3num = NFPROTO_IPV4,
		.proto = iph->protocol,
	};
	pkt->l4off = nhoff + sizeof(*iph);
	pkt->l4len = l4len;
	return true;
}

/*
 * ctrack_tuple_parse - build the tuple of the packet at @nhoff
 * @skb: the packet; only read
 * @nhoff: offset of the network header
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6
 * @pkt: filled in; for CTRACK_PARSE_ICMP_ERROR also @pkt->inner
 */
static inline enum ctrack_parse_res ctrack_tuple_parse(const struct sk_buff *skb,
						       unsigned int nhoff, u8 family,
						       struct ctrack_pkt *pkt)
{
	if (family == NFPROTO_IPV4 && ctrack_parse_ipv4_fast(skb, nhoff, pkt))
		return CTRACK_PARSE_OK;
	return ctrack_tuple_parse_slow(skb, nhoff, family, pkt);
}
bool ctrack_tuple_invert(struct ctrack_tuple *inv,
			 const struct ctrack_tuple *t);
bool ctrack_tuple_invertible(const struct ctrack_tuple *t);
bool ctrack_tuple_is_inverse_icmp(const struct ctrack_tuple *a,
				  const struct ctrack_tuple *b);
u8 ctrack_tuple_icmp_key(const struct ctrack_tuple *t);

/*
 * Tuples compare as five 64-bit words (they are 8-byte aligned, padding
 * zero): the lookup compares one or two a chain entry, and the kernel's
 * memcmp() goes byte by byte.
 */
static __always_inline bool ctrack_tuple_eq(const struct ctrack_tuple *a,
					    const struct ctrack_tuple *b)
{
	const u64 *x = (const u64 *)a, *y = (const u64 *)b;

	BUILD_BUG_ON(sizeof(struct ctrack_tuple) != 5 * sizeof(u64));
	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
		 (x[3] ^ y[3]) | (x[4] ^ y[4]));
}

/*
 * Is @b the tuple of the other direction of @a's flow? The word-wise
 * counterpart of inverting @b and comparing, without building the inverse
 * (the lookup asks this of every entry it meets that is not @a itself).
 * ICMP maps request types to reply types: it takes the slow way.
 */
static inline bool ctrack_tuple_is_inverse(const struct ctrack_tuple *a,
					   const struct ctrack_tuple *b)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	u32 diff;
	unsigned int i;

	if (unlikely(ctrack_proto_is_icmp(b->proto)))
		return ctrack_tuple_is_inverse_icmp(a, b);
	/* Words 0-3 source, 4-7 destination, 8 the ports, 9 l3num, proto. */
	BUILD_BUG_ON(offsetof(struct ctrack_tuple, sp) != 8 * sizeof(u32));
	diff = (x[8] ^ ror32(y[8], 16)) | (x[9] ^ y[9]);
	for (i = 0; i < 4; i++)
		diff |= (x[i] ^ y[4 + i]) | (x[4 + i] ^ y[i]);
	return !diff;
}

/*
 * Does @t's source end come first in the order of a flow's two ends
 * (addresses as words, then ports)? Its inverse gives the other answer
 * unless both ends are the same: the flow's hash key starts with the
 * first end, whichever direction a packet goes.
 */
static inline bool ctrack_tuple_src_first(const struct ctrack_tuple *t)
{
	const u32 *x = (const u32 *)t;
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (x[i] != x[4 + i])
			return x[i] < x[4 + i];
	/* ICMP: the identifier is the same both ways; the type is not an end. */
	if (ctrack_proto_is_icmp(t->proto))
		return true;
	return (__force u16)t->sp.port <= (__force u16)t->dp.port;
}

bool ctrack_icmp_is_error(u8 l3num, u8 type);

#endif /* _CTRACK_TUPLE_H */
