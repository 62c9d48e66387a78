// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctrack_udp_icmp: the stateless protocols through the classifier
 * (core.c's classify(), as the OUTPUT hook runs it) and the table. Proves
 * the UDP lifecycle (30 s until replied, and still 30 s for a quick
 * answer; 120 s and ASSURED once replied and older than 2 s), that ICMP
 * and ICMPv6 echo replies match their request by identifier (30 s) and
 * never start an entry, the generic 600 s, and that an ICMP error is
 * RELATED exactly when the packet it quotes belongs to an entry and it is
 * addressed to that packet's sender, for IPv4 and IPv6.
 */

#define UI_SLACK	(2 * HZ)

static void ui_expect_timeout(struct kunit *test, const struct ctrack_entry *e,
			      unsigned long timeout)
{
	long left = ctrack_entry_remaining(e);

	KUNIT_EXPECT_LE(test, left, (long)timeout);
	KUNIT_EXPECT_GE(test, left, (long)timeout - UI_SLACK);
}

static struct sk_buff *ui_udp(struct kunit *test, u8 family, int src, u16 sp,
			      int dst, u16 dp)
{
	struct kt_frame *f = kt_frame(test);
	unsigned int l3 = kt_ip(f, family, IPPROTO_UDP, src, dst);

	kt_udp(f, sp, dp, 16);
	kt_ip_done(f, family, l3);
	return kt_skb(test, f, family);
}

static struct sk_buff *ui_syn(struct kunit *test, u8 family, int src, u16 sp,
			      int dst, u16 dp)
{
	struct kt_frame *f = kt_frame(test);
	unsigned int l3 = kt_ip(f, family, IPPROTO_TCP, src, dst);

	kt_tcp(f, sp, dp, 1000, 0, TCPHDR_SYN, 64240, NULL, 0, 0);
	kt_ip_done(f, family, l3);
	return kt_skb(test, f, family);
}

static u8 ui_icmp_proto(u8 family)
{
	return family == NFPROTO_IPV4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
}

static struct sk_buff *ui_echo(struct kunit *test, u8 family, int src, int dst,
			       u8 type, u16 id)
{
	struct kt_frame *f = kt_frame(test);
	unsigned int l3 = kt_ip(f, family, ui_icmp_proto(family), src, dst);

	kt_icmp(f, type, 0, id);
	kt_put(f, 32);
	kt_ip_done(f, family, l3);
	return kt_skb(test, f, family);
}

/*
 * An ICMP error from @src to @dst quoting a packet of @proto from
 * @qsrc:@qsp to @qdst:@qdp.
 */
static struct sk_buff *ui_error(struct kunit *test, u8 family, int src, int dst,
				u8 proto, int qsrc, u16 qsp, int qdst, u16 qdp)
{
	struct kt_frame *f = kt_frame(test);
	unsigned int l3, inner;

	l3 = kt_ip(f, family, ui_icmp_proto(family), src, dst);
	if (family == NFPROTO_IPV4)
		kt_icmp(f, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	else
		kt_icmp(f, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
	inner = kt_ip(f, family, proto, qsrc, qdst);
	if (proto == IPPROTO_TCP)
		kt_tcp(f, qsp, qdp, 1000, 0, TCPHDR_SYN, 64240, NULL, 0, 0);
	else
		kt_udp(f, qsp, qdp, 16);
	kt_ip_done(f, family, inner);
	kt_ip_done(f, family, l3);
	return kt_skb(test, f, family);
}

/* Classify; keep the entry's reference until the test ends. */
static u8 ui_classify(struct kunit *test, struct sk_buff *skb, u8 family,
		      struct ctrack_entry **e, u8 *dir)
{
	struct classified c;

	kt_classify(skb, family, &c);
	KUNIT_EXPECT_FALSE(test, c.drop);
	if (c.e)
		kt_hold(test, c.e);
	if (e)
		*e = c.e;
	if (dir)
		*dir = c.dir;
	return c.state;
}

/* A NEW packet whose entry then leaves the box: confirm it. */
static struct ctrack_entry *ui_new_flow(struct kunit *test, struct sk_buff *skb,
					u8 family)
{
	struct ctrack_entry *e;

	KUNIT_ASSERT_EQ(test, ui_classify(test, skb, family, &e, NULL),
			CTRACK_PKT_NEW);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_EQ(test, ctrack_entry_confirm(e), 0);
	return e;
}

static void ui_udp_unreplied_test(struct kunit *test)
{
	struct ctrack_entry *e, *e2;

	e = ui_new_flow(test, ui_udp(test, NFPROTO_IPV4, KT_HOST_A, 40000,
				     KT_HOST_B, 53), NFPROTO_IPV4);
	ui_expect_timeout(test, e, 30 * HZ);
	KUNIT_EXPECT_GT(test, (s32)(e->udp_stream_ts - (u32)jiffies), 0);
	KUNIT_EXPECT_LE(test, (s32)(e->udp_stream_ts - (u32)jiffies), 2 * HZ);
	/* Pretend 2 s went by: still unreplied, so still NEW and 30 s. */
	e->udp_stream_ts = (u32)jiffies - 1;
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_udp(test, NFPROTO_IPV4,
				KT_HOST_A, 40000, KT_HOST_B, 53), NFPROTO_IPV4,
				&e2, NULL), CTRACK_PKT_NEW);
	KUNIT_EXPECT_PTR_EQ(test, e2, e);
	ui_expect_timeout(test, e, 30 * HZ);
	KUNIT_EXPECT_FALSE(test, test_bit(CTRACK_S_ASSURED_BIT, &e->status));
	KUNIT_EXPECT_FALSE(test, test_bit(CTRACK_S_SEEN_REPLY_BIT, &e->status));
}

static void ui_udp_stream_test(struct kunit *test)
{
	struct ctrack_entry *e, *e2;
	u8 dir;

	e = ui_new_flow(test, ui_udp(test, NFPROTO_IPV6, KT_HOST_A, 40000,
				     KT_HOST_B, 53), NFPROTO_IPV6);
	/* A quick answer (a DNS reply) is not a stream. */
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_udp(test, NFPROTO_IPV6,
				KT_HOST_B, 53, KT_HOST_A, 40000), NFPROTO_IPV6,
				&e2, &dir), CTRACK_PKT_ESTABLISHED);
	KUNIT_EXPECT_PTR_EQ(test, e2, e);
	KUNIT_EXPECT_EQ(test, dir, CTRACK_DIR_REPLY);
	ui_expect_timeout(test, e, 30 * HZ);
	KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_SEEN_REPLY_BIT, &e->status));
	KUNIT_EXPECT_FALSE(test, test_bit(CTRACK_S_ASSURED_BIT, &e->status));
	/* Replied, and older than 2 s: a stream. */
	e->udp_stream_ts = (u32)jiffies - 1;
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_udp(test, NFPROTO_IPV6,
				KT_HOST_A, 40000, KT_HOST_B, 53), NFPROTO_IPV6,
				&e2, &dir), CTRACK_PKT_ESTABLISHED);
	KUNIT_EXPECT_PTR_EQ(test, e2, e);
	KUNIT_EXPECT_EQ(test, dir, CTRACK_DIR_ORIGINAL);
	ui_expect_timeout(test, e, 120 * HZ);
	KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_ASSURED_BIT, &e->status));
}

static void ui_echo_case(struct kunit *test, u8 family, u8 req, u8 rep)
{
	struct ctrack_entry *e, *e2;
	u8 dir;

	e = ui_new_flow(test, ui_echo(test, family, KT_HOST_A, KT_HOST_B, req,
				      0x1234), family);
	ui_expect_timeout(test, e, 30 * HZ);
	/* The reply matches the request by identifier. */
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_echo(test, family, KT_HOST_B,
				KT_HOST_A, rep, 0x1234), family, &e2, &dir),
			CTRACK_PKT_ESTABLISHED);
	KUNIT_EXPECT_PTR_EQ(test, e2, e);
	KUNIT_EXPECT_EQ(test, dir, CTRACK_DIR_REPLY);
	ui_expect_timeout(test, e, 30 * HZ);
	/* A reply to a request nobody sent starts nothing. */
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_echo(test, family, KT_HOST_B,
				KT_HOST_A, rep, 0x4321), family, &e2, NULL),
			CTRACK_PKT_INVALID);
	KUNIT_EXPECT_NULL(test, e2);
	/* Another identifier is another flow. */
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_echo(test, family, KT_HOST_A,
				KT_HOST_B, req, 0x4321), family, &e2, NULL),
			CTRACK_PKT_NEW);
	KUNIT_EXPECT_PTR_NE(test, e2, e);
}

static void ui_icmp_echo_test(struct kunit *test)
{
	ui_echo_case(test, NFPROTO_IPV4, ICMP_ECHO, ICMP_ECHOREPLY);
}

static void ui_icmpv6_echo_test(struct kunit *test)
{
	ui_echo_case(test, NFPROTO_IPV6, ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY);
}

static void ui_icmpv6_nd_untracked_test(struct kunit *test)
{
	struct ctrack_entry *e;
	unsigned int ignore = kt_stat(CTRACK_STAT_IGNORE);

	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_echo(test, NFPROTO_IPV6,
				KT_HOST_A, KT_HOST_B, NDISC_NEIGHBOUR_SOLICITATION,
				0), NFPROTO_IPV6, &e, NULL), CTRACK_PKT_UNTRACKED);
	KUNIT_EXPECT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_IGNORE), ignore + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctrack_pernet(&init_net)->count), 0);
}

static void ui_generic_test(struct kunit *test)
{
	struct kt_frame *f = kt_frame(test);
	struct ctrack_entry *e, *e2;
	unsigned int l3;
	u8 dir;

	l3 = kt_ip(f, NFPROTO_IPV4, IPPROTO_GRE, KT_HOST_A, KT_HOST_B);
	kt_put(f, 24);
	kt_ip_done(f, NFPROTO_IPV4, l3);
	e = ui_new_flow(test, kt_skb(test, f, NFPROTO_IPV4), NFPROTO_IPV4);
	ui_expect_timeout(test, e, 600 * HZ);

	f = kt_frame(test);
	l3 = kt_ip(f, NFPROTO_IPV4, IPPROTO_GRE, KT_HOST_B, KT_HOST_A);
	kt_put(f, 24);
	kt_ip_done(f, NFPROTO_IPV4, l3);
	KUNIT_EXPECT_EQ(test, ui_classify(test, kt_skb(test, f, NFPROTO_IPV4),
					  NFPROTO_IPV4, &e2, &dir),
			CTRACK_PKT_ESTABLISHED);
	KUNIT_EXPECT_PTR_EQ(test, e2, e);
	KUNIT_EXPECT_EQ(test, dir, CTRACK_DIR_REPLY);
	ui_expect_timeout(test, e, 600 * HZ);
}

/* A flow from A:40000 to B:p of @proto, then errors about it. */
static void ui_error_case(struct kunit *test, u8 family, u8 proto)
{
	u16 dp = proto == IPPROTO_TCP ? 80 : 53;
	struct ctrack_entry *e, *e2;
	unsigned int related, invalid;
	struct sk_buff *skb;
	u8 dir;

	skb = proto == IPPROTO_TCP ?
	      ui_syn(test, family, KT_HOST_A, 40000, KT_HOST_B, dp) :
	      ui_udp(test, family, KT_HOST_A, 40000, KT_HOST_B, dp);
	e = ui_new_flow(test, skb, family);
	related = kt_stat(CTRACK_STAT_RELATED);
	invalid = kt_stat(CTRACK_STAT_INVALID);

	/* From the destination back to the sender: RELATED, reply way. */
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_error(test, family, KT_HOST_B,
				KT_HOST_A, proto, KT_HOST_A, 40000, KT_HOST_B,
				dp), family, &e2, &dir), CTRACK_PKT_RELATED);
	KUNIT_EXPECT_PTR_EQ(test, e2, e);
	KUNIT_EXPECT_EQ(test, dir, CTRACK_DIR_REPLY);
	/* From a router on the way: RELATED too. */
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_error(test, family, KT_HOST_C,
				KT_HOST_A, proto, KT_HOST_A, 40000, KT_HOST_B,
				dp), family, &e2, NULL), CTRACK_PKT_RELATED);
	KUNIT_EXPECT_PTR_EQ(test, e2, e);
	/* About a reply-direction packet, sent to its sender B. */
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_error(test, family, KT_HOST_A,
				KT_HOST_B, proto, KT_HOST_B, dp, KT_HOST_A,
				40000), family, &e2, &dir), CTRACK_PKT_RELATED);
	KUNIT_EXPECT_PTR_EQ(test, e2, e);
	KUNIT_EXPECT_EQ(test, dir, CTRACK_DIR_ORIGINAL);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_RELATED), related + 3);

	/* Addressed to someone who did not send the quoted packet. */
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_error(test, family, KT_HOST_B,
				KT_HOST_C, proto, KT_HOST_A, 40000, KT_HOST_B,
				dp), family, &e2, NULL), CTRACK_PKT_INVALID);
	KUNIT_EXPECT_NULL(test, e2);
	/* Quoting a packet of no flow. */
	KUNIT_EXPECT_EQ(test, ui_classify(test, ui_error(test, family, KT_HOST_B,
				KT_HOST_A, proto, KT_HOST_A, 40001, KT_HOST_B,
				dp), family, &e2, NULL), CTRACK_PKT_INVALID);
	KUNIT_EXPECT_NULL(test, e2);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_INVALID), invalid + 2);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_RELATED), related + 3);
	/* Errors open nothing. */
	KUNIT_EXPECT_EQ(test, atomic_read(&ctrack_pernet(&init_net)->count), 1);
}

static void ui_icmp_error_udp_test(struct kunit *test)
{
	ui_error_case(test, NFPROTO_IPV4, IPPROTO_UDP);
}

static void ui_icmpv6_error_tcp_test(struct kunit *test)
{
	ui_error_case(test, NFPROTO_IPV6, IPPROTO_TCP);
}

static struct kunit_case udp_icmp_cases[] = {
	KUNIT_CASE(ui_udp_unreplied_test),
	KUNIT_CASE(ui_udp_stream_test),
	KUNIT_CASE(ui_icmp_echo_test),
	KUNIT_CASE(ui_icmpv6_echo_test),
	KUNIT_CASE(ui_icmpv6_nd_untracked_test),
	KUNIT_CASE(ui_generic_test),
	KUNIT_CASE(ui_icmp_error_udp_test),
	KUNIT_CASE(ui_icmpv6_error_tcp_test),
	{}
};

static struct kunit_suite udp_icmp_suite = {
	.name = "ctrack_udp_icmp",
	.suite_init = kt_env_suite_init,
	.suite_exit = kt_env_suite_exit,
	.init = kt_env_init,
	.exit = kt_exit,
	.test_cases = udp_icmp_cases,
};
