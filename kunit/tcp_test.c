// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctrack_tcp_transitions: every cell of the TCP transition table,
 * (direction, event, old state) -> new state, checked against an
 * expectation written here from RFC 793/1122 and nf_conntrack's
 * documented behaviour, one case per cell. proto_tcp.c documents its
 * reasons in comments, so the reason for each expected cell lives here
 * and names the case. Also: every state has a printable name, and
 * out-of-range inputs are INVALID rather than read past the table.
 */

/* Our own aliases, so that the expectation does not reuse proto_tcp.c's. */
#define xNO CTRACK_TCP_NONE
#define xSS CTRACK_TCP_SYN_SENT
#define xSR CTRACK_TCP_SYN_RECV
#define xES CTRACK_TCP_ESTABLISHED
#define xFW CTRACK_TCP_FIN_WAIT
#define xCW CTRACK_TCP_CLOSE_WAIT
#define xLA CTRACK_TCP_LAST_ACK
#define xTW CTRACK_TCP_TIME_WAIT
#define xCL CTRACK_TCP_CLOSE
#define xS2 CTRACK_TCP_SYN_SENT2
#define xIG CTRACK_TCP_IGNORE
#define xIV CTRACK_TCP_INVALID

#define O CTRACK_DIR_ORIGINAL
#define R CTRACK_DIR_REPLY
#define SYN CTRACK_TCP_EV_SYN
#define SYNACK CTRACK_TCP_EV_SYNACK
#define FIN CTRACK_TCP_EV_FIN
#define ACK CTRACK_TCP_EV_ACK
#define RST CTRACK_TCP_EV_RST
#define NONE CTRACK_TCP_EV_NONE

struct tcp_cell {
	u8 dir;
	u8 ev;
	u8 old;
	u8 next;
	const char *why;
};

static const struct tcp_cell tcp_cells[] = {
	/* original direction, SYN */
	{ O, SYN, xNO, xSS, "a SYN opens a connection" },
	{ O, SYN, xSS, xSS, "the SYN is retransmitted" },
	{ O, SYN, xSR, xIG, "SYN after the answer: stale or restarted, unknowable" },
	{ O, SYN, xES, xIG, "SYN on an open flow: the peer challenges it" },
	{ O, SYN, xFW, xIG, "SYN while closing: may be a new connection we missed" },
	{ O, SYN, xCW, xIG, "SYN while closing: may be a new connection we missed" },
	{ O, SYN, xLA, xIG, "SYN while closing: may be a new connection we missed" },
	{ O, SYN, xTW, xSS, "RFC 1122 4.2.2.13: a SYN reopens TIME_WAIT" },
	{ O, SYN, xCL, xSS, "a SYN after a reset starts over" },
	{ O, SYN, xS2, xS2, "retransmitted SYN of a simultaneous open" },
	/* original direction, SYN/ACK */
	{ O, SYNACK, xNO, xIV, "a SYN/ACK answers nothing we saw" },
	{ O, SYNACK, xSS, xIV, "the originator cannot answer its own SYN" },
	{ O, SYNACK, xSR, xSR, "simultaneous open: its SYN/ACK again" },
	{ O, SYNACK, xES, xIV, "no SYN/ACK from the originator once open" },
	{ O, SYNACK, xFW, xIV, "no SYN/ACK from the originator once open" },
	{ O, SYNACK, xCW, xIV, "no SYN/ACK from the originator once open" },
	{ O, SYNACK, xLA, xIV, "no SYN/ACK from the originator once open" },
	{ O, SYNACK, xTW, xIV, "no SYN/ACK from the originator once open" },
	{ O, SYNACK, xCL, xIV, "no SYN/ACK from the originator once open" },
	{ O, SYNACK, xS2, xSR, "simultaneous open: answering the peer's SYN" },
	/* original direction, FIN */
	{ O, FIN, xNO, xIV, "a FIN cannot open a connection" },
	{ O, FIN, xSS, xIV, "FIN before the peer answered" },
	{ O, FIN, xSR, xFW, "the handshake's ACK carries a FIN" },
	{ O, FIN, xES, xFW, "RFC 793 3.5: the originator closes first" },
	{ O, FIN, xFW, xLA, "both halves have sent a FIN" },
	{ O, FIN, xCW, xLA, "the second half closes" },
	{ O, FIN, xLA, xLA, "retransmitted FIN" },
	{ O, FIN, xTW, xTW, "retransmitted FIN in TIME_WAIT" },
	{ O, FIN, xCL, xCL, "FIN after a reset changes nothing" },
	{ O, FIN, xS2, xIV, "no FIN during a simultaneous open" },
	/* original direction, ACK */
	{ O, ACK, xNO, xES, "mid-stream pickup (tcp_loose)" },
	{ O, ACK, xSS, xIV, "ACK from the side whose SYN is unanswered" },
	{ O, ACK, xSR, xES, "third segment of the handshake" },
	{ O, ACK, xES, xES, "data or a pure ACK" },
	{ O, ACK, xFW, xCW, "a FIN is acknowledged" },
	{ O, ACK, xCW, xCW, "data on the half still open" },
	{ O, ACK, xLA, xTW, "the last FIN is acknowledged" },
	{ O, ACK, xTW, xTW, "retransmitted ACK in TIME_WAIT" },
	{ O, ACK, xCL, xCL, "ACK after a reset changes nothing" },
	{ O, ACK, xS2, xIV, "bare ACK before any SYN/ACK of a simultaneous open" },
	/* original direction, RST */
	{ O, RST, xNO, xIV, "a RST cannot open a connection" },
	{ O, RST, xSS, xCL, "RST aborts (RFC 793 3.4)" },
	{ O, RST, xSR, xCL, "RST aborts (RFC 793 3.4)" },
	{ O, RST, xES, xCL, "RST aborts (RFC 793 3.4)" },
	{ O, RST, xFW, xCL, "RST aborts (RFC 793 3.4)" },
	{ O, RST, xCW, xCL, "RST aborts (RFC 793 3.4)" },
	{ O, RST, xLA, xCL, "RST aborts (RFC 793 3.4)" },
	{ O, RST, xTW, xCL, "RST aborts (RFC 793 3.4)" },
	{ O, RST, xCL, xCL, "another RST on a reset flow" },
	{ O, RST, xS2, xCL, "RST aborts (RFC 793 3.4)" },
	/* original direction, no SYN/ACK/FIN/RST */
	{ O, NONE, xNO, xIV, "a segment without control flags is bogus" },
	{ O, NONE, xSS, xIV, "a segment without control flags is bogus" },
	{ O, NONE, xSR, xIV, "a segment without control flags is bogus" },
	{ O, NONE, xES, xIV, "a segment without control flags is bogus" },
	{ O, NONE, xFW, xIV, "a segment without control flags is bogus" },
	{ O, NONE, xCW, xIV, "a segment without control flags is bogus" },
	{ O, NONE, xLA, xIV, "a segment without control flags is bogus" },
	{ O, NONE, xTW, xIV, "a segment without control flags is bogus" },
	{ O, NONE, xCL, xIV, "a segment without control flags is bogus" },
	{ O, NONE, xS2, xIV, "a segment without control flags is bogus" },
	/* reply direction, SYN */
	{ R, SYN, xNO, xIV, "a reply never starts an entry" },
	{ R, SYN, xSS, xS2, "RFC 793 fig. 8: simultaneous open" },
	{ R, SYN, xSR, xIV, "SYN after the responder's own SYN/ACK" },
	{ R, SYN, xES, xIV, "no SYN from the responder once open" },
	{ R, SYN, xFW, xIV, "no SYN from the responder once open" },
	{ R, SYN, xCW, xIV, "no SYN from the responder once open" },
	{ R, SYN, xLA, xIV, "no SYN from the responder once open" },
	{ R, SYN, xTW, xSS, "RFC 1122: the responder reopens TIME_WAIT" },
	{ R, SYN, xCL, xIV, "a reset flow reopens from the originator only" },
	{ R, SYN, xS2, xS2, "retransmitted SYN of a simultaneous open" },
	/* reply direction, SYN/ACK */
	{ R, SYNACK, xNO, xIV, "a reply never starts an entry" },
	{ R, SYNACK, xSS, xSR, "the answer to the SYN" },
	{ R, SYNACK, xSR, xIG, "retransmitted SYN/ACK" },
	{ R, SYNACK, xES, xIG, "late SYN/ACK: may answer a SYN we missed" },
	{ R, SYNACK, xFW, xIG, "late SYN/ACK: may answer a SYN we missed" },
	{ R, SYNACK, xCW, xIG, "late SYN/ACK: may answer a SYN we missed" },
	{ R, SYNACK, xLA, xIG, "late SYN/ACK: may answer a SYN we missed" },
	{ R, SYNACK, xTW, xIG, "late SYN/ACK: may answer a SYN we missed" },
	{ R, SYNACK, xCL, xIG, "late SYN/ACK: may answer a SYN we missed" },
	{ R, SYNACK, xS2, xSR, "simultaneous open: answering our SYN" },
	/* reply direction, FIN */
	{ R, FIN, xNO, xIV, "a reply never starts an entry" },
	{ R, FIN, xSS, xIV, "FIN from a side that did not answer the SYN" },
	{ R, FIN, xSR, xFW, "the responder closes right after its SYN/ACK" },
	{ R, FIN, xES, xFW, "RFC 793 3.5: the responder closes first" },
	{ R, FIN, xFW, xLA, "both halves have sent a FIN" },
	{ R, FIN, xCW, xLA, "the second half closes" },
	{ R, FIN, xLA, xLA, "retransmitted FIN" },
	{ R, FIN, xTW, xTW, "retransmitted FIN in TIME_WAIT" },
	{ R, FIN, xCL, xCL, "FIN after a reset changes nothing" },
	{ R, FIN, xS2, xIV, "no FIN during a simultaneous open" },
	/* reply direction, ACK */
	{ R, ACK, xNO, xIV, "a reply never starts an entry" },
	{ R, ACK, xSS, xIG, "ACK to a SYN: the responder may hold an old flow" },
	{ R, ACK, xSR, xSR, "simultaneous open: ACK of the SYN/ACK" },
	{ R, ACK, xES, xES, "data or a pure ACK" },
	{ R, ACK, xFW, xCW, "the FIN is acknowledged" },
	{ R, ACK, xCW, xCW, "data on the half still open" },
	{ R, ACK, xLA, xTW, "the last FIN is acknowledged" },
	{ R, ACK, xTW, xTW, "retransmitted ACK in TIME_WAIT" },
	{ R, ACK, xCL, xCL, "ACK after a reset changes nothing" },
	{ R, ACK, xS2, xIG, "ACK in a simultaneous open we cannot place" },
	/* reply direction, RST */
	{ R, RST, xNO, xIV, "a reply never starts an entry" },
	{ R, RST, xSS, xCL, "connection refused (RFC 793 3.4)" },
	{ R, RST, xSR, xCL, "RST aborts (RFC 793 3.4)" },
	{ R, RST, xES, xCL, "RST aborts (RFC 793 3.4)" },
	{ R, RST, xFW, xCL, "RST aborts (RFC 793 3.4)" },
	{ R, RST, xCW, xCL, "RST aborts (RFC 793 3.4)" },
	{ R, RST, xLA, xCL, "RST aborts (RFC 793 3.4)" },
	{ R, RST, xTW, xCL, "RST aborts (RFC 793 3.4)" },
	{ R, RST, xCL, xCL, "another RST on a reset flow" },
	{ R, RST, xS2, xCL, "RST aborts (RFC 793 3.4)" },
	/* reply direction, no SYN/ACK/FIN/RST */
	{ R, NONE, xNO, xIV, "a segment without control flags is bogus" },
	{ R, NONE, xSS, xIV, "a segment without control flags is bogus" },
	{ R, NONE, xSR, xIV, "a segment without control flags is bogus" },
	{ R, NONE, xES, xIV, "a segment without control flags is bogus" },
	{ R, NONE, xFW, xIV, "a segment without control flags is bogus" },
	{ R, NONE, xCW, xIV, "a segment without control flags is bogus" },
	{ R, NONE, xLA, xIV, "a segment without control flags is bogus" },
	{ R, NONE, xTW, xIV, "a segment without control flags is bogus" },
	{ R, NONE, xCL, xIV, "a segment without control flags is bogus" },
	{ R, NONE, xS2, xIV, "a segment without control flags is bogus" },
};

static const char *const tcp_ev_names[__CTRACK_TCP_EV_MAX] = {
	[SYN] = "syn", [SYNACK] = "synack", [FIN] = "fin", [ACK] = "ack",
	[RST] = "rst", [NONE] = "none",
};

static void tcp_cell_desc(const struct tcp_cell *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %s in %s",
		 c->dir == O ? "original" : "reply", tcp_ev_names[c->ev],
		 ctrack_tcp_state_name(c->old));
}

KUNIT_ARRAY_PARAM(tcp_cell, tcp_cells, tcp_cell_desc);

static const char *tcp_next_name(u8 s)
{
	return s == xIG ? "IGNORE" : s == xIV ? "INVALID" : ctrack_tcp_state_name(s);
}

static void tcp_transition_test(struct kunit *test)
{
	const struct tcp_cell *c = test->param_value;
	u8 next = ctrack_tcp_next_state(c->dir, c->ev, c->old);

	KUNIT_EXPECT_TRUE(test, c->why && *c->why);
	KUNIT_EXPECT_EQ_MSG(test, next, c->next, "got %s, expected %s: %s",
			    tcp_next_name(next), tcp_next_name(c->next), c->why);
}

/* The expectation covers each (direction, event, state) exactly once. */
static void tcp_table_complete_test(struct kunit *test)
{
	static u8 seen[CTRACK_DIR_MAX][__CTRACK_TCP_EV_MAX][__CTRACK_TCP_MAX];
	unsigned int i;

	memset(seen, 0, sizeof(seen));
	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(tcp_cells),
			CTRACK_DIR_MAX * __CTRACK_TCP_EV_MAX * __CTRACK_TCP_MAX);
	for (i = 0; i < ARRAY_SIZE(tcp_cells); i++) {
		const struct tcp_cell *c = &tcp_cells[i];

		KUNIT_ASSERT_LT(test, c->dir, CTRACK_DIR_MAX);
		KUNIT_ASSERT_LT(test, c->ev, __CTRACK_TCP_EV_MAX);
		KUNIT_ASSERT_LT(test, c->old, __CTRACK_TCP_MAX);
		KUNIT_EXPECT_EQ(test, seen[c->dir][c->ev][c->old]++, 0);
	}
}

static void tcp_state_names_test(struct kunit *test)
{
	u8 s;

	for (s = 0; s < __CTRACK_TCP_MAX; s++) {
		const char *name = ctrack_tcp_state_name(s);

		KUNIT_EXPECT_NOT_ERR_OR_NULL(test, name);
		KUNIT_EXPECT_STRNEQ(test, name, "?");
		KUNIT_EXPECT_GT(test, strlen(name), 0);
	}
	KUNIT_EXPECT_STREQ(test, ctrack_tcp_state_name(xES), "ESTABLISHED");
	KUNIT_EXPECT_STREQ(test, ctrack_tcp_state_name(__CTRACK_TCP_MAX), "?");
}

static void tcp_out_of_range_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ctrack_tcp_next_state(CTRACK_DIR_MAX, SYN, xNO), xIV);
	KUNIT_EXPECT_EQ(test, ctrack_tcp_next_state(O, __CTRACK_TCP_EV_MAX, xNO), xIV);
	KUNIT_EXPECT_EQ(test, ctrack_tcp_next_state(O, SYN, __CTRACK_TCP_MAX), xIV);
	KUNIT_EXPECT_EQ(test, ctrack_tcp_next_state(O, SYN, xIV), xIV);
}

static struct kunit_case tcp_transition_cases[] = {
	KUNIT_CASE_PARAM(tcp_transition_test, tcp_cell_gen_params),
	KUNIT_CASE(tcp_table_complete_test),
	KUNIT_CASE(tcp_state_names_test),
	KUNIT_CASE(tcp_out_of_range_test),
	{}
};

static struct kunit_suite tcp_transition_suite = {
	.name = "ctrack_tcp_transitions",
	.test_cases = tcp_transition_cases,
};

#undef O
#undef R
#undef SYN
#undef SYNACK
#undef FIN
#undef ACK
#undef RST
#undef NONE
