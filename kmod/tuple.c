// SPDX-License-Identifier: GPL-2.0
/*
 * Turning a packet into a tuple. Everything is read through
 * skb_header_pointer() with explicit length checks: a truncated or
 * inconsistent header yields CTRACK_PARSE_INVALID, never a read past the
 * data the packet really has.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/ipv6.h>
#include <net/ip.h>

#include "tuple.h"

/* An IPv6 chain longer than this is treated as an attack, not a packet. */
#define CTRACK_MAX_EXTHDRS 16

struct l3_info {
	unsigned int l4off;
	unsigned int l4len;
	u8 proto;
	bool frag_first;	/* first fragment of a datagram not reassembled */
};

static bool icmp_type_is_error(u8 l3num, u8 type)
{
	if (l3num == NFPROTO_IPV4)
		return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
		       type == ICMP_REDIRECT || type == ICMP_TIME_EXCEEDED ||
		       type == ICMP_PARAMETERPROB;
	return type < 128 && type >= ICMPV6_DEST_UNREACH &&
	       type <= ICMPV6_PARAMPROB;
}

bool ctrack_icmp_is_error(u8 l3num, u8 type)
{
	return icmp_type_is_error(l3num, type);
}

/* ICMPv6 neighbour discovery and MLD: link-local housekeeping, never tracked. */
static bool icmpv6_type_untracked(u8 type)
{
	switch (type) {
	case ICMPV6_MGM_QUERY:
	case ICMPV6_MGM_REPORT:
	case ICMPV6_MGM_REDUCTION:
	case NDISC_ROUTER_SOLICITATION:
	case NDISC_ROUTER_ADVERTISEMENT:
	case NDISC_NEIGHBOUR_SOLICITATION:
	case NDISC_NEIGHBOUR_ADVERTISEMENT:
	case ICMPV6_MLD2_REPORT:
		return true;
	}
	return false;
}

/*
 * @inner: the header is quoted inside an ICMP error, so the datagram may
 * be cut short after the first 8 bytes of its payload; only what was
 * quoted must be present.
 */
static int parse_ipv4(const struct sk_buff *skb, unsigned int off, bool inner,
		      struct ctrack_tuple *t, struct l3_info *l3)
{
	struct iphdr _iph;
	const struct iphdr *iph;
	unsigned int ihl, tot;

	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return -EINVAL;
	ihl = iph->ihl * 4;
	tot = ntohs(iph->tot_len);
	/*
	 * BIG TCP: a GRO super-packet past 64 KiB carries tot_len 0 and its
	 * length in the skb (the kernel's iph_totlen()).
	 */
	if (!tot && !inner && skb_is_gso(skb) && skb_is_gso_tcp(skb))
		tot = skb->len - off;
	if (tot < ihl)
		return -EINVAL;
	if (!inner) {
		if (tot > skb->len - off)
			return -EINVAL;
		l3->l4len = tot - ihl;
	} else {
		if (off + ihl > skb->len)
			return -EINVAL;
		l3->l4len = min(tot, skb->len - off) - ihl;
	}
	/* Defragmentation ran before us; a later fragment has no L4 header. */
	if (iph->frag_off & htons(IP_OFFSET))
		return -EINVAL;
	l3->frag_first = !!(iph->frag_off & htons(IP_MF));
	t->l3num = NFPROTO_IPV4;
	t->src.ip = iph->saddr;
	t->dst.ip = iph->daddr;
	l3->l4off = off + ihl;
	l3->proto = iph->protocol;
	return 0;
}

static int parse_ipv6(const struct sk_buff *skb, unsigned int off, bool inner,
		      struct ctrack_tuple *t, struct l3_info *l3)
{
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	unsigned int end, hdrs = 0;
	u8 nexthdr;

	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return -EINVAL;
	end = off + sizeof(*ip6h) + ntohs(ip6h->payload_len);
	/*
	 * A jumbogram (RFC 2675; BIG TCP's GRO makes them): payload length
	 * 0 and a hop-by-hop header with the jumbo option, which the IPv6
	 * input checked and trimmed the skb to before PREROUTING.
	 */
	if (!ip6h->payload_len && !inner && ip6h->nexthdr == NEXTHDR_HOP)
		end = skb->len;
	if (end > skb->len) {
		if (!inner)
			return -EINVAL;
		end = skb->len;
	}
	t->l3num = NFPROTO_IPV6;
	t->src.in6 = ip6h->saddr;
	t->dst.in6 = ip6h->daddr;
	l3->frag_first = false;
	nexthdr = ip6h->nexthdr;
	off += sizeof(*ip6h);

	for (;;) {
		struct ipv6_opt_hdr _opt;
		const struct ipv6_opt_hdr *opt;
		unsigned int len;

		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
		case NEXTHDR_AUTH:
		case NEXTHDR_FRAGMENT:
			break;
		case NEXTHDR_NONE:
			/*
			 * Nothing follows, no protocol to track: INVALID, as
			 * nf_conntrack, which finds no protocol either.
			 */
			return -EINVAL;
		default:
			goto done;
		}
		if (++hdrs > CTRACK_MAX_EXTHDRS)
			return -EINVAL;
		opt = skb_header_pointer(skb, off, sizeof(_opt), &_opt);
		if (!opt)
			return -EINVAL;
		if (nexthdr == NEXTHDR_FRAGMENT) {
			struct frag_hdr _fh;
			const struct frag_hdr *fh;

			fh = skb_header_pointer(skb, off, sizeof(_fh), &_fh);
			if (!fh || (fh->frag_off & htons(IP6_OFFSET)))
				return -EINVAL;
			l3->frag_first = !!(fh->frag_off & htons(IP6_MF));
			len = sizeof(*fh);
		} else if (nexthdr == NEXTHDR_AUTH) {
			len = ipv6_authlen(opt);
		} else {
			len = ipv6_optlen(opt);
		}
		if (off + len > end)
			return -EINVAL;
		nexthdr = opt->nexthdr;
		off += len;
	}
done:
	l3->l4off = off;
	l3->l4len = end - off;
	l3->proto = nexthdr;
	return 0;
}

static int parse_l3(const struct sk_buff *skb, unsigned int off, u8 family,
		    bool inner, struct ctrack_tuple *t, struct l3_info *l3)
{
	memset(t, 0, sizeof(*t));
	if (family == NFPROTO_IPV4)
		return parse_ipv4(skb, off, inner, t, l3);
	if (family == NFPROTO_IPV6)
		return parse_ipv6(skb, off, inner, t, l3);
	return -EINVAL;
}

static enum ctrack_parse_res parse_l4(const struct sk_buff *skb, bool inner,
				      struct ctrack_tuple *t,
				      const struct l3_info *l3)
{
	t->proto = l3->proto;

	switch (l3->proto) {
	case IPPROTO_TCP: {
		struct tcphdr _th;
		const struct tcphdr *th;

		/* An ICMP error need quote only the ports and sequence. */
		if (inner) {
			th = skb_header_pointer(skb, l3->l4off, 8, &_th);
			if (!th)
				return CTRACK_PARSE_INVALID;
		} else {
			th = skb_header_pointer(skb, l3->l4off, sizeof(_th), &_th);
			if (!th || th->doff < 5 || th->doff * 4 > l3->l4len)
				return CTRACK_PARSE_INVALID;
		}
		t->sp.port = th->source;
		t->dp.port = th->dest;
		return CTRACK_PARSE_OK;
	}
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE: {
		struct udphdr _uh;
		const struct udphdr *uh;
		unsigned int ulen;

		uh = skb_header_pointer(skb, l3->l4off, sizeof(_uh), &_uh);
		if (!uh)
			return CTRACK_PARSE_INVALID;
		ulen = ntohs(uh->len);
		/*
		 * UDP: the datagram's length, which a first fragment that
		 * was not reassembled (raw-table NOTRACK before defrag)
		 * cannot show. UDP-Lite: the checksum's coverage (0: all),
		 * checked on every packet, fragment or not: the checksum is
		 * verified over that many bytes of this packet, and a
		 * coverage past its end would make the kernel's checksum
		 * walk run off the skb.
		 */
		if (!inner && l3->proto == IPPROTO_UDP && !l3->frag_first &&
		    (ulen < sizeof(*uh) || ulen > l3->l4len))
			return CTRACK_PARSE_INVALID;
		if (!inner && l3->proto == IPPROTO_UDPLITE && ulen &&
		    (ulen < sizeof(*uh) || ulen > l3->l4len))
			return CTRACK_PARSE_INVALID;
		t->sp.port = uh->source;
		t->dp.port = uh->dest;
		return CTRACK_PARSE_OK;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		/* type, code, checksum, then identifier and sequence */
		u8 _h[8];
		const u8 *h;

		if ((l3->proto == IPPROTO_ICMP) != (t->l3num == NFPROTO_IPV4))
			return CTRACK_PARSE_INVALID;
		h = skb_header_pointer(skb, l3->l4off, sizeof(_h), &_h);
		if (!h)
			return CTRACK_PARSE_INVALID;
		t->dp.icmp.type = h[0];
		t->dp.icmp.code = h[1];
		if (icmp_type_is_error(t->l3num, h[0]))
			return inner ? CTRACK_PARSE_INVALID : CTRACK_PARSE_ICMP_ERROR;
		if (t->l3num == NFPROTO_IPV6 && icmpv6_type_untracked(h[0]))
			return inner ? CTRACK_PARSE_INVALID : CTRACK_PARSE_UNTRACKED;
		memcpy(&t->sp.id, h + 4, sizeof(t->sp.id));
		return CTRACK_PARSE_OK;
	}
	default:
		/* Generic: addresses and protocol only. */
		return CTRACK_PARSE_OK;
	}
}

/* ctrack_tuple_parse() for every packet its fast path does not take. */
enum ctrack_parse_res ctrack_tuple_parse_slow(const struct sk_buff *skb,
					      unsigned int nhoff, u8 family,
					      struct ctrack_pkt *pkt)
{
	struct l3_info l3, il3;
	enum ctrack_parse_res res;

	pkt->no_csum = false;
	if (parse_l3(skb, nhoff, family, false, &pkt->tuple, &l3))
		return CTRACK_PARSE_INVALID;
	pkt->l4off = l3.l4off;
	pkt->l4len = l3.l4len;
	res = parse_l4(skb, false, &pkt->tuple, &l3);
	if (res != CTRACK_PARSE_ICMP_ERROR)
		return res;

	/* The quoted datagram follows the 8-byte ICMP header. */
	if (parse_l3(skb, l3.l4off + 8, family, true, &pkt->inner, &il3))
		return CTRACK_PARSE_INVALID;
	if (parse_l4(skb, true, &pkt->inner, &il3) != CTRACK_PARSE_OK)
		return CTRACK_PARSE_INVALID;
	return CTRACK_PARSE_ICMP_ERROR;
}

/* Requests and the replies they ask for; 0xff means "not invertible". */
static u8 icmp_inverse_type(u8 l3num, u8 type)
{
	if (l3num == NFPROTO_IPV4) {
		switch (type) {
		case ICMP_ECHO: return ICMP_ECHOREPLY;
		case ICMP_ECHOREPLY: return ICMP_ECHO;
		case ICMP_TIMESTAMP: return ICMP_TIMESTAMPREPLY;
		case ICMP_TIMESTAMPREPLY: return ICMP_TIMESTAMP;
		case ICMP_INFO_REQUEST: return ICMP_INFO_REPLY;
		case ICMP_INFO_REPLY: return ICMP_INFO_REQUEST;
		case ICMP_ADDRESS: return ICMP_ADDRESSREPLY;
		case ICMP_ADDRESSREPLY: return ICMP_ADDRESS;
		}
		return 0xff;
	}
	switch (type) {
	case ICMPV6_ECHO_REQUEST: return ICMPV6_ECHO_REPLY;
	case ICMPV6_ECHO_REPLY: return ICMPV6_ECHO_REQUEST;
	case ICMPV6_NI_QUERY: return ICMPV6_NI_REPLY;
	case ICMPV6_NI_REPLY: return ICMPV6_NI_QUERY;
	}
	return 0xff;
}

/*
 * ctrack_tuple_invert - the tuple of the other direction
 *
 * Returns false for ICMP types that have no reply (they cannot start an
 * entry).
 */
bool ctrack_tuple_invert(struct ctrack_tuple *inv, const struct ctrack_tuple *t)
{
	*inv = *t;
	inv->src = t->dst;
	inv->dst = t->src;
	if (t->proto == IPPROTO_ICMP || t->proto == IPPROTO_ICMPV6) {
		u8 type = icmp_inverse_type(t->l3num, t->dp.icmp.type);

		if (type == 0xff)
			return false;
		inv->dp.icmp.type = type;
		return true;
	}
	inv->sp.port = t->dp.port;
	inv->dp.port = t->sp.port;
	return true;
}


/* Can @t start an entry: has it a reply (ICMP types without one cannot)? */
bool ctrack_tuple_invertible(const struct ctrack_tuple *t)
{
	return !ctrack_proto_is_icmp(t->proto) ||
	       icmp_inverse_type(t->l3num, t->dp.icmp.type) != 0xff;
}

/* ctrack_tuple_is_inverse() for ICMP tuples @b. */
bool ctrack_tuple_is_inverse_icmp(const struct ctrack_tuple *a,
				  const struct ctrack_tuple *b)
{
	struct ctrack_tuple inv;

	return ctrack_tuple_invert(&inv, b) && ctrack_tuple_eq(a, &inv);
}

/*
 * An ICMP tuple's type for the flow's hash key: the same for a request and
 * its reply (the smaller of the two types), a type without a reply as it is.
 */
u8 ctrack_tuple_icmp_key(const struct ctrack_tuple *t)
{
	u8 type = t->dp.icmp.type, inv = icmp_inverse_type(t->l3num, type);

	return inv != 0xff && inv < type ? inv : type;
}
