// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctrack_tuple: ctrack_tuple_parse() on crafted skbs. Proves that
 * every well-formed IPv4/IPv6 packet of each protocol class yields the
 * tuple it carries (addresses, ports or ICMP id/type/code, L4 offset and
 * length), that every truncated or inconsistent header is INVALID rather
 * than read past its end, that IPv6 neighbour discovery and MLD are
 * UNTRACKED, and that ICMP errors expose the tuple of the packet they
 * quote. Also that tuples invert into their reply tuples.
 */

#define TC_SPORT	40000
#define TC_TCP_DPORT	80
#define TC_UDP_DPORT	53
#define TC_ICMP_ID	0x1234

struct tuple_case {
	const char *name;
	u8 family;
	u8 proto;		/* protocol of the L4 header built */
	u8 type;		/* ICMP type */
	u8 quote;		/* ICMP error: protocol of the quoted packet */
	u8 quote_type;		/* ... and its ICMP type, if it is ICMP */
	u8 ext;			/* IPv6: destination-options headers before L4 */
	bool frag6;		/* IPv6: a fragment header after them */
	bool bad_ext;		/* IPv6: the last option header runs past the end */
	u16 frag;		/* IPv4 frag_off, or the fragment header's offset|M */
	u8 version;		/* IP version field override (0: keep) */
	u8 ihl;			/* IPv4 IHL override (0: keep 5) */
	u8 doff;		/* TCP data offset override (0: keep 5) */
	bool big;		/* BIG TCP: IPv4 tot_len 0 on a GSO skb; IPv6
				 * payload length 0 behind a hop-by-hop header
				 * (the jumbo option's)
				 */
	bool set_ulen;		/* override the UDP length / UDP-Lite coverage */
	u16 ulen;
	int l3_extra;		/* added to the L3 length field */
	unsigned int l4_len;	/* cut L4 to this many bytes, L3 length kept
				 * consistent (0: whole)
				 */
	unsigned int cut;	/* cut the skb to this many bytes (0: whole) */
	enum ctrack_parse_res res;
};

static const struct tuple_case tuple_cases[] = {
	/* IPv4, well formed */
	{ "ipv4_tcp", NFPROTO_IPV4, IPPROTO_TCP, .res = CTRACK_PARSE_OK },
	{ "ipv4_udp", NFPROTO_IPV4, IPPROTO_UDP, .res = CTRACK_PARSE_OK },
	{ "ipv4_udplite_full_coverage", NFPROTO_IPV4, IPPROTO_UDPLITE,
	  .set_ulen = true, .ulen = 0, .res = CTRACK_PARSE_OK },
	{ "ipv4_udplite_header_coverage", NFPROTO_IPV4, IPPROTO_UDPLITE,
	  .set_ulen = true, .ulen = 8, .res = CTRACK_PARSE_OK },
	{ "ipv4_icmp_echo", NFPROTO_IPV4, IPPROTO_ICMP, .type = ICMP_ECHO,
	  .res = CTRACK_PARSE_OK },
	{ "ipv4_icmp_echo_reply", NFPROTO_IPV4, IPPROTO_ICMP,
	  .type = ICMP_ECHOREPLY, .res = CTRACK_PARSE_OK },
	{ "ipv4_gre_generic", NFPROTO_IPV4, IPPROTO_GRE, .res = CTRACK_PARSE_OK },
	{ "ipv4_sctp_generic", NFPROTO_IPV4, IPPROTO_SCTP, .res = CTRACK_PARSE_OK },
	{ "ipv4_first_fragment_udp", NFPROTO_IPV4, IPPROTO_UDP, .frag = IP_MF,
	  .set_ulen = true, .ulen = 1400, .res = CTRACK_PARSE_OK },
	/* coverage within the fragment: its checksum can be checked */
	{ "ipv4_first_fragment_udplite_covered", NFPROTO_IPV4, IPPROTO_UDPLITE,
	  .frag = IP_MF, .set_ulen = true, .ulen = 8, .res = CTRACK_PARSE_OK },
	/* BIG TCP: the length lives in the skb (and an IPv6 jumbo option) */
	{ "ipv4_big_tcp_tot_len_0", NFPROTO_IPV4, IPPROTO_TCP, .big = true,
	  .res = CTRACK_PARSE_OK },
	{ "ipv6_big_tcp_jumbo_hop_by_hop", NFPROTO_IPV6, IPPROTO_TCP, .ext = 1,
	  .big = true, .res = CTRACK_PARSE_OK },
	/* IPv4, malformed L3 */
	{ "ipv4_tot_len_0_not_gso", NFPROTO_IPV4, IPPROTO_TCP, .l3_extra = -40,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_truncated_header", NFPROTO_IPV4, IPPROTO_TCP, .cut = 12,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_version_6_in_ipv4", NFPROTO_IPV4, IPPROTO_TCP, .version = 6,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_ihl_4", NFPROTO_IPV4, IPPROTO_TCP, .ihl = 4,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_ihl_15_beyond_length", NFPROTO_IPV4, IPPROTO_TCP, .ihl = 15,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_tot_len_beyond_skb", NFPROTO_IPV4, IPPROTO_TCP, .l3_extra = 1,
	  .res = CTRACK_PARSE_INVALID },
	/* 40 bytes built: tot_len 19 is below the 20-byte header */
	{ "ipv4_tot_len_below_ihl", NFPROTO_IPV4, IPPROTO_TCP, .l3_extra = -21,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_later_fragment", NFPROTO_IPV4, IPPROTO_UDP, .frag = 185,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_last_fragment", NFPROTO_IPV4, IPPROTO_TCP, .frag = 1,
	  .res = CTRACK_PARSE_INVALID },
	/* IPv4, malformed L4 */
	{ "ipv4_tcp_truncated", NFPROTO_IPV4, IPPROTO_TCP, .l4_len = 12,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_tcp_doff_4", NFPROTO_IPV4, IPPROTO_TCP, .doff = 4,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_tcp_doff_15_beyond_packet", NFPROTO_IPV4, IPPROTO_TCP,
	  .doff = 15, .res = CTRACK_PARSE_INVALID },
	{ "ipv4_udp_truncated", NFPROTO_IPV4, IPPROTO_UDP, .l4_len = 6,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_udp_len_beyond_packet", NFPROTO_IPV4, IPPROTO_UDP,
	  .set_ulen = true, .ulen = 13, .res = CTRACK_PARSE_INVALID },
	{ "ipv4_udp_len_below_header", NFPROTO_IPV4, IPPROTO_UDP,
	  .set_ulen = true, .ulen = 7, .res = CTRACK_PARSE_INVALID },
	{ "ipv4_udplite_coverage_below_header", NFPROTO_IPV4, IPPROTO_UDPLITE,
	  .set_ulen = true, .ulen = 4, .res = CTRACK_PARSE_INVALID },
	/* a coverage past the fragment's end would run the checksum off the skb */
	{ "ipv4_first_fragment_udplite_coverage_beyond", NFPROTO_IPV4,
	  IPPROTO_UDPLITE, .frag = IP_MF, .set_ulen = true, .ulen = 1400,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv4_icmp_truncated", NFPROTO_IPV4, IPPROTO_ICMP, .type = ICMP_ECHO,
	  .l4_len = 4, .res = CTRACK_PARSE_INVALID },
	{ "ipv4_carrying_icmpv6", NFPROTO_IPV4, IPPROTO_ICMPV6,
	  .type = ICMPV6_ECHO_REQUEST, .res = CTRACK_PARSE_INVALID },
	/* IPv4 ICMP errors */
	{ "ipv4_icmp_unreach_quoting_udp", NFPROTO_IPV4, IPPROTO_ICMP,
	  .type = ICMP_DEST_UNREACH, .quote = IPPROTO_UDP,
	  .res = CTRACK_PARSE_ICMP_ERROR },
	{ "ipv4_icmp_time_exceeded_quoting_tcp", NFPROTO_IPV4, IPPROTO_ICMP,
	  .type = ICMP_TIME_EXCEEDED, .quote = IPPROTO_TCP,
	  .res = CTRACK_PARSE_ICMP_ERROR },
	{ "ipv4_icmp_time_exceeded_quoting_echo", NFPROTO_IPV4, IPPROTO_ICMP,
	  .type = ICMP_TIME_EXCEEDED, .quote = IPPROTO_ICMP,
	  .quote_type = ICMP_ECHO, .res = CTRACK_PARSE_ICMP_ERROR },
	{ "ipv4_icmp_error_quoting_error", NFPROTO_IPV4, IPPROTO_ICMP,
	  .type = ICMP_DEST_UNREACH, .quote = IPPROTO_ICMP,
	  .quote_type = ICMP_DEST_UNREACH, .res = CTRACK_PARSE_INVALID },
	/* 8 ICMP + 20 IP + 4 of the quoted UDP header */
	{ "ipv4_icmp_error_quote_truncated", NFPROTO_IPV4, IPPROTO_ICMP,
	  .type = ICMP_DEST_UNREACH, .quote = IPPROTO_UDP, .l4_len = 32,
	  .res = CTRACK_PARSE_INVALID },
	/* IPv6, well formed */
	{ "ipv6_tcp", NFPROTO_IPV6, IPPROTO_TCP, .res = CTRACK_PARSE_OK },
	{ "ipv6_udp", NFPROTO_IPV6, IPPROTO_UDP, .res = CTRACK_PARSE_OK },
	{ "ipv6_udplite", NFPROTO_IPV6, IPPROTO_UDPLITE, .set_ulen = true,
	  .ulen = 0, .res = CTRACK_PARSE_OK },
	{ "ipv6_icmpv6_echo_request", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_ECHO_REQUEST, .res = CTRACK_PARSE_OK },
	{ "ipv6_icmpv6_echo_reply", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_ECHO_REPLY, .res = CTRACK_PARSE_OK },
	{ "ipv6_gre_generic", NFPROTO_IPV6, IPPROTO_GRE, .res = CTRACK_PARSE_OK },
	{ "ipv6_3_ext_headers_tcp", NFPROTO_IPV6, IPPROTO_TCP, .ext = 3,
	  .res = CTRACK_PARSE_OK },
	{ "ipv6_16_ext_headers_udp", NFPROTO_IPV6, IPPROTO_UDP, .ext = 16,
	  .res = CTRACK_PARSE_OK },
	{ "ipv6_first_fragment_udp", NFPROTO_IPV6, IPPROTO_UDP, .frag6 = true,
	  .frag = IP6_MF, .set_ulen = true, .ulen = 1400,
	  .res = CTRACK_PARSE_OK },
	/* IPv6, malformed */
	{ "ipv6_truncated_header", NFPROTO_IPV6, IPPROTO_TCP, .cut = 30,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv6_version_4_in_ipv6", NFPROTO_IPV6, IPPROTO_TCP, .version = 4,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv6_payload_len_beyond_skb", NFPROTO_IPV6, IPPROTO_UDP,
	  .l3_extra = 1, .res = CTRACK_PARSE_INVALID },
	{ "ipv6_17_ext_headers", NFPROTO_IPV6, IPPROTO_UDP, .ext = 17,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv6_100_ext_headers", NFPROTO_IPV6, IPPROTO_TCP, .ext = 100,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv6_ext_header_past_end", NFPROTO_IPV6, IPPROTO_TCP, .ext = 2,
	  .bad_ext = true, .res = CTRACK_PARSE_INVALID },
	{ "ipv6_later_fragment", NFPROTO_IPV6, IPPROTO_UDP, .frag6 = true,
	  .frag = 185 << 3, .res = CTRACK_PARSE_INVALID },
	{ "ipv6_first_fragment_udplite_coverage_beyond", NFPROTO_IPV6,
	  IPPROTO_UDPLITE, .frag6 = true, .frag = IP6_MF, .set_ulen = true,
	  .ulen = 1400, .res = CTRACK_PARSE_INVALID },
	{ "ipv6_tcp_truncated", NFPROTO_IPV6, IPPROTO_TCP, .l4_len = 10,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv6_tcp_doff_beyond_packet", NFPROTO_IPV6, IPPROTO_TCP, .doff = 6,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv6_udp_truncated", NFPROTO_IPV6, IPPROTO_UDP, .l4_len = 4,
	  .res = CTRACK_PARSE_INVALID },
	{ "ipv6_icmpv6_truncated", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_ECHO_REQUEST, .l4_len = 6, .res = CTRACK_PARSE_INVALID },
	{ "ipv6_carrying_icmpv4", NFPROTO_IPV6, IPPROTO_ICMP, .type = ICMP_ECHO,
	  .res = CTRACK_PARSE_INVALID },
	/* IPv6 neighbour discovery and MLD: never tracked */
	{ "ipv6_mld_query", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_MGM_QUERY, .res = CTRACK_PARSE_UNTRACKED },
	{ "ipv6_mld_report", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_MGM_REPORT, .res = CTRACK_PARSE_UNTRACKED },
	{ "ipv6_mld_done", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_MGM_REDUCTION, .res = CTRACK_PARSE_UNTRACKED },
	{ "ipv6_mld2_report", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_MLD2_REPORT, .res = CTRACK_PARSE_UNTRACKED },
	{ "ipv6_nd_router_solicitation", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = NDISC_ROUTER_SOLICITATION, .res = CTRACK_PARSE_UNTRACKED },
	{ "ipv6_nd_router_advertisement", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = NDISC_ROUTER_ADVERTISEMENT, .res = CTRACK_PARSE_UNTRACKED },
	{ "ipv6_nd_neighbour_solicitation", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = NDISC_NEIGHBOUR_SOLICITATION, .res = CTRACK_PARSE_UNTRACKED },
	{ "ipv6_nd_neighbour_advertisement", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = NDISC_NEIGHBOUR_ADVERTISEMENT, .res = CTRACK_PARSE_UNTRACKED },
	/* IPv6 ICMP errors */
	{ "ipv6_icmpv6_unreach_quoting_tcp", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_DEST_UNREACH, .quote = IPPROTO_TCP,
	  .res = CTRACK_PARSE_ICMP_ERROR },
	{ "ipv6_icmpv6_too_big_quoting_udp", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_PKT_TOOBIG, .quote = IPPROTO_UDP,
	  .res = CTRACK_PARSE_ICMP_ERROR },
	/* An error about an echo request: RELATED to the ping's entry. */
	{ "ipv6_icmpv6_unreach_quoting_echo", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_DEST_UNREACH, .quote = IPPROTO_ICMPV6,
	  .quote_type = ICMPV6_ECHO_REQUEST, .res = CTRACK_PARSE_ICMP_ERROR },
	{ "ipv6_icmpv6_error_quoting_nd", NFPROTO_IPV6, IPPROTO_ICMPV6,
	  .type = ICMPV6_DEST_UNREACH, .quote = IPPROTO_ICMPV6,
	  .quote_type = NDISC_NEIGHBOUR_SOLICITATION, .res = CTRACK_PARSE_INVALID },
};

static void tuple_case_desc(const struct tuple_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tuple, tuple_cases, tuple_case_desc);

static bool tc_is_error(const struct tuple_case *c)
{
	return (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6) &&
	       ctrack_icmp_is_error(c->family, c->type);
}

static u16 tc_dport(u8 proto)
{
	return proto == IPPROTO_TCP ? TC_TCP_DPORT : TC_UDP_DPORT;
}

/* The L4 header of protocol @proto, as a packet from host A would carry it. */
static void tc_l4(struct kt_frame *f, u8 proto, u8 type)
{
	switch (proto) {
	case IPPROTO_TCP:
		kt_tcp(f, TC_SPORT, TC_TCP_DPORT, 1, 0, TCPHDR_SYN, 1000, NULL, 0, 0);
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		kt_udp(f, TC_SPORT, TC_UDP_DPORT, 4);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		kt_icmp(f, type, 0, TC_ICMP_ID);
		kt_put(f, 4);
		break;
	default:
		kt_put(f, 8);
		break;
	}
}

/*
 * Build the case's packet. Returns the L4 offset and length a correct
 * parse reports (meaningful for well-formed cases only).
 */
static void tc_build(const struct tuple_case *c, struct kt_frame *f,
		     unsigned int *l4off, unsigned int *l4len)
{
	bool err = tc_is_error(c);
	u8 first = c->ext ? (c->big ? NEXTHDR_HOP : NEXTHDR_DEST) :
		   c->frag6 ? NEXTHDR_FRAGMENT : c->proto;
	unsigned int l3, i;

	/* An error goes back to the sender of the packet it quotes. */
	l3 = err ? kt_ip(f, c->family, first, KT_HOST_B, KT_HOST_A) :
		   kt_ip(f, c->family, first, KT_HOST_A, KT_HOST_B);

	for (i = 0; i < c->ext; i++) {
		u8 *h = kt_put(f, 8);

		h[0] = i + 1 < c->ext ? NEXTHDR_DEST :
		       c->frag6 ? NEXTHDR_FRAGMENT : c->proto;
		h[1] = (c->bad_ext && i + 1 == c->ext) ? 255 : 0;
		h[2] = 1;	/* PadN over the remaining 4 bytes */
		h[3] = 4;
	}
	if (c->frag6) {
		struct frag_hdr *fh = kt_put(f, sizeof(*fh));

		fh->nexthdr = c->proto;
		fh->frag_off = htons(c->frag);
		fh->identification = htonl(0xc7ac);
	} else if (c->family == NFPROTO_IPV4 && c->frag) {
		((struct iphdr *)(f->b + l3))->frag_off = htons(c->frag);
	}

	*l4off = f->len;
	if (err) {
		unsigned int inner;

		kt_icmp(f, c->type, c->family == NFPROTO_IPV4 ? ICMP_PORT_UNREACH : 0, 0);
		inner = kt_ip(f, c->family, c->quote, KT_HOST_A, KT_HOST_B);
		if (c->quote == IPPROTO_TCP) {
			/* Only the first 8 bytes are quoted: ports and sequence. */
			u8 *th = kt_put(f, 8);

			put_unaligned_be16(TC_SPORT, th);
			put_unaligned_be16(TC_TCP_DPORT, th + 2);
		} else {
			tc_l4(f, c->quote, c->quote_type);
		}
		kt_ip_done(f, c->family, inner);
		/* The quoted datagram was longer than what is quoted. */
		if (c->family == NFPROTO_IPV4)
			be16_add_cpu(&((struct iphdr *)(f->b + inner))->tot_len, 100);
		else
			be16_add_cpu(&((struct ipv6hdr *)(f->b + inner))->payload_len, 100);
	} else {
		tc_l4(f, c->proto, c->type);
	}

	if (c->l4_len)
		f->len = *l4off + c->l4_len;
	if (c->doff)
		((struct tcphdr *)(f->b + *l4off))->doff = c->doff;
	if (c->set_ulen)
		((struct udphdr *)(f->b + *l4off))->len = htons(c->ulen);
	if (c->ihl)
		f->b[l3] = (f->b[l3] & 0xf0) | c->ihl;
	if (c->version)
		f->b[l3] = (f->b[l3] & 0x0f) | (c->version << 4);
	kt_ip_done(f, c->family, l3);
	if (c->family == NFPROTO_IPV4)
		be16_add_cpu(&((struct iphdr *)(f->b + l3))->tot_len, c->l3_extra);
	else
		be16_add_cpu(&((struct ipv6hdr *)(f->b + l3))->payload_len, c->l3_extra);
	if (c->big && c->family == NFPROTO_IPV4)
		((struct iphdr *)(f->b + l3))->tot_len = 0;
	else if (c->big)
		((struct ipv6hdr *)(f->b + l3))->payload_len = 0;
	*l4len = f->len - *l4off;
	if (c->cut)
		f->len = c->cut;
}

static void tc_expect_addrs(struct kunit *test, const struct ctrack_tuple *t,
			    u8 family, int src, int dst)
{
	union nf_inet_addr a;

	kt_addr(family, src, &a);
	KUNIT_EXPECT_TRUE(test, nf_inet_addr_cmp(&t->src, &a));
	kt_addr(family, dst, &a);
	KUNIT_EXPECT_TRUE(test, nf_inet_addr_cmp(&t->dst, &a));
	KUNIT_EXPECT_EQ(test, t->l3num, family);
	KUNIT_EXPECT_EQ(test, t->pad, 0);
}

static void tc_expect_l4(struct kunit *test, const struct ctrack_tuple *t,
			 u8 proto, u8 type)
{
	KUNIT_EXPECT_EQ(test, t->proto, proto);
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		KUNIT_EXPECT_EQ(test, ntohs(t->sp.port), TC_SPORT);
		KUNIT_EXPECT_EQ(test, ntohs(t->dp.port), tc_dport(proto));
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		KUNIT_EXPECT_EQ(test, ntohs(t->sp.id), TC_ICMP_ID);
		KUNIT_EXPECT_EQ(test, t->dp.icmp.type, type);
		KUNIT_EXPECT_EQ(test, t->dp.icmp.code, 0);
		break;
	default:
		KUNIT_EXPECT_EQ(test, t->sp.port, 0);
		KUNIT_EXPECT_EQ(test, t->dp.port, 0);
		break;
	}
}

static void tuple_parse_test(struct kunit *test)
{
	const struct tuple_case *c = test->param_value;
	struct kt_frame *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int l4off, l4len;
	struct ctrack_pkt pkt;
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, f);
	tc_build(c, f, &l4off, &l4len);
	skb = kt_skb(test, f, c->family);
	if (c->big && c->family == NFPROTO_IPV4) {
		/* As GRO leaves a TCP super-packet past 64 KiB. */
		skb_shinfo(skb)->gso_size = 1000;
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	}
	KUNIT_ASSERT_EQ(test, kt_parse(skb, c->family, &pkt), c->res);

	if (c->res == CTRACK_PARSE_OK) {
		tc_expect_addrs(test, &pkt.tuple, c->family, KT_HOST_A, KT_HOST_B);
		tc_expect_l4(test, &pkt.tuple, c->proto, c->type);
		KUNIT_EXPECT_EQ(test, pkt.l4off, l4off);
		KUNIT_EXPECT_EQ(test, pkt.l4len, l4len);
	} else if (c->res == CTRACK_PARSE_ICMP_ERROR) {
		tc_expect_addrs(test, &pkt.tuple, c->family, KT_HOST_B, KT_HOST_A);
		KUNIT_EXPECT_EQ(test, pkt.tuple.proto, c->proto);
		KUNIT_EXPECT_EQ(test, pkt.tuple.dp.icmp.type, c->type);
		/* The quoted packet's tuple, as its sender sent it. */
		tc_expect_addrs(test, &pkt.inner, c->family, KT_HOST_A, KT_HOST_B);
		tc_expect_l4(test, &pkt.inner, c->quote, c->quote_type);
	} else if (c->res == CTRACK_PARSE_UNTRACKED) {
		KUNIT_EXPECT_EQ(test, pkt.tuple.dp.icmp.type, c->type);
	}
}

/* Build from a full tuple: each direction inverts into the other. */
struct invert_case {
	const char *name;
	u8 family;
	u8 proto;
	u8 type;	/* ICMP: request type */
	u8 reply;	/* ICMP: expected reply type; 0xff: not invertible */
};

static const struct invert_case invert_cases[] = {
	{ "ipv4_tcp", NFPROTO_IPV4, IPPROTO_TCP },
	{ "ipv6_udp", NFPROTO_IPV6, IPPROTO_UDP },
	{ "ipv4_gre", NFPROTO_IPV4, IPPROTO_GRE },
	{ "ipv4_echo", NFPROTO_IPV4, IPPROTO_ICMP, ICMP_ECHO, ICMP_ECHOREPLY },
	{ "ipv4_timestamp", NFPROTO_IPV4, IPPROTO_ICMP, ICMP_TIMESTAMP,
	  ICMP_TIMESTAMPREPLY },
	{ "ipv4_address_mask", NFPROTO_IPV4, IPPROTO_ICMP, ICMP_ADDRESS,
	  ICMP_ADDRESSREPLY },
	{ "ipv6_echo", NFPROTO_IPV6, IPPROTO_ICMPV6, ICMPV6_ECHO_REQUEST,
	  ICMPV6_ECHO_REPLY },
	{ "ipv6_node_info", NFPROTO_IPV6, IPPROTO_ICMPV6, ICMPV6_NI_QUERY,
	  ICMPV6_NI_REPLY },
	{ "ipv4_unreach_not_invertible", NFPROTO_IPV4, IPPROTO_ICMP,
	  ICMP_DEST_UNREACH, 0xff },
	{ "ipv6_unknown_type_not_invertible", NFPROTO_IPV6, IPPROTO_ICMPV6, 200,
	  0xff },
};

static void invert_case_desc(const struct invert_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(invert, invert_cases, invert_case_desc);

static void tuple_invert_test(struct kunit *test)
{
	const struct invert_case *c = test->param_value;
	bool icmp = c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6;
	struct ctrack_tuple t, inv, back;

	kt_tuple(&t, c->family, c->proto, KT_HOST_A, TC_SPORT, KT_HOST_B,
		 TC_TCP_DPORT);
	if (icmp) {
		t.sp.id = htons(TC_ICMP_ID);
		t.dp.icmp.type = c->type;
		t.dp.icmp.code = 0;
	}
	if (c->reply == 0xff) {
		KUNIT_EXPECT_FALSE(test, ctrack_tuple_invert(&inv, &t));
		return;
	}
	KUNIT_ASSERT_TRUE(test, ctrack_tuple_invert(&inv, &t));
	KUNIT_EXPECT_FALSE(test, ctrack_tuple_eq(&inv, &t));
	tc_expect_addrs(test, &inv, c->family, KT_HOST_B, KT_HOST_A);
	KUNIT_EXPECT_EQ(test, inv.proto, c->proto);
	if (icmp) {
		/* The identifier stays; the type becomes the reply's. */
		KUNIT_EXPECT_EQ(test, ntohs(inv.sp.id), TC_ICMP_ID);
		KUNIT_EXPECT_EQ(test, inv.dp.icmp.type, c->reply);
	} else {
		KUNIT_EXPECT_EQ(test, ntohs(inv.sp.port), TC_TCP_DPORT);
		KUNIT_EXPECT_EQ(test, ntohs(inv.dp.port), TC_SPORT);
	}
	KUNIT_ASSERT_TRUE(test, ctrack_tuple_invert(&back, &inv));
	KUNIT_EXPECT_TRUE(test, ctrack_tuple_eq(&back, &t));
}

static struct kunit_case tuple_test_cases[] = {
	KUNIT_CASE_PARAM(tuple_parse_test, tuple_gen_params),
	KUNIT_CASE_PARAM(tuple_invert_test, invert_gen_params),
	{}
};

static struct kunit_suite tuple_suite = {
	.name = "ctrack_tuple",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = tuple_test_cases,
};
