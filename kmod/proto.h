/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_PROTO_H
#define _CTRACK_PROTO_H

#include "table.h"
#include "pernet.h"

/* What a protocol tracker thinks of one packet. */
enum ctrack_l4_verdict {
	CTRACK_L4_ACCEPT,	/* valid; the entry was updated */
	CTRACK_L4_INVALID,	/* rejected; the entry is unchanged */
	CTRACK_L4_IGNORE,	/* valid but says nothing we can follow: no update */
	CTRACK_L4_REOPEN,	/* a new connection reuses the tuple: kill and retry */
};

/* TCP. Callers of *_packet hold e->lock. */
bool ctrack_tcp_new(struct ctrack_entry *e, const struct sk_buff *skb,
		    const struct ctrack_pkt *pkt, const struct ctrack_net *cnet);
enum ctrack_l4_verdict ctrack_tcp_packet(struct ctrack_entry *e,
					 const struct sk_buff *skb,
					 const struct ctrack_pkt *pkt,
					 enum ctrack_dir dir,
					 const struct ctrack_net *cnet);
void ctrack_tcp_adopt(struct ctrack_entry *e, u8 state);
bool ctrack_tcp_header_ok(const struct sk_buff *skb, const struct ctrack_pkt *pkt);
bool ctrack_tcp_is_rst(const struct sk_buff *skb, const struct ctrack_pkt *pkt);
const char *ctrack_tcp_state_name(u8 state);

/* Exposed for the KUnit table walk. */
enum ctrack_tcp_event {
	CTRACK_TCP_EV_SYN,
	CTRACK_TCP_EV_SYNACK,
	CTRACK_TCP_EV_FIN,
	CTRACK_TCP_EV_ACK,
	CTRACK_TCP_EV_RST,
	CTRACK_TCP_EV_NONE,
	__CTRACK_TCP_EV_MAX
};

#define CTRACK_TCP_IGNORE	0xfe	/* "sIG" */
#define CTRACK_TCP_INVALID	0xff	/* "sIV" */
u8 ctrack_tcp_next_state(enum ctrack_dir dir, enum ctrack_tcp_event ev, u8 state);

/* UDP and UDP-Lite. */
enum ctrack_l4_verdict ctrack_udp_packet(struct ctrack_entry *e,
					 enum ctrack_dir dir,
					 const struct ctrack_net *cnet,
					 bool *changed);
void ctrack_udp_new(struct ctrack_entry *e);

/* ICMP and ICMPv6 echo-like exchanges. */
bool ctrack_icmp_new(const struct ctrack_tuple *t);
enum ctrack_l4_verdict ctrack_icmp_packet(struct ctrack_entry *e,
					  enum ctrack_dir dir,
					  const struct ctrack_net *cnet);

/* Everything else. */
enum ctrack_l4_verdict ctrack_generic_packet(struct ctrack_entry *e,
					     enum ctrack_dir dir,
					     const struct ctrack_net *cnet);

#endif /* _CTRACK_PROTO_H */
