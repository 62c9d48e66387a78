/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) */
/*
 * The "ctrack" xtables match: filter on what ctrack's classify hook found
 * for this very packet (iptables -m ctrack --ctstate ...).
 *
 * ABI: a revision, once shipped, never changes. Revision 1 is
 * struct xt_ctrack_mtinfo1; a new field means a new revision.
 */
#ifndef _UAPI_XT_CTRACK_H
#define _UAPI_XT_CTRACK_H

#include <linux/types.h>
#include <linux/netfilter.h>

/* match_flags: the options a rule uses; invert_flags: those under "!". */
enum {
	XT_CTRACK_STATE		= 1 << 0,	/* --ctstate */
	XT_CTRACK_PROTO		= 1 << 1,	/* --ctproto */
	XT_CTRACK_ORIGSRC	= 1 << 2,	/* --ctorigsrc */
	XT_CTRACK_ORIGDST	= 1 << 3,	/* --ctorigdst */
	XT_CTRACK_REPLSRC	= 1 << 4,	/* --ctreplsrc */
	XT_CTRACK_REPLDST	= 1 << 5,	/* --ctrepldst */
	XT_CTRACK_ORIGSRC_PORT	= 1 << 6,	/* --ctorigsrcport */
	XT_CTRACK_ORIGDST_PORT	= 1 << 7,	/* --ctorigdstport */
	XT_CTRACK_REPLSRC_PORT	= 1 << 8,	/* --ctreplsrcport */
	XT_CTRACK_REPLDST_PORT	= 1 << 9,	/* --ctrepldstport */
	XT_CTRACK_STATUS	= 1 << 10,	/* --ctstatus */
	XT_CTRACK_EXPIRES	= 1 << 11,	/* --ctexpire */
	XT_CTRACK_DIR		= 1 << 12,	/* --ctdir */
	XT_CTRACK_ALL		= (1 << 13) - 1,
};

/*
 * state_mask: one bit per enum ctrack_pkt_state (linux/ctrack.h), plus
 * SNAT and DNAT, accepted and reserved: no packet has them until ctrack
 * does NAT.
 */
#define XT_CTRACK_STATE_BIT(s)	(1 << (s))	/* s: CTRACK_PKT_* */
#define XT_CTRACK_STATE_SNAT	(1 << 5)
#define XT_CTRACK_STATE_DNAT	(1 << 6)

/*
 * status_mask: CTRACK_S_EXPECTED, _SEEN_REPLY, _ASSURED, _CONFIRMED
 * (linux/ctrack.h), plus XT_CTRACK_STATUS_NONE. The option matches an
 * entry that has any of the bits given, and NONE an entry that has none
 * of the four.
 */
#define XT_CTRACK_STATUS_NONE	(1 << 15)

/* Index of port_min[] and port_max[]. */
enum {
	XT_CTRACK_ORIG_SRC,
	XT_CTRACK_ORIG_DST,
	XT_CTRACK_REPLY_SRC,
	XT_CTRACK_REPLY_DST,
	XT_CTRACK_NPORTS,
};

struct xt_ctrack_mtinfo1 {
	union nf_inet_addr origsrc_addr, origsrc_mask;
	union nf_inet_addr origdst_addr, origdst_mask;
	union nf_inet_addr replsrc_addr, replsrc_mask;
	union nf_inet_addr repldst_addr, repldst_mask;
	__u32 expires_min, expires_max;		/* seconds left, inclusive */
	__u16 port_min[XT_CTRACK_NPORTS];	/* host order, inclusive */
	__u16 port_max[XT_CTRACK_NPORTS];
	__u16 match_flags, invert_flags;	/* XT_CTRACK_* */
	__u16 state_mask, status_mask;
	__u8 l4proto;				/* IPPROTO_* */
	__u8 direction;				/* CTRACK_DIR_* */
	__u8 pad[2];				/* zero */
};

#endif /* _UAPI_XT_CTRACK_H */
