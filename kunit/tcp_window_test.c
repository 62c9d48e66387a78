// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctrack_tcp_window: the TCP tracker on real segments (crafted
 * skbs through ctrack_tuple_parse() and core.c's track()). Proves that
 * segments inside the window pass and move the state; that, as in
 * nf_conntrack since 6.1, segments behind the window, acks far behind
 * and data overshooting the window by less than a window pass without
 * moving the flow (the overshoot's end remembered), while data further
 * out and acks of unsent data are INVALID and change nothing; that window
 * scaling applies only when both SYNs offer it, that SACK blocks count as
 * acknowledgments, which RSTs are believed, what tcp_be_liberal and
 * tcp_loose change, and which timeout each state gets.
 *
 * The originator's ISN sits just below 2^32, so that its data wraps.
 */

#define TW_ISN_A	0xffffff00U
#define TW_ISN_B	5000U
#define TW_WIN_A	64240	/* the originator's SYN window */
#define TW_WIN_B	65160	/* the responder's SYN/ACK window */
#define TW_SLACK	(2 * HZ)

struct tw_seg {
	u8 flags;
	u32 seq;
	u32 ack;
	u16 win;
	unsigned int len;
	const u8 *opt;
	unsigned int optlen;
};

static const u8 tw_opt_ws7[] = { TCPOPT_NOP, TCPOPT_WINDOW, TCPOLEN_WINDOW, 7 };
static const u8 tw_opt_sackperm[] = {
	TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM
};

struct tw {
	struct ctrack_entry *e;
	struct ctrack_net *cnet;
};

/* A fresh entry for A:40000 -> B:80 and a namespace's default knobs. */
static struct tw *tw_new(struct kunit *test)
{
	struct tw *tw = kunit_kzalloc(test, sizeof(*tw), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tw);
	tw->e = kt_bare_entry(test, CTRACK_SHAPE_TCP | CTRACK_SHAPE_ACCT);
	tw->cnet = kunit_kzalloc(test, sizeof(*tw->cnet), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tw->cnet);
	kt_tuple(&tw->e->tuple, NFPROTO_IPV4, IPPROTO_TCP, KT_HOST_A, 40000,
		 KT_HOST_B, 80);
	kt_cnet_defaults(tw->cnet);
	return tw;
}

static struct sk_buff *tw_skb(struct kunit *test, enum ctrack_dir dir,
			      const struct tw_seg *s, struct ctrack_pkt *pkt)
{
	struct kt_frame *f = kt_frame(test);
	bool orig = dir == CTRACK_DIR_ORIGINAL;
	struct sk_buff *skb;
	unsigned int l3;

	l3 = kt_ip(f, NFPROTO_IPV4, IPPROTO_TCP, orig ? KT_HOST_A : KT_HOST_B,
		   orig ? KT_HOST_B : KT_HOST_A);
	kt_tcp(f, orig ? 40000 : 80, orig ? 80 : 40000, s->seq, s->ack, s->flags,
	       s->win, s->opt, s->optlen, s->len);
	kt_ip_done(f, NFPROTO_IPV4, l3);
	skb = kt_skb(test, f, NFPROTO_IPV4);
	KUNIT_ASSERT_EQ(test, kt_parse(skb, NFPROTO_IPV4, pkt), CTRACK_PARSE_OK);
	KUNIT_ASSERT_TRUE(test, ctrack_tcp_header_ok(skb, pkt));
	return skb;
}

/* May this segment open the entry (ctrack_tcp_new)? */
static bool tw_may_start(struct kunit *test, struct tw *tw,
			 const struct tw_seg *s)
{
	struct ctrack_pkt pkt;
	struct sk_buff *skb = tw_skb(test, CTRACK_DIR_ORIGINAL, s, &pkt);

	return ctrack_tcp_new(tw->e, skb, &pkt, tw->cnet);
}

/* One segment through the tracker, as classify() does it. */
static enum ctrack_l4_verdict tw_send(struct kunit *test, struct tw *tw,
				      enum ctrack_dir dir,
				      const struct tw_seg *s)
{
	struct ctrack_pkt pkt;
	struct sk_buff *skb = tw_skb(test, dir, s, &pkt);
	bool changed;

	/* track() also sets SEEN_REPLY, as for a real packet. */
	return track(tw->e, skb, &pkt, dir, tw->cnet, &changed);
}

#define TW_O CTRACK_DIR_ORIGINAL
#define TW_R CTRACK_DIR_REPLY
#define TW_SEG(...) (&(const struct tw_seg){ __VA_ARGS__ })

#define TW_EXPECT(test, tw, dir, verdict, ...) \
	KUNIT_EXPECT_EQ(test, tw_send(test, tw, dir, TW_SEG(__VA_ARGS__)), verdict)

static void tw_expect_timeout(struct kunit *test, const struct tw *tw,
			      unsigned long timeout)
{
	long left = ctrack_entry_remaining(tw->e);

	KUNIT_EXPECT_LE(test, left, (long)timeout);
	KUNIT_EXPECT_GE(test, left, (long)timeout - TW_SLACK);
}

/* SYN, SYN/ACK, ACK with the given options; the final ACK advertises @win. */
static void tw_handshake(struct kunit *test, struct tw *tw,
			 const u8 *syn_opt, unsigned int syn_optlen,
			 const u8 *sa_opt, unsigned int sa_optlen, u16 win)
{
	KUNIT_ASSERT_TRUE(test, tw_may_start(test, tw,
		TW_SEG(.flags = TCPHDR_SYN, .seq = TW_ISN_A, .win = TW_WIN_A)));
	KUNIT_ASSERT_EQ(test, tw_send(test, tw, TW_O,
		TW_SEG(.flags = TCPHDR_SYN, .seq = TW_ISN_A, .win = TW_WIN_A,
		       .opt = syn_opt, .optlen = syn_optlen)), CTRACK_L4_ACCEPT);
	KUNIT_ASSERT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_SYN_SENT);
	KUNIT_ASSERT_EQ(test, tw_send(test, tw, TW_R,
		TW_SEG(.flags = TCPHDR_SYN | TCPHDR_ACK, .seq = TW_ISN_B,
		       .ack = TW_ISN_A + 1, .win = TW_WIN_B, .opt = sa_opt,
		       .optlen = sa_optlen)), CTRACK_L4_ACCEPT);
	KUNIT_ASSERT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_SYN_RECV);
	KUNIT_ASSERT_EQ(test, tw_send(test, tw, TW_O,
		TW_SEG(.flags = TCPHDR_ACK, .seq = TW_ISN_A + 1,
		       .ack = TW_ISN_B + 1, .win = win)), CTRACK_L4_ACCEPT);
	KUNIT_ASSERT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_ESTABLISHED);
}

static void tw_plain_handshake(struct kunit *test, struct tw *tw)
{
	tw_handshake(test, tw, NULL, 0, NULL, 0, TW_WIN_A);
}

static void tw_handshake_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	/* Assured at the third segment of the handshake. */
	KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_ASSURED_BIT, &tw->e->status));
	tw_expect_timeout(test, tw, 5 * 24 * 3600 * HZ);
	KUNIT_EXPECT_EQ(test, ctrack_entry_acct(tw->e)->packets[TW_O], 2);
	KUNIT_EXPECT_EQ(test, ctrack_entry_acct(tw->e)->packets[TW_R], 1);
}

/*
 * A handshake (with SACK permitted on both sides if @perm), then 1,000
 * bytes from the originator.
 */
static struct tw *tw_data_flow(struct kunit *test, bool perm)
{
	struct tw *tw = tw_new(test);

	if (perm)
		tw_handshake(test, tw, tw_opt_sackperm, sizeof(tw_opt_sackperm),
			     tw_opt_sackperm, sizeof(tw_opt_sackperm), TW_WIN_A);
	else
		tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1, .ack = TW_ISN_B + 1, .win = TW_WIN_A,
		  .len = 1000);
	return tw;
}

static void tw_in_window_test(struct kunit *test)
{
	/* 1000 bytes across the sequence-number wrap. */
	struct tw *tw = tw_data_flow(test, false);

	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->seen[TW_O].end, TW_ISN_A + 1001);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1001, .win = TW_WIN_B);
	/* Near the right edge the responder's window allows. */
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1001 + 60000, .ack = TW_ISN_B + 1,
		  .win = TW_WIN_A, .len = 100);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_ESTABLISHED);
}

/*
 * The right edge exactly: a segment may start at the edge the peer's
 * window allows (check I: not after maxend); one byte past it overshoots
 * (IGNORE), and so does data that ends less than a window past it, but
 * not a window or more.
 */
static void tw_window_edge_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);
	u32 edge;

	tw_plain_handshake(test, tw);
	edge = ctrack_entry_tcp(tw->e)->seen[TW_O].maxend;
	KUNIT_EXPECT_EQ(test, edge, TW_ISN_A + 1 + TW_WIN_B);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = edge, .ack = TW_ISN_B + 1, .win = TW_WIN_A);
	/* One past: an overshoot within a window passes unlearned. */
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_IGNORE, .flags = TCPHDR_ACK,
		  .seq = edge + 1, .ack = TW_ISN_B + 1, .win = TW_WIN_A);
	/* The receiver's maxwin is its SYN/ACK window: end - edge < it. */
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_IGNORE, .flags = TCPHDR_ACK,
		  .seq = edge + TW_WIN_B - 1, .ack = TW_ISN_B + 1, .win = TW_WIN_A);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_INVALID, .flags = TCPHDR_ACK,
		  .seq = edge + TW_WIN_B, .ack = TW_ISN_B + 1, .win = TW_WIN_A);
}

/*
 * A receiver that closes its window: the sender's one-byte probe at the
 * acknowledged edge passes (a zero window counts as one byte), so the
 * flow survives until the window opens again.
 */
static void tw_zero_window_probe_test(struct kunit *test)
{
	struct tw *tw = tw_data_flow(test, false);

	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1001, .win = 0);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1001, .ack = TW_ISN_B + 1, .win = TW_WIN_A,
		  .len = 1);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_ESTABLISHED);
}

static void tw_seq_beyond_window_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);
	struct ctrack_tcp before;

	tw_plain_handshake(test, tw);
	before = *ctrack_entry_tcp(tw->e);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_INVALID, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1 + 200000, .ack = TW_ISN_B + 1,
		  .win = TW_WIN_A, .len = 100);
	/* A rejected segment changes nothing. */
	KUNIT_EXPECT_EQ(test, memcmp(&before, ctrack_entry_tcp(tw->e), sizeof(before)), 0);
	KUNIT_EXPECT_EQ(test, ctrack_entry_acct(tw->e)->packets[TW_O], 2);
}

/*
 * Data overshooting the receiver's window by less than a window (TCPs
 * that do): passes without moving the flow, but its end is remembered,
 * so that the receiver's ack of it is in range, as in nf_conntrack, which
 * takes the latest overshoot's end even when it is lower.
 */
static void tw_seq_overshoot_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_IGNORE, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1 + 70000, .ack = TW_ISN_B + 1,
		  .win = TW_WIN_A, .len = 100);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->seen[TW_O].end,
			TW_ISN_A + 1 + 70100);
	KUNIT_EXPECT_EQ(test, ctrack_entry_acct(tw->e)->packets[TW_O], 2);
	/* A shorter overshoot after it: its end is the sender's now. */
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_IGNORE, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1 + 69000, .ack = TW_ISN_B + 1,
		  .win = TW_WIN_A, .len = 100);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->seen[TW_O].end,
			TW_ISN_A + 1 + 69100);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_INVALID, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1 + 70100, .win = TW_WIN_B);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1 + 69100, .win = TW_WIN_B);
}

static void tw_seq_behind_window_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	/* Too old: passes without moving the flow (a retransmission). */
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_IGNORE, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1 - 70000, .ack = TW_ISN_B + 1,
		  .win = TW_WIN_A, .len = 100);
	/* An old retransmission that is still within reach passes. */
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1 - 1000, .ack = TW_ISN_B + 1,
		  .win = TW_WIN_A, .len = 100);
}

static void tw_ack_unsent_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	/* The originator sent nothing beyond its SYN. */
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_INVALID, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1 + 500, .win = TW_WIN_B);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1, .win = TW_WIN_B);
}

static void tw_ack_too_old_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	/* An overly delayed ack: passes without moving the flow. */
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_IGNORE, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1 - 70000,
		  .win = TW_WIN_B);
}

static void tw_window_scale_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	/* Both offer scale 7: the final ACK's window 1000 means 128000. */
	tw_handshake(test, tw, tw_opt_ws7, sizeof(tw_opt_ws7), tw_opt_ws7,
		     sizeof(tw_opt_ws7), 1000);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->seen[TW_O].scale, 7);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->seen[TW_R].scale, 7);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_INVALID, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1 + 400000, .ack = TW_ISN_A + 1, .win = 500,
		  .len = 100);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1 + 100000, .ack = TW_ISN_A + 1, .win = 500,
		  .len = 100);
}

static void tw_window_scale_one_side_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	/* RFC 7323 2.2: only the SYN offers a scale, so nobody scales. */
	tw_handshake(test, tw, tw_opt_ws7, sizeof(tw_opt_ws7), NULL, 0, 1000);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->seen[TW_O].scale, 0);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->seen[TW_R].scale, 0);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_INVALID, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1 + 100000, .ack = TW_ISN_A + 1, .win = 500,
		  .len = 100);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1 + 900, .ack = TW_ISN_A + 1, .win = 500,
		  .len = 100);
}

static void tw_sack_opt(u8 *opt, u32 left, u32 right)
{
	opt[0] = TCPOPT_NOP;
	opt[1] = TCPOPT_NOP;
	opt[2] = TCPOPT_SACK;
	opt[3] = TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK;
	put_unaligned_be32(left, opt + 4);
	put_unaligned_be32(right, opt + 8);
}

/* The responder acknowledges @ack with one SACK block [@left, @right). */
static enum ctrack_l4_verdict tw_sack_reply(struct kunit *test, struct tw *tw,
					    u32 ack, u32 left, u32 right)
{
	u8 opt[12];

	tw_sack_opt(opt, left, right);
	return tw_send(test, tw, TW_R,
		       TW_SEG(.flags = TCPHDR_ACK, .seq = TW_ISN_B + 1, .ack = ack,
			      .win = TW_WIN_B, .opt = opt, .optlen = sizeof(opt)));
}

static void tw_sack_test(struct kunit *test)
{
	struct tw *tw = tw_data_flow(test, true);

	KUNIT_EXPECT_TRUE(test, ctrack_entry_tcp(tw->e)->seen[TW_O].flags &
				CTRACK_TCP_F_SACK_PERM);
	/* The first 500 bytes were lost; the SACK covers the rest. */
	KUNIT_EXPECT_EQ(test, tw_sack_reply(test, tw, TW_ISN_A + 1, TW_ISN_A + 501,
					    TW_ISN_A + 1001), CTRACK_L4_ACCEPT);
	/* A SACK edge beyond what was sent acknowledges unsent data. */
	KUNIT_EXPECT_EQ(test, tw_sack_reply(test, tw, TW_ISN_A + 1, TW_ISN_A + 501,
					    TW_ISN_A + 1501), CTRACK_L4_INVALID);
}

/*
 * SACK blocks from a side that never agreed on SACK are not trusted: they
 * neither pass as acknowledgments nor widen the window (nf_conntrack
 * reads them only with SACK permitted too).
 */
static void tw_sack_without_perm_test(struct kunit *test)
{
	struct tw *tw = tw_data_flow(test, false);

	KUNIT_EXPECT_EQ(test, tw_sack_reply(test, tw, TW_ISN_A + 1, TW_ISN_A + 501,
					    TW_ISN_A + 1001), CTRACK_L4_ACCEPT);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->seen[TW_R].maxwin, TW_WIN_B);
}

/*
 * A cumulative ack far behind a SACK edge that is in range: the ack is
 * checked as well, else sack - ack would widen the window without bound.
 */
static void tw_sack_ack_too_old_test(struct kunit *test)
{
	struct tw *tw = tw_data_flow(test, true);

	/* nf_conntrack checks the SACK edge only, and would accept it. */
	KUNIT_EXPECT_EQ(test, tw_sack_reply(test, tw, TW_ISN_A + 1 - 200000,
					    TW_ISN_A + 501, TW_ISN_A + 1001),
			CTRACK_L4_IGNORE);
	KUNIT_EXPECT_LT(test, ctrack_entry_tcp(tw->e)->seen[TW_R].maxwin, 200000U);
}

static void tw_rst_in_window_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_RST,
		  .seq = TW_ISN_A + 1);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_CLOSE);
	tw_expect_timeout(test, tw, 10 * HZ);
}

/*
 * RFC 5961 3.2: on an established flow a RST in the window but not at
 * the exact expected sequence (a blind attacker's guess) passes without
 * closing, with the CLOSE timeout; the peer's challenge ACK makes the
 * real sender answer with an exact one, which closes. nf_conntrack
 * behaves alike (42-tcp-oracle.sh drives both trackers through the same
 * segments and compares states and timeouts).
 */
static void tw_rst_blind_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_RST,
		  .seq = TW_ISN_A + 1 + 1000);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_ESTABLISHED);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_RST | TCPHDR_ACK,
		  .seq = TW_ISN_B + 1 + 1, .ack = TW_ISN_A + 1);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_ESTABLISHED);
	tw_expect_timeout(test, tw, 10 * HZ);
	/*
	 * The flow lives on: its next segment gives it a timeout back, the
	 * unacknowledged one, since the RSTs' sequences count as data sent
	 * and not yet acknowledged (in nf_conntrack too).
	 */
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1, .ack = TW_ISN_B + 1, .win = TW_WIN_A);
	tw_expect_timeout(test, tw, 300 * HZ);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_RST | TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_CLOSE);
}

/* A RST right after the sender's own last segment ends a train: it closes. */
static void tw_rst_train_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK | TCPHDR_PSH,
		  .seq = TW_ISN_A + 1, .ack = TW_ISN_B + 1, .win = TW_WIN_A, .len = 100);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_RST | TCPHDR_ACK,
		  .seq = TW_ISN_A + 101, .ack = TW_ISN_B + 1);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_CLOSE);
}

/*
 * An entry made by netlink (ctrack -I) has seen no segment: a spoofed
 * reply SYN/ACK with ack 0 does not pass for the answer to a SYN it
 * never saw, and cannot reopen it.
 */
static void tw_adopted_no_reopen_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	ctrack_tcp_adopt(tw->e, CTRACK_TCP_ESTABLISHED);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_IGNORE,
		  .flags = TCPHDR_SYN | TCPHDR_ACK, .seq = 777, .ack = 0);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_ESTABLISHED);
}

static void tw_rst_out_of_window_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_INVALID, .flags = TCPHDR_RST,
		  .seq = TW_ISN_A + 1 + 200000);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_INVALID,
		  .flags = TCPHDR_RST | TCPHDR_ACK, .seq = TW_ISN_A + 1 + 200000,
		  .ack = TW_ISN_B + 1);
	/* Behind what the originator already acknowledged: stale or forged. */
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_INVALID, .flags = TCPHDR_RST,
		  .seq = TW_ISN_B + 1 - 100);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_ESTABLISHED);
}

static void tw_rst_refuses_syn_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_SYN,
		  .seq = TW_ISN_A, .win = TW_WIN_A);
	/* A RST answering a SYN must acknowledge exactly that SYN. */
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_INVALID,
		  .flags = TCPHDR_RST | TCPHDR_ACK, .ack = TW_ISN_A + 5);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_INVALID, .flags = TCPHDR_RST);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_SYN_SENT);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT,
		  .flags = TCPHDR_RST | TCPHDR_ACK, .ack = TW_ISN_A + 1);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_CLOSE);
	/* A flow refused at once is dropped at once. */
	KUNIT_EXPECT_TRUE(test, ctrack_entry_expired(tw->e));
}

/*
 * Unanswered: a retransmitted SYN does not renew the deadline (a port
 * reused again and again would keep the entry for ever), and a RST from
 * either side ends the entry at once.
 */
static void tw_unanswered_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_SYN,
		  .seq = TW_ISN_A, .win = TW_WIN_A);
	tw_expect_timeout(test, tw, 120 * HZ);
	WRITE_ONCE(tw->e->deadline, (u32)jiffies + 5 * HZ);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_SYN,
		  .seq = TW_ISN_A, .win = TW_WIN_A);
	tw_expect_timeout(test, tw, 5 * HZ);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_RST,
		  .seq = TW_ISN_A + 1);
	KUNIT_EXPECT_TRUE(test, ctrack_entry_expired(tw->e));
}

static void tw_be_liberal_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw->cnet->tcp_be_liberal = 1;
	tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1 + 70000, .ack = TW_ISN_B + 1,
		  .win = TW_WIN_A, .len = 100);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1 - 70000,
		  .win = TW_WIN_B);
	/* Liberal is about windows, not flags: the state machine still rules. */
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_INVALID,
		  .flags = TCPHDR_SYN, .seq = TW_ISN_B);
}

static void tw_loose_pickup_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);
	const u32 seq = 0x40000000, ack = 0x80000000;

	KUNIT_ASSERT_EQ(test, tw->cnet->tcp_loose, 1);
	KUNIT_ASSERT_TRUE(test, tw_may_start(test, tw,
		TW_SEG(.flags = TCPHDR_ACK, .seq = seq, .ack = ack, .win = 1000)));
	KUNIT_EXPECT_TRUE(test, ctrack_entry_tcp(tw->e)->seen[TW_O].flags &
				CTRACK_TCP_F_BE_LIBERAL);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = seq, .ack = ack, .win = 1000, .len = 100);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_ESTABLISHED);
	/* Picked up, never answered: the unacknowledged timeout, not 5 days. */
	tw_expect_timeout(test, tw, 300 * HZ);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = ack, .ack = seq + 100, .win = 1000);
	/* The window scale was never seen: windows are not enforced. */
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = seq + 10000000, .ack = ack, .win = 1000, .len = 100);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_ESTABLISHED);
}

static void tw_loose_off_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw->cnet->tcp_loose = 0;
	KUNIT_EXPECT_FALSE(test, tw_may_start(test, tw,
		TW_SEG(.flags = TCPHDR_ACK, .seq = 1, .ack = 1, .win = 1000)));
	KUNIT_EXPECT_TRUE(test, tw_may_start(test, tw,
		TW_SEG(.flags = TCPHDR_SYN, .seq = 1, .win = 1000)));
	/* Nothing but a SYN or (loose) a bare ACK starts a flow. */
	tw->cnet->tcp_loose = 1;
	KUNIT_EXPECT_FALSE(test, tw_may_start(test, tw,
		TW_SEG(.flags = TCPHDR_FIN | TCPHDR_ACK, .seq = 1, .ack = 1)));
	KUNIT_EXPECT_FALSE(test, tw_may_start(test, tw,
		TW_SEG(.flags = TCPHDR_RST, .seq = 1)));
	KUNIT_EXPECT_FALSE(test, tw_may_start(test, tw,
		TW_SEG(.flags = TCPHDR_SYN | TCPHDR_ACK, .seq = 1, .ack = 1)));
}

static void tw_close_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT,
		  .flags = TCPHDR_FIN | TCPHDR_ACK, .seq = TW_ISN_A + 1,
		  .ack = TW_ISN_B + 1, .win = TW_WIN_A);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_FIN_WAIT);
	KUNIT_EXPECT_TRUE(test, ctrack_entry_tcp(tw->e)->seen[TW_O].flags &
				CTRACK_TCP_F_CLOSE_INIT);
	tw_expect_timeout(test, tw, 120 * HZ);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 2, .win = TW_WIN_B);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_CLOSE_WAIT);
	tw_expect_timeout(test, tw, 60 * HZ);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT,
		  .flags = TCPHDR_FIN | TCPHDR_ACK, .seq = TW_ISN_B + 1,
		  .ack = TW_ISN_A + 2, .win = TW_WIN_B);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_LAST_ACK);
	tw_expect_timeout(test, tw, 30 * HZ);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 2, .ack = TW_ISN_B + 2, .win = TW_WIN_A);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->state, CTRACK_TCP_TIME_WAIT);
	tw_expect_timeout(test, tw, 120 * HZ);
	/* A new SYN on the same tuple starts the next connection. */
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_REOPEN, .flags = TCPHDR_SYN,
		  .seq = TW_ISN_A + 100000, .win = TW_WIN_A);
}

static void tw_retrans_timeout_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);
	int i;

	tw->cnet->timeouts[CTRACK_TO_TCP_RETRANS] = 200 * HZ;
	tw->cnet->timeouts[CTRACK_TO_TCP_UNACK] = 250 * HZ;
	tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_A + 1, .ack = TW_ISN_B + 1, .win = TW_WIN_A,
		  .len = 100);
	/* Unacknowledged data: the UNACK timeout, not ESTABLISHED's. */
	tw_expect_timeout(test, tw, 250 * HZ);
	for (i = 0; i < 3; i++)
		TW_EXPECT(test, tw, TW_O, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
			  .seq = TW_ISN_A + 1, .ack = TW_ISN_B + 1,
			  .win = TW_WIN_A, .len = 100);
	/* tcp_max_retrans identical segments: the RETRANS timeout. */
	tw_expect_timeout(test, tw, 200 * HZ);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 101, .win = TW_WIN_B);
	tw_expect_timeout(test, tw, 5 * 24 * 3600 * HZ);
}

/*
 * An acknowledgment that closes the window leaves the flow the
 * RETRANS timeout, as nf_conntrack does; reopening it gives back
 * ESTABLISHED's.
 */
static void tw_zero_window_timeout_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);

	tw->cnet->timeouts[CTRACK_TO_TCP_RETRANS] = 200 * HZ;
	tw_plain_handshake(test, tw);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1, .win = 0);
	tw_expect_timeout(test, tw, 200 * HZ);
	TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
		  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1, .win = 1000);
	tw_expect_timeout(test, tw, 5 * 24 * 3600 * HZ);
}

/*
 * Retransmissions are recognised by the window as sent: scaled by 2^7,
 * windows 512 and 1024 are 65536 and 131072, both 0 in 16 bits, and
 * must not make the same segment a retransmission.
 */
static void tw_retrans_scaled_window_test(struct kunit *test)
{
	struct tw *tw = tw_new(test);
	int i;

	tw->cnet->timeouts[CTRACK_TO_TCP_RETRANS] = 200 * HZ;
	tw_handshake(test, tw, tw_opt_ws7, sizeof(tw_opt_ws7), tw_opt_ws7,
		     sizeof(tw_opt_ws7), 1000);
	for (i = 0; i < 6; i++)
		TW_EXPECT(test, tw, TW_R, CTRACK_L4_ACCEPT, .flags = TCPHDR_ACK,
			  .seq = TW_ISN_B + 1, .ack = TW_ISN_A + 1,
			  .win = i % 2 ? 1024 : 512);
	KUNIT_EXPECT_EQ(test, ctrack_entry_tcp(tw->e)->retrans, 0);
	tw_expect_timeout(test, tw, 5 * 24 * 3600 * HZ);
}

static struct kunit_case tcp_window_cases[] = {
	KUNIT_CASE(tw_handshake_test),
	KUNIT_CASE(tw_in_window_test),
	KUNIT_CASE(tw_window_edge_test),
	KUNIT_CASE(tw_zero_window_probe_test),
	KUNIT_CASE(tw_seq_beyond_window_test),
	KUNIT_CASE(tw_seq_overshoot_test),
	KUNIT_CASE(tw_seq_behind_window_test),
	KUNIT_CASE(tw_ack_unsent_test),
	KUNIT_CASE(tw_ack_too_old_test),
	KUNIT_CASE(tw_window_scale_test),
	KUNIT_CASE(tw_window_scale_one_side_test),
	KUNIT_CASE(tw_sack_test),
	KUNIT_CASE(tw_sack_without_perm_test),
	KUNIT_CASE(tw_sack_ack_too_old_test),
	KUNIT_CASE(tw_rst_in_window_test),
	KUNIT_CASE(tw_rst_blind_test),
	KUNIT_CASE(tw_rst_train_test),
	KUNIT_CASE(tw_adopted_no_reopen_test),
	KUNIT_CASE(tw_rst_out_of_window_test),
	KUNIT_CASE(tw_rst_refuses_syn_test),
	KUNIT_CASE(tw_be_liberal_test),
	KUNIT_CASE(tw_loose_pickup_test),
	KUNIT_CASE(tw_unanswered_test),
	KUNIT_CASE(tw_loose_off_test),
	KUNIT_CASE(tw_close_test),
	KUNIT_CASE(tw_retrans_timeout_test),
	KUNIT_CASE(tw_zero_window_timeout_test),
	KUNIT_CASE(tw_retrans_scaled_window_test),
	{}
};

static struct kunit_suite tcp_window_suite = {
	.name = "ctrack_tcp_window",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = tcp_window_cases,
};
