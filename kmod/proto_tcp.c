// SPDX-License-Identifier: GPL-2.0
/*
 * TCP tracking: a state machine driven by the segment's flags, and window
 * tracking after Guido van Rooij's "Real Stateful TCP Packet Filtering in
 * IP Filter", the model nf_conntrack uses. The states, their meanings and
 * the default timeouts are nf_conntrack's, so that both trackers can be
 * compared packet for packet.
 */
#include <linux/tcp.h>
#include <net/tcp.h>

#include "proto.h"

/* Aliases that keep the transition table readable. */
#define sNO CTRACK_TCP_NONE
#define sSS CTRACK_TCP_SYN_SENT
#define sSR CTRACK_TCP_SYN_RECV
#define sES CTRACK_TCP_ESTABLISHED
#define sFW CTRACK_TCP_FIN_WAIT
#define sCW CTRACK_TCP_CLOSE_WAIT
#define sLA CTRACK_TCP_LAST_ACK
#define sTW CTRACK_TCP_TIME_WAIT
#define sCL CTRACK_TCP_CLOSE
#define sS2 CTRACK_TCP_SYN_SENT2
#define sIG CTRACK_TCP_IGNORE
#define sIV CTRACK_TCP_INVALID

/*
 * The states (what the tracker has seen, not what either end thinks):
 *
 * NONE		nothing yet (only as the "old" state of a new entry)
 * SYN_SENT	the originator's SYN
 * SYN_RECV	the responder's SYN/ACK to it
 * ESTABLISHED	the handshake's final ACK (or mid-stream pickup)
 * FIN_WAIT	a FIN from one side
 * CLOSE_WAIT	the other side acknowledged that FIN
 * LAST_ACK	both sides have sent a FIN
 * TIME_WAIT	the last FIN was acknowledged: waiting out old segments
 * CLOSE	a RST was seen
 * SYN_SENT2	both sides sent a SYN without ACK: simultaneous open
 *
 * IGNORE (sIG) lets the segment pass without changing anything, because
 * it may be legitimate but we cannot follow it (a lost handshake, a stale
 * retransmission). INVALID (sIV) rejects the segment.
 *
 * Indexed [direction][event][old state]. Below each row, one line per
 * column gives the reason for that cell.
 */
static const u8 tcp_transitions[CTRACK_DIR_MAX][__CTRACK_TCP_EV_MAX][__CTRACK_TCP_MAX] = {
	[CTRACK_DIR_ORIGINAL] = {
/*		     sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
/* syn */	   { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
/*
 * sNO -> sSS	the normal start of a connection
 * sSS -> sSS	the SYN was retransmitted
 * sSR -> sIG	a SYN while the responder already answered: an old duplicate,
 *		or the originator restarted; we cannot tell, let it pass
 * sES -> sIG	idem for an established flow (the peer will send a
 *		challenge ACK if it is stale)
 * sFW,sCW,sLA -> sIG	idem while closing
 * sTW -> sSS	RFC 1122 4.2.2.13: a new SYN may reopen a flow in TIME_WAIT
 * sCL -> sSS	the flow was reset; the SYN starts it over
 * sS2 -> sS2	a retransmitted SYN in a simultaneous open
 */
/* synack */	   { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
/*
 * sNO -> sIV	a SYN/ACK cannot start a flow from the originator's side
 * sSS -> sIV	the originator does not answer its own SYN
 * sSR -> sSR	simultaneous open: the originator's SYN/ACK retransmitted
 * sES..sCL -> sIV	no SYN/ACK from the originator after the handshake
 * sS2 -> sSR	simultaneous open: the originator answers the peer's SYN
 */
/* fin */	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/*
 * sNO -> sIV	no flow starts with a FIN
 * sSS -> sIV	a FIN before the handshake finished from the other side
 * sSR -> sFW	the originator closes right after the SYN/ACK (its ACK rides
 *		on the FIN)
 * sES -> sFW	the originator closes first
 * sFW -> sLA	both sides sent a FIN (ours may be a retransmission: the
 *		window check tells them apart; LAST_ACK covers both)
 * sCW -> sLA	the originator closes its half after the peer's FIN
 * sLA -> sLA	retransmitted FIN
 * sTW -> sTW	retransmitted FIN while waiting out the close
 * sCL -> sCL	late FIN after a reset
 * sS2 -> sIV	no FIN during a simultaneous open
 */
/* ack */	   { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
/*
 * sNO -> sES	mid-stream pickup (only with net.ctrack.tcp_loose)
 * sSS -> sIV	an ACK from the side whose SYN is unanswered
 * sSR -> sES	the third packet of the handshake
 * sES -> sES	data or pure ACK
 * sFW -> sCW	the FIN was acknowledged by the other side... or ours was:
 *		CLOSE_WAIT is where one FIN has been seen and acknowledged
 * sCW -> sCW	data on the half that is still open
 * sLA -> sTW	the ACK of the last FIN
 * sTW -> sTW	retransmitted ACK
 * sCL -> sCL	late ACK after a reset
 * sS2 -> sIV	no bare ACK in a simultaneous open before a SYN/ACK
 */
/* rst */	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*
 * sNO -> sIV	a RST cannot start a flow
 * others -> sCL	a RST aborts the flow (the window check decides
 *		whether it is believable)
 */
/* none */	   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV }
/*
 * every state -> sIV	a segment without SYN, ACK, FIN or RST is bogus
 */
	},
	[CTRACK_DIR_REPLY] = {
/*		     sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
/* syn */	   { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 },
/*
 * sNO -> sIV	never reached: entries start in the original direction
 * sSS -> sS2	the responder sent a SYN too: simultaneous open
 * sSR -> sIV	a SYN after the responder's own SYN/ACK
 * sES..sLA -> sIV	no SYN from the responder once established
 * sTW -> sSS	the responder reopens the flow in TIME_WAIT (RFC 1122)
 * sCL -> sIV	a reset flow is reopened from the original side only
 * sS2 -> sS2	retransmitted SYN in a simultaneous open
 */
/* synack */	   { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
/*
 * sNO -> sIV	never reached
 * sSS -> sSR	the normal answer to the SYN
 * sSR -> sIG	retransmitted SYN/ACK: harmless, nothing to learn
 * sES..sCL -> sIG	a late SYN/ACK; maybe a SYN we did not see started a
 *		new flow: let it pass, remember it (see tcp_ignored())
 * sS2 -> sSR	simultaneous open: the responder answers our SYN
 */
/* fin */	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/*
 * sNO -> sIV	never reached
 * sSS -> sIV	a FIN from a side that has not answered the SYN
 * sSR -> sFW	the responder closes right after its SYN/ACK
 * sES -> sFW	the responder closes first
 * sFW -> sLA	both sides sent a FIN
 * sCW -> sLA	the responder closes after acknowledging our FIN
 * sLA -> sLA	retransmitted FIN
 * sTW -> sTW	retransmitted FIN
 * sCL -> sCL	late FIN after a reset
 * sS2 -> sIV	no FIN during a simultaneous open
 */
/* ack */	   { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
/*
 * sNO -> sIV	never reached
 * sSS -> sIG	an ACK to a SYN we tracked: the responder may still have an
 *		old connection with this tuple (half-open); let it pass
 * sSR -> sSR	simultaneous open: an ACK of the SYN/ACK before the originator's
 * sES -> sES	data or pure ACK
 * sFW -> sCW	the FIN is acknowledged
 * sCW -> sCW	data on the half that is still open
 * sLA -> sTW	the ACK of the last FIN
 * sTW -> sTW	retransmitted ACK
 * sCL -> sCL	late ACK after a reset
 * sS2 -> sIG	an ACK in a simultaneous open we cannot place
 */
/* rst */	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*
 * sNO -> sIV	never reached
 * others -> sCL	a RST aborts the flow (if the window check believes it)
 */
/* none */	   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV }
/*
 * every state -> sIV	a segment without SYN, ACK, FIN or RST is bogus
 */
	}
};

u8 ctrack_tcp_next_state(enum ctrack_dir dir, enum ctrack_tcp_event ev, u8 state)
{
	if (dir >= CTRACK_DIR_MAX || ev >= __CTRACK_TCP_EV_MAX ||
	    state >= __CTRACK_TCP_MAX)
		return sIV;
	return tcp_transitions[dir][ev][state];
}

static const char *const tcp_state_names[] = {
	[sNO] = "NONE",
	[sSS] = "SYN_SENT",
	[sSR] = "SYN_RECV",
	[sES] = "ESTABLISHED",
	[sFW] = "FIN_WAIT",
	[sCW] = "CLOSE_WAIT",
	[sLA] = "LAST_ACK",
	[sTW] = "TIME_WAIT",
	[sCL] = "CLOSE",
	[sS2] = "SYN_SENT2",
};

const char *ctrack_tcp_state_name(u8 state)
{
	return state < ARRAY_SIZE(tcp_state_names) ? tcp_state_names[state] : "?";
}

static const enum ctrack_timeout state_timeout[__CTRACK_TCP_MAX] = {
	[sNO] = CTRACK_TO_TCP_CLOSE,
	[sSS] = CTRACK_TO_TCP_SYN_SENT,
	[sSR] = CTRACK_TO_TCP_SYN_RECV,
	[sES] = CTRACK_TO_TCP_ESTABLISHED,
	[sFW] = CTRACK_TO_TCP_FIN_WAIT,
	[sCW] = CTRACK_TO_TCP_CLOSE_WAIT,
	[sLA] = CTRACK_TO_TCP_LAST_ACK,
	[sTW] = CTRACK_TO_TCP_TIME_WAIT,
	[sCL] = CTRACK_TO_TCP_CLOSE,
	[sS2] = CTRACK_TO_TCP_SYN_SENT,
};

/* The flags byte without the bits that say nothing about the state. */
static u8 tcp_flags(const struct tcphdr *th)
{
	return ((u8 *)th)[13] & ~(TCPHDR_PSH | TCPHDR_ECE | TCPHDR_CWR);
}

/* The combinations a real stack sends; anything else is INVALID. */
static bool tcp_flags_valid(u8 f)
{
	switch (f) {
	case TCPHDR_SYN:
	case TCPHDR_SYN | TCPHDR_URG:
	case TCPHDR_SYN | TCPHDR_ACK:
	case TCPHDR_RST:
	case TCPHDR_RST | TCPHDR_ACK:
	case TCPHDR_FIN | TCPHDR_ACK:
	case TCPHDR_FIN | TCPHDR_ACK | TCPHDR_URG:
	case TCPHDR_ACK:
	case TCPHDR_ACK | TCPHDR_URG:
		return true;
	}
	return false;
}

static enum ctrack_tcp_event tcp_event(const struct tcphdr *th)
{
	if (th->rst)
		return CTRACK_TCP_EV_RST;
	if (th->syn)
		return th->ack ? CTRACK_TCP_EV_SYNACK : CTRACK_TCP_EV_SYN;
	if (th->fin)
		return CTRACK_TCP_EV_FIN;
	if (th->ack)
		return CTRACK_TCP_EV_ACK;
	return CTRACK_TCP_EV_NONE;
}

/* What the options of one segment tell us. */
struct tcp_opts {
	bool wscale;
	u8 scale;
	bool sack_perm;
	bool sack;
	u32 sack_edge;	/* highest right edge of the SACK blocks */
};

static void parse_options(const struct sk_buff *skb, unsigned int off,
			      const struct tcphdr *th, struct tcp_opts *o)
{
	u8 buf[MAX_TCP_OPTION_SPACE];
	int len = th->doff * 4 - sizeof(*th);
	const u8 *p;

	memset(o, 0, sizeof(*o));
	if (len <= 0)
		return;
	p = skb_header_pointer(skb, off + sizeof(*th), len, buf);
	if (!p)
		return;
	while (len > 0) {
		u8 kind = p[0], olen;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			p++;
			len--;
			continue;
		}
		if (len < 2)
			return;
		olen = p[1];
		if (olen < 2 || olen > len)
			return;	/* malformed: stop, keep what we have */
		if (kind == TCPOPT_WINDOW && olen == TCPOLEN_WINDOW && th->syn) {
			o->wscale = true;
			o->scale = min_t(u8, p[2], TCP_MAX_WSCALE);
		} else if (kind == TCPOPT_SACK_PERM && olen == TCPOLEN_SACK_PERM &&
			   th->syn) {
			o->sack_perm = true;
		} else if (kind == TCPOPT_SACK && olen >= TCPOLEN_SACK_BASE +
			   TCPOLEN_SACK_PERBLOCK &&
			   (olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK == 0) {
			int i;

			for (i = TCPOLEN_SACK_BASE; i < olen; i += TCPOLEN_SACK_PERBLOCK) {
				u32 edge = get_unaligned_be32(p + i + 4);

				if (!o->sack || after(edge, o->sack_edge))
					o->sack_edge = edge;
				o->sack = true;
			}
		}
		p += olen;
		len -= olen;
	}
}

static void tcp_learn_syn(struct ctrack_tcp_dir *d, const struct tcp_opts *o,
			  u32 end, u32 win)
{
	d->end = end;
	d->maxend = end;
	d->maxwin = win ? win : 1;
	d->flags &= ~(CTRACK_TCP_F_WINDOW_SCALE | CTRACK_TCP_F_SACK_PERM);
	d->scale = 0;
	if (o->wscale) {
		d->flags |= CTRACK_TCP_F_WINDOW_SCALE;
		d->scale = o->scale;
	}
	if (o->sack_perm)
		d->flags |= CTRACK_TCP_F_SACK_PERM;
}

/* Window opens and closes at most this far from what was acked. */
static u32 max_ack_window(const struct ctrack_tcp_dir *d)
{
	return max_t(u32, d->maxwin, 66000);
}

/*
 * Is the segment inside what the receiver can have accepted, and is what
 * it acknowledges something the receiver really sent? ACCEPT: learn from
 * it. Two kinds of segments outside pass unlearned, as in nf_conntrack
 * since 6.1 (IGNORE: the packet keeps its flow's state, the flow does not
 * move): data already acknowledged, or an ack far behind (retransmitted
 * or overly delayed segments, which a TCP sends in normal operation); and
 * data past the window by less than a window (TCPs that overshoot it),
 * whose end is remembered so that the peer's ack of it is not "over the
 * upper bound". An ack of data never sent, or a segment starting further
 * out, is INVALID. With be_liberal all pass. One difference: the
 * cumulative ack is held to the lower bound as well as the SACK edge
 * (nf_conntrack checks the edge only), lest sack - ack widen the window
 * without bound. Caller holds e->lock.
 */
static enum ctrack_l4_verdict
tcp_in_window(struct ctrack_tcp *tcp, enum ctrack_dir dir,
	      enum ctrack_tcp_event ev, const struct sk_buff *skb,
	      const struct ctrack_pkt *pkt, const struct tcphdr *th,
	      bool liberal)
{
	struct ctrack_tcp_dir *snd = &tcp->seen[dir];
	struct ctrack_tcp_dir *rcv = &tcp->seen[!dir];
	u32 seq = ntohl(th->seq), ack = ntohl(th->ack_seq), sack, end, win;
	unsigned int datalen = pkt->l4len - th->doff * 4;
	enum ctrack_l4_verdict outside;
	struct tcp_opts o;
	bool in_recv, ack_ok;

	parse_options(skb, pkt->l4off, th, &o);
	win = ntohs(th->window);
	end = seq + datalen + th->syn + th->fin;

	if (!snd->maxwin) {
		/* First segment we see from this side. */
		if (th->syn) {
			tcp_learn_syn(snd, &o, end, win);
			/*
			 * RFC 7323 2.2: scaling only when both sides offer it.
			 * Decided at the answering SYN: the first one cannot
			 * know yet what the other side will offer.
			 */
			if (rcv->maxwin &&
			    !(snd->flags & rcv->flags & CTRACK_TCP_F_WINDOW_SCALE))
				snd->scale = rcv->scale = 0;
			if (!th->ack)
				return CTRACK_L4_ACCEPT;	/* simultaneous open */
		} else {
			/* Mid-stream: all we know is this segment. */
			u32 swin = win << snd->scale;

			snd->end = end;
			snd->maxwin = swin ? swin : 1;
			snd->maxend = end + snd->maxwin;
			if (!rcv->maxwin) {
				rcv->end = th->ack ? ack : 0;
				rcv->maxend = rcv->end;
			}
		}
	} else if (th->syn && after(end, snd->end) &&
		   ((tcp->state == sSS && dir == CTRACK_DIR_ORIGINAL) ||
		    (tcp->state == sSR && dir == CTRACK_DIR_REPLY))) {
		/* A handshake restarted with a higher ISN (RFC 793 p. 27). */
		tcp_learn_syn(snd, &o, end, win);
	}

	if (!th->ack || (th->rst && !ack)) {
		/* No acknowledgment (or a stack that sets ACK with 0 on RST):
		 * there is nothing to check on that side.
		 */
		ack = rcv->end;
		sack = ack;
	} else {
		sack = ack;
		/* SACK blocks count only where both ends offered SACK. */
		if (o.sack && (snd->flags & rcv->flags & CTRACK_TCP_F_SACK_PERM) &&
		    after(o.sack_edge, sack))
			sack = o.sack_edge;
	}

	/* A RST answering a SYN may carry seq 0. */
	if (th->rst && !seq && tcp->state == sSS)
		seq = end = snd->end;

	liberal = liberal || (snd->flags & CTRACK_TCP_F_BE_LIBERAL);
	outside = liberal ? CTRACK_L4_ACCEPT : CTRACK_L4_IGNORE;
	/* II: the segment's end not too old */
	in_recv = !rcv->maxwin || after(end, snd->end - rcv->maxwin - 1);
	/* IV: nor the ack, nor the cumulative ack behind a SACK edge */
	ack_ok = after(sack, rcv->end - max_ack_window(snd) - 1) &&
		 after(ack, rcv->end - max_ack_window(snd) - 1);

	/*
	 * I: starts in the window, or overshoots it by less than a window;
	 * then its end becomes the sender's, as in nf_conntrack (even below
	 * an earlier overshoot's).
	 */
	if (after(seq, snd->maxend)) {
		if (in_recv && ack_ok && !after(sack, rcv->end) &&
		    end - snd->maxend < rcv->maxwin) {
			snd->end = end;
			snd->flags |= CTRACK_TCP_F_DATA_UNACKED;
			return outside;
		}
		return liberal ? CTRACK_L4_ACCEPT : CTRACK_L4_INVALID;
	}
	/* III: acks only data the receiver sent */
	if (after(sack, rcv->end))
		return liberal ? CTRACK_L4_ACCEPT : CTRACK_L4_INVALID;
	if (!in_recv || !ack_ok)
		return outside;

	if (!th->syn)
		win <<= snd->scale;
	if (snd->maxwin < win + (sack - ack))
		snd->maxwin = win + (sack - ack);
	if (after(end, snd->end)) {
		snd->end = end;
		snd->flags |= CTRACK_TCP_F_DATA_UNACKED;
	}
	if (th->ack) {
		if (!(snd->flags & CTRACK_TCP_F_MAXACK_SET) || after(ack, snd->maxack)) {
			snd->maxack = ack;
			snd->flags |= CTRACK_TCP_F_MAXACK_SET;
		}
	}
	if (rcv->maxwin && after(end, snd->maxend))
		rcv->maxwin += end - snd->maxend;
	if (after(sack + win, rcv->maxend - 1))
		rcv->maxend = sack + (win ? win : 1);
	if (ack == rcv->end)
		rcv->flags &= ~CTRACK_TCP_F_DATA_UNACKED;

	/* Remember the segment to recognise its retransmissions. */
	if (ev == CTRACK_TCP_EV_ACK) {
		/*
		 * The window as sent, not as scaled: scaled and cut to 16
		 * bits, two different windows could look the same, and a
		 * zero window must stay zero for the timeout below.
		 */
		if (tcp->last_dir == dir && tcp->last_seq == seq &&
		    tcp->last_ack == ack && tcp->last_end == end &&
		    tcp->last_win == ntohs(th->window)) {
			if (tcp->retrans < U8_MAX)
				tcp->retrans++;
		} else {
			tcp->last_dir = dir;
			tcp->last_seq = seq;
			tcp->last_ack = ack;
			tcp->last_end = end;
			tcp->last_win = ntohs(th->window);
			tcp->retrans = 0;
		}
	}
	return CTRACK_L4_ACCEPT;
}

/* Is the packet (header checked) a reset? */
bool ctrack_tcp_is_rst(const struct sk_buff *skb, const struct ctrack_pkt *pkt)
{
	struct tcphdr _th;
	const struct tcphdr *th;

	th = skb_header_pointer(skb, pkt->l4off, sizeof(_th), &_th);
	return th && th->rst;
}

/* Header checks that need no entry: called for every TCP packet. */
bool ctrack_tcp_header_ok(const struct sk_buff *skb, const struct ctrack_pkt *pkt)
{
	struct tcphdr _th;
	const struct tcphdr *th;

	th = skb_header_pointer(skb, pkt->l4off, sizeof(_th), &_th);
	return th && tcp_flags_valid(tcp_flags(th));
}

/*
 * ctrack_tcp_new - may this segment start an entry?
 *
 * A SYN may; a bare ACK may when net.ctrack.tcp_loose is set (picking up
 * a flow that started before ctrack was loaded, or on another path). A
 * picked-up flow is tracked liberally: we never saw its window scale.
 */
bool ctrack_tcp_new(struct ctrack_entry *e, const struct sk_buff *skb,
		    const struct ctrack_pkt *pkt, const struct ctrack_net *cnet)
{
	struct tcphdr _th;
	const struct tcphdr *th;
	u8 next;

	th = skb_header_pointer(skb, pkt->l4off, sizeof(_th), &_th);
	if (!th)
		return false;
	next = tcp_transitions[CTRACK_DIR_ORIGINAL][tcp_event(th)][sNO];
	if (next == sSS)
		return true;
	if (next != sES || !READ_ONCE(cnet->tcp_loose))
		return false;
	ctrack_entry_tcp(e)->seen[0].flags = CTRACK_TCP_F_SACK_PERM | CTRACK_TCP_F_BE_LIBERAL;
	ctrack_entry_tcp(e)->seen[1].flags = CTRACK_TCP_F_SACK_PERM | CTRACK_TCP_F_BE_LIBERAL;
	return true;
}

/*
 * ctrack_tcp_adopt - start a user-created entry (CTRACK_CMD_NEW) in @state
 *
 * Nobody saw its handshake: track it liberally, as a picked-up flow, and
 * let each side's first segment teach the window.
 */
void ctrack_tcp_adopt(struct ctrack_entry *e, u8 state)
{
	ctrack_entry_tcp(e)->state = state;
	/*
	 * No segment seen yet. Left at 0 it would read as a SYN sent from
	 * the original side, ending at 0, and a spoofed reply SYN/ACK with
	 * ack 0 would pass for its answer and reopen the entry.
	 */
	ctrack_entry_tcp(e)->last_index = __CTRACK_TCP_EV_MAX;
	ctrack_entry_tcp(e)->seen[0].flags = CTRACK_TCP_F_SACK_PERM | CTRACK_TCP_F_BE_LIBERAL;
	ctrack_entry_tcp(e)->seen[1].flags = CTRACK_TCP_F_SACK_PERM | CTRACK_TCP_F_BE_LIBERAL;
}

/*
 * A segment the table says to ignore. Remember it: if the other side
 * answers a SYN we ignored with a matching SYN/ACK, both ends agree on a
 * new connection that we missed, and we adopt it.
 */
static enum ctrack_l4_verdict tcp_ignored(struct ctrack_entry *e,
					  enum ctrack_dir dir,
					  enum ctrack_tcp_event ev,
					  const struct tcphdr *th,
					  const struct ctrack_pkt *pkt)
{
	struct ctrack_tcp *tcp = ctrack_entry_tcp(e);
	u32 seq = ntohl(th->seq);
	u32 end = seq + pkt->l4len - th->doff * 4 + th->syn + th->fin;

	if (ev == CTRACK_TCP_EV_SYNACK && tcp->last_index == CTRACK_TCP_EV_SYN &&
	    tcp->last_dir != dir && ntohl(th->ack_seq) == tcp->last_end)
		return CTRACK_L4_REOPEN;
	tcp->last_index = ev;
	tcp->last_dir = dir;
	tcp->last_seq = seq;
	tcp->last_end = end;
	tcp->last_ack = ntohl(th->ack_seq);
	tcp->last_win = ntohs(th->window);
	return CTRACK_L4_IGNORE;
}

/*
 * ctrack_tcp_packet - move @e's state machine with one segment
 *
 * Caller holds e->lock and has checked the header (ctrack_tcp_header_ok).
 */
enum ctrack_l4_verdict ctrack_tcp_packet(struct ctrack_entry *e,
					 const struct sk_buff *skb,
					 const struct ctrack_pkt *pkt,
					 enum ctrack_dir dir,
					 const struct ctrack_net *cnet)
{
	struct ctrack_tcp *tcp = ctrack_entry_tcp(e);
	struct tcphdr _th;
	const struct tcphdr *th;
	enum ctrack_tcp_event ev;
	enum ctrack_l4_verdict v;
	unsigned long timeout;
	u8 old, next;

	th = skb_header_pointer(skb, pkt->l4off, sizeof(_th), &_th);
	if (!th)
		return CTRACK_L4_INVALID;
	ev = tcp_event(th);
	old = tcp->state;
	next = tcp_transitions[dir][ev][old];

	switch (next) {
	case sSS:
		/* A SYN on a closed or closing flow: it starts a new one. */
		if (old >= sTW && old != sS2)
			return CTRACK_L4_REOPEN;
		break;
	case sIG:
		return tcp_ignored(e, dir, ev, th, pkt);
	case sIV:
		return CTRACK_L4_INVALID;
	case sCL:
		if (ev != CTRACK_TCP_EV_RST)
			break;
		if (tcp->seen[!dir].flags & CTRACK_TCP_F_MAXACK_SET) {
			u32 seq = ntohl(th->seq), expect = tcp->seen[!dir].maxack;

			/* Behind what the peer already acknowledged: forged
			 * or stale.
			 */
			if (before(seq, expect))
				return CTRACK_L4_INVALID;
			/*
			 * RFC 5961 3.2, as nf_conntrack does it: on an
			 * established, assured flow only a RST at exactly
			 * the sequence the peer expects (or right after the
			 * sender's own last segment, a RST that ends a
			 * train) closes it. Another RST in the window may
			 * be a blind attack: it passes, the state stays, and
			 * the peer answers it with a challenge ACK, which
			 * the real sender's exact RST then follows.
			 */
			if (old == sES && test_bit(CTRACK_S_ASSURED_BIT, &e->status) &&
			    seq != expect &&
			    !(tcp->last_index == CTRACK_TCP_EV_ACK &&
			      tcp->last_dir == dir && seq == tcp->last_end))
				next = old;
		}
		/* A RST answering our SYN must acknowledge it. */
		if (old == sSS && dir == CTRACK_DIR_REPLY &&
		    (!th->ack || ntohl(th->ack_seq) != tcp->seen[!dir].end))
			return CTRACK_L4_INVALID;
		break;
	}

	v = tcp_in_window(tcp, dir, ev, skb, pkt, th, READ_ONCE(cnet->tcp_be_liberal));
	if (v != CTRACK_L4_ACCEPT)
		return v;

	tcp->state = next;
	tcp->last_index = ev;
	tcp->last_dir = dir;
	if (old != next && next == sFW)
		tcp->seen[dir].flags |= CTRACK_TCP_F_CLOSE_INIT;

	timeout = READ_ONCE(cnet->timeouts[state_timeout[next]]);
	if (tcp->retrans >= READ_ONCE(cnet->tcp_max_retrans) &&
	    timeout > READ_ONCE(cnet->timeouts[CTRACK_TO_TCP_RETRANS]))
		timeout = READ_ONCE(cnet->timeouts[CTRACK_TO_TCP_RETRANS]);
	/*
	 * Any accepted RST, the in-window one that keeps ESTABLISHED for a
	 * challenge ACK included, leaves the flow the CLOSE timeout, as in
	 * nf_conntrack: a real abort whose RST was not exact goes in
	 * seconds, and a flow that lives on refreshes its timeout with its
	 * next segment.
	 */
	else if (ev == CTRACK_TCP_EV_RST)
		timeout = READ_ONCE(cnet->timeouts[CTRACK_TO_TCP_CLOSE]);
	else if (((tcp->seen[0].flags | tcp->seen[1].flags) &
		  CTRACK_TCP_F_DATA_UNACKED) &&
		 timeout > READ_ONCE(cnet->timeouts[CTRACK_TO_TCP_UNACK]))
		timeout = READ_ONCE(cnet->timeouts[CTRACK_TO_TCP_UNACK]);
	/*
	 * The last acknowledgment closed its window: if the receiver
	 * never opens it again, its peer's probes are all the flow has
	 * left, and the flow must not hold its entry for the days of an
	 * established one. nf_conntrack gives it the retransmission
	 * timeout too.
	 */
	else if (tcp->last_win == 0 &&
		 timeout > READ_ONCE(cnet->timeouts[CTRACK_TO_TCP_RETRANS]))
		timeout = READ_ONCE(cnet->timeouts[CTRACK_TO_TCP_RETRANS]);

	if (!test_bit(CTRACK_S_SEEN_REPLY_BIT, &e->status)) {
		/*
		 * A flow that met a RST before any reply never existed:
		 * drop it now. (SEEN_REPLY is set after this function, so a
		 * first reply counts as "no reply yet" here, as in
		 * nf_conntrack.)
		 */
		if (th->rst)
			timeout = 0;
		/*
		 * A retransmitted SYN keeps the deadline of the first: a
		 * client or a NAT box that reuses the port must not keep an
		 * unanswered entry alive for ever.
		 */
		else if (ev == CTRACK_TCP_EV_SYN && old == sSS)
			return CTRACK_L4_ACCEPT;
		/*
		 * ESTABLISHED without a reply: a flow picked up mid-stream
		 * (tcp_loose). Not the 5 days of a flow seen to work.
		 */
		else if (next == sES &&
			 timeout > READ_ONCE(cnet->timeouts[CTRACK_TO_TCP_UNACK]))
			timeout = READ_ONCE(cnet->timeouts[CTRACK_TO_TCP_UNACK]);
	}
	ctrack_entry_refresh(e, timeout);

	/* Assured once the handshake completed and traffic keeps flowing. */
	if ((old == sSR || old == sES) && next == sES &&
	    test_bit(CTRACK_S_SEEN_REPLY_BIT, &e->status))
		set_bit(CTRACK_S_ASSURED_BIT, &e->status);
	return CTRACK_L4_ACCEPT;
}
