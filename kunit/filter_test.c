// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctrack_filter: CTRACK_A_FILTER as the kernel parses and applies
 * it. Filters are built as netlink attributes, parsed by
 * ctrack_filter_parse() and matched against hand-made entries: an empty
 * filter takes everything; address prefixes (host bits ignored, odd
 * lengths, IPv6) on each of the four addresses; ports of both directions;
 * ICMP fields; TCP state; status and mark with their masks. Every
 * malformed filter is refused with -EINVAL and an extack message.
 */

struct ft {
	struct sk_buff *skb;
	struct nlattr *nest;
	struct netlink_ext_ack extack;
	struct ctrack_filter f;
};

static struct ft *ft_begin(struct kunit *test)
{
	struct ft *ft = kunit_kzalloc(test, sizeof(*ft), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ft);
	ft->skb = alloc_skb(1024, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ft->skb);
	ft->nest = nla_nest_start(ft->skb, CTRACK_A_FILTER);
	KUNIT_ASSERT_NOT_NULL(test, ft->nest);
	return ft;
}

/* Parse what was put; frees the attributes. */
static int ft_parse(struct ft *ft)
{
	int err;

	nla_nest_end(ft->skb, ft->nest);
	err = ctrack_filter_parse(&ft->f, ft->nest, &ft->extack);
	kfree_skb(ft->skb);
	return err;
}

static void ft_addr(struct ft *ft, int type, u8 family, int host, int plen)
{
	union nf_inet_addr a;

	kt_addr(family, host, &a);
	nla_put(ft->skb, type, family == NFPROTO_IPV4 ? 4 : 16, &a);
	if (plen >= 0)
		nla_put_u8(ft->skb, type + 1, plen);
}

/* An entry A:@sp -> B:@dp that nothing else refers to. */
static struct ctrack_entry *ft_entry(struct kunit *test, u8 family, u8 proto,
				     u16 sp, u16 dp)
{
	struct ctrack_entry *e;

	e = kt_bare_entry(test, proto == IPPROTO_TCP ? CTRACK_SHAPE_TCP : 0);
	kt_tuple(&e->tuple, family, proto, KT_HOST_A, sp, KT_HOST_B, dp);
	return e;
}

static void ft_empty_test(struct kunit *test)
{
	struct ft *ft = ft_begin(test);
	struct ctrack_entry *e = ft_entry(test, NFPROTO_IPV6, IPPROTO_TCP, 1, 2);

	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));
	KUNIT_ASSERT_EQ(test, ctrack_filter_parse(&ft->f, NULL, NULL), 0);
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));
}

static void ft_prefix_test(struct kunit *test)
{
	struct ctrack_entry *e = ft_entry(test, NFPROTO_IPV4, IPPROTO_UDP, 1, 2);
	struct ctrack_entry *e6 = ft_entry(test, NFPROTO_IPV6, IPPROTO_UDP, 1, 2);
	struct ft *ft;

	/* 192.0.2.1 is A: /24 around host 77 takes it (host bits ignored). */
	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_IPV4);
	ft_addr(ft, CTRACK_FA_ORIG_SRC, NFPROTO_IPV4, 77, 24);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e6));

	/* /31 around host 3 holds 2 and 3: B (2) as destination, not A. */
	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_IPV4);
	ft_addr(ft, CTRACK_FA_ORIG_DST, NFPROTO_IPV4, KT_HOST_C, 31);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));
	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_IPV4);
	ft_addr(ft, CTRACK_FA_ORIG_SRC, NFPROTO_IPV4, KT_HOST_C, 31);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e));

	/* No prefix: the whole address. */
	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_IPV4);
	ft_addr(ft, CTRACK_FA_ORIG_SRC, NFPROTO_IPV4, KT_HOST_C, -1);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e));

	/* IPv6, reply direction: the reply goes B -> A. */
	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_IPV6);
	ft_addr(ft, CTRACK_FA_REPLY_SRC, NFPROTO_IPV6, KT_HOST_B, 128);
	ft_addr(ft, CTRACK_FA_REPLY_DST, NFPROTO_IPV6, 99, 64);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e6));
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e));
	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_IPV6);
	ft_addr(ft, CTRACK_FA_REPLY_SRC, NFPROTO_IPV6, KT_HOST_A, 128);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e6));
}

static void ft_ports_icmp_test(struct kunit *test)
{
	struct ctrack_entry *e = ft_entry(test, NFPROTO_IPV4, IPPROTO_TCP, 1000, 80);
	struct ctrack_entry *icmp = ft_entry(test, NFPROTO_IPV4, IPPROTO_ICMP, 0, 0);
	struct ft *ft;

	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_PROTO, IPPROTO_TCP);
	nla_put_be16(ft->skb, CTRACK_FA_ORIG_DPORT, htons(80));
	nla_put_be16(ft->skb, CTRACK_FA_REPLY_SPORT, htons(80));
	nla_put_be16(ft->skb, CTRACK_FA_REPLY_DPORT, htons(1000));
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, icmp));

	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_PROTO, IPPROTO_TCP);
	nla_put_be16(ft->skb, CTRACK_FA_ORIG_SPORT, htons(80));
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e));

	icmp->tuple.sp.id = htons(77);
	icmp->tuple.dp.icmp.type = ICMP_ECHO;
	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_PROTO, IPPROTO_ICMP);
	nla_put_u8(ft->skb, CTRACK_FA_ICMP_TYPE, ICMP_ECHO);
	nla_put_u8(ft->skb, CTRACK_FA_ICMP_CODE, 0);
	nla_put_be16(ft->skb, CTRACK_FA_ICMP_ID, htons(77));
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, icmp));
	icmp->tuple.sp.id = htons(78);
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, icmp));
}

static void ft_state_status_mark_test(struct kunit *test)
{
	struct ctrack_entry *e = ft_entry(test, NFPROTO_IPV4, IPPROTO_TCP, 1, 2);
	struct ft *ft;

	ctrack_entry_tcp(e)->state = CTRACK_TCP_ESTABLISHED;
	ft = ft_begin(test);
	nla_put_u8(ft->skb, CTRACK_FA_PROTO, IPPROTO_TCP);
	nla_put_u8(ft->skb, CTRACK_FA_TCP_STATE, CTRACK_TCP_ESTABLISHED);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));
	ctrack_entry_tcp(e)->state = CTRACK_TCP_TIME_WAIT;
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e));

	/* Unreplied: SEEN_REPLY clear (value 0 under its mask). */
	ft = ft_begin(test);
	nla_put_u32(ft->skb, CTRACK_FA_STATUS, 0);
	nla_put_u32(ft->skb, CTRACK_FA_STATUS_MASK, CTRACK_S_SEEN_REPLY);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	e->status = CTRACK_S_CONFIRMED;
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));
	e->status |= CTRACK_S_SEEN_REPLY;
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e));

	/* The mask defaults to the value: every bit given must be set. */
	ft = ft_begin(test);
	nla_put_u32(ft->skb, CTRACK_FA_STATUS, CTRACK_S_ASSURED | CTRACK_S_SEEN_REPLY);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e));
	e->status |= CTRACK_S_ASSURED;
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));

	ft = ft_begin(test);
	nla_put_u32(ft->skb, CTRACK_FA_MARK, 0x14);
	nla_put_u32(ft->skb, CTRACK_FA_MARK_MASK, 0xf0);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	e->mark = 0x1f;
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));	/* 0x14 & 0xf0 = 0x10 */
	e->mark = 0x2f;
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e));
	ft = ft_begin(test);
	nla_put_u32(ft->skb, CTRACK_FA_MARK, 0x2f);
	KUNIT_ASSERT_EQ(test, ft_parse(ft), 0);
	KUNIT_EXPECT_TRUE(test, ctrack_filter_match(&ft->f, e));
	e->mark = 0x12f;
	KUNIT_EXPECT_FALSE(test, ctrack_filter_match(&ft->f, e));
}

/* Each malformed filter, and the attribute types it puts. */
static void ft_reject_test(struct kunit *test)
{
	union nf_inet_addr a = {};
	struct ft *ft;
	int i;

	for (i = 0; i < 10; i++) {
		ft = ft_begin(test);
		switch (i) {
		case 0:	/* an address without a family */
			ft_addr(ft, CTRACK_FA_ORIG_SRC, NFPROTO_IPV4, 1, -1);
			break;
		case 1:	/* an IPv6-sized address in an IPv4 filter */
			nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_IPV4);
			nla_put(ft->skb, CTRACK_FA_ORIG_DST, 16, &a);
			break;
		case 2:	/* a prefix longer than an IPv4 address */
			nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_IPV4);
			ft_addr(ft, CTRACK_FA_REPLY_SRC, NFPROTO_IPV4, 1, 33);
			break;
		case 3:	/* a prefix without its address */
			nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_IPV4);
			nla_put_u8(ft->skb, CTRACK_FA_REPLY_DST_PLEN, 8);
			break;
		case 4:	/* a port without a protocol */
			nla_put_be16(ft->skb, CTRACK_FA_ORIG_SPORT, htons(1));
			break;
		case 5:	/* a port of a protocol without ports */
			nla_put_u8(ft->skb, CTRACK_FA_PROTO, IPPROTO_ICMP);
			nla_put_be16(ft->skb, CTRACK_FA_REPLY_DPORT, htons(1));
			break;
		case 6:	/* an ICMP field for UDP */
			nla_put_u8(ft->skb, CTRACK_FA_PROTO, IPPROTO_UDP);
			nla_put_u8(ft->skb, CTRACK_FA_ICMP_TYPE, 8);
			break;
		case 7:	/* a TCP state for UDP */
			nla_put_u8(ft->skb, CTRACK_FA_PROTO, IPPROTO_UDP);
			nla_put_u8(ft->skb, CTRACK_FA_TCP_STATE, CTRACK_TCP_ESTABLISHED);
			break;
		case 8:	/* a mask without its value */
			nla_put_u32(ft->skb, CTRACK_FA_MARK_MASK, 1);
			break;
		case 9:	/* a family in the policy's range, but not IP */
			nla_put_u8(ft->skb, CTRACK_FA_FAMILY, NFPROTO_BRIDGE);
			break;
		}
		KUNIT_EXPECT_EQ_MSG(test, ft_parse(ft), -EINVAL, "case %d", i);
		KUNIT_EXPECT_NOT_NULL_MSG(test, ft->extack._msg, "case %d", i);
	}
}

static struct kunit_case filter_cases[] = {
	KUNIT_CASE(ft_empty_test),
	KUNIT_CASE(ft_prefix_test),
	KUNIT_CASE(ft_ports_icmp_test),
	KUNIT_CASE(ft_state_status_mark_test),
	KUNIT_CASE(ft_reject_test),
	{}
};

static struct kunit_suite filter_suite = {
	.name = "ctrack_filter",
	.test_cases = filter_cases,
};
