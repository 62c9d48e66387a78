/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) */
/*
 * ctrack: constants shared by the kernel module and its userspace tools.
 *
 * Values here are ABI: they appear in /proc/net/ctrack, in the netlink
 * family and in the xtables match. Append only; never renumber.
 */
#ifndef _UAPI_LINUX_CTRACK_H
#define _UAPI_LINUX_CTRACK_H

/* Classification of one packet (what --ctstate matches on). */
enum ctrack_pkt_state {
	CTRACK_PKT_INVALID,
	CTRACK_PKT_NEW,
	CTRACK_PKT_ESTABLISHED,
	CTRACK_PKT_RELATED,
	CTRACK_PKT_UNTRACKED,
	__CTRACK_PKT_MAX
};

/* Direction of a packet relative to the entry that tracks it. */
enum ctrack_dir {
	CTRACK_DIR_ORIGINAL,
	CTRACK_DIR_REPLY,
	CTRACK_DIR_MAX
};

/* Entry status bits. */
enum ctrack_status_bit {
	CTRACK_S_EXPECTED_BIT,		/* reserved for helpers */
	CTRACK_S_SEEN_REPLY_BIT,	/* a packet went the reply way */
	CTRACK_S_ASSURED_BIT,		/* protected from early drop */
	CTRACK_S_CONFIRMED_BIT,		/* in the table */
	CTRACK_S_DYING_BIT,		/* removed, waiting for its last user */
	__CTRACK_S_MAX_BIT
};

#define CTRACK_S_EXPECTED	(1U << CTRACK_S_EXPECTED_BIT)
#define CTRACK_S_SEEN_REPLY	(1U << CTRACK_S_SEEN_REPLY_BIT)
#define CTRACK_S_ASSURED	(1U << CTRACK_S_ASSURED_BIT)
#define CTRACK_S_CONFIRMED	(1U << CTRACK_S_CONFIRMED_BIT)
#define CTRACK_S_DYING		(1U << CTRACK_S_DYING_BIT)

/* TCP states, in the order and with the meaning of nf_conntrack's. */
enum ctrack_tcp_state {
	CTRACK_TCP_NONE,
	CTRACK_TCP_SYN_SENT,
	CTRACK_TCP_SYN_RECV,
	CTRACK_TCP_ESTABLISHED,
	CTRACK_TCP_FIN_WAIT,
	CTRACK_TCP_CLOSE_WAIT,
	CTRACK_TCP_LAST_ACK,
	CTRACK_TCP_TIME_WAIT,
	CTRACK_TCP_CLOSE,
	CTRACK_TCP_SYN_SENT2,
	__CTRACK_TCP_MAX
};

#endif /* _UAPI_LINUX_CTRACK_H */
