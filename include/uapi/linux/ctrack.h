/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) */
/*
 * ctrack: constants shared by the kernel module and its userspace tools.
 *
 * Values here are ABI: they appear in /proc/net/ctrack, in the netlink
 * family and in the xtables match. Append only; never renumber a value
 * that a release has shipped.
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

/* The bits that CTRACK_CMD_NEW and CTRACK_CMD_UPDATE may set. */
#define CTRACK_S_USER		(CTRACK_S_SEEN_REPLY | CTRACK_S_ASSURED)

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

/*
 * Generic netlink family (Documentation/netlink/specs/ctrack.yaml is its
 * spec). Every command and every multicast group needs CAP_NET_ADMIN in
 * the user namespace that owns the caller's network namespace, and acts
 * on that namespace only.
 */
#define CTRACK_GENL_NAME	"ctrack"
#define CTRACK_GENL_VERSION	1

/*
 * GET, DELETE, UPDATE and ZERO name one entry by a tuple
 * (CTRACK_A_TUPLE_ORIG or CTRACK_A_TUPLE_REPLY). GET, DELETE and ZERO
 * also have a dump form (NLM_F_DUMP) that acts on every entry matching
 * CTRACK_A_FILTER (all entries without one) and reports each. NEW is
 * always exclusive: it fails with EEXIST if the tuple is taken.
 */
enum ctrack_cmd {
	CTRACK_CMD_UNSPEC,
	CTRACK_CMD_GET,		/* do: one entry; dump: every matching entry */
	CTRACK_CMD_NEW,		/* create: tuple, timeout, [protoinfo, mark, status] */
	CTRACK_CMD_UPDATE,	/* change timeout, mark, status of one entry */
	CTRACK_CMD_DELETE,	/* reply (do) or report (dump): each entry deleted */
	CTRACK_CMD_FLUSH,	/* every entry, or those of CTRACK_A_FAMILY */
	CTRACK_CMD_COUNT,	/* reply: CTRACK_A_COUNT, CTRACK_A_MAX */
	CTRACK_CMD_STATS,	/* do: COUNT, MAX, STATS; dump: STATS_CPU, one per CPU */
	CTRACK_CMD_ZERO,	/* as GET, and reset the counters it reports */
	__CTRACK_CMD_MAX
};
#define CTRACK_CMD_MAX (__CTRACK_CMD_MAX - 1)

/*
 * Multicast groups. Events are entry messages whose command says what
 * happened: CTRACK_CMD_NEW (confirmed into the table), CTRACK_CMD_UPDATE
 * (TCP state, status or mark changed), CTRACK_CMD_DELETE (left the table;
 * final counters, CTRACK_A_STOP, no CTRACK_A_TIMEOUT).
 */
#define CTRACK_MCGRP_NEW	"new"
#define CTRACK_MCGRP_UPDATE	"update"
#define CTRACK_MCGRP_DESTROY	"destroy"

/* Top-level attributes. */
enum ctrack_attr {
	CTRACK_A_UNSPEC,
	CTRACK_A_PAD,
	CTRACK_A_TUPLE_ORIG,	/* nest: CTRACK_TA_* */
	CTRACK_A_TUPLE_REPLY,	/* nest: CTRACK_TA_* */
	CTRACK_A_STATUS,	/* u32: CTRACK_S_* */
	CTRACK_A_TIMEOUT,	/* u32: seconds left */
	CTRACK_A_MARK,		/* u32 */
	CTRACK_A_COUNTERS_ORIG,	/* nest: CTRACK_CA_* */
	CTRACK_A_COUNTERS_REPLY,	/* nest: CTRACK_CA_* */
	CTRACK_A_PROTOINFO,	/* nest: CTRACK_PA_* */
	CTRACK_A_ID,		/* u64: stable for the entry's life, no pointer */
	CTRACK_A_START,		/* u64: creation time, ns since the epoch */
	CTRACK_A_USE,		/* u32: references */
	CTRACK_A_FAMILY,	/* u8: NFPROTO_IPV4 or NFPROTO_IPV6 (FLUSH) */
	CTRACK_A_COUNT,		/* u32: entries in this netns */
	CTRACK_A_MAX,		/* u32: net.ctrack.max */
	CTRACK_A_STATS,		/* nest: CTRACK_STAT_A_*, summed over CPUs */
	CTRACK_A_STATS_CPU,	/* nest: CTRACK_STAT_A_* of one CPU (STATS dump) */
	CTRACK_A_FILTER,	/* nest: CTRACK_FA_* (dumps) */
	CTRACK_A_STOP,		/* u64: destruction time, ns since the epoch */
	__CTRACK_A_MAX
};
#define CTRACK_A_MAXTYPE (__CTRACK_A_MAX - 1)

/* A tuple (CTRACK_A_TUPLE_*). */
enum ctrack_tuple_attr {
	CTRACK_TA_UNSPEC,
	CTRACK_TA_FAMILY,	/* u8 */
	CTRACK_TA_PROTO,	/* u8 */
	CTRACK_TA_SRC,		/* binary: 4 or 16 bytes, network order */
	CTRACK_TA_DST,		/* binary: 4 or 16 bytes, network order */
	CTRACK_TA_SPORT,	/* be16: TCP, UDP, UDP-Lite */
	CTRACK_TA_DPORT,	/* be16 */
	CTRACK_TA_ICMP_ID,	/* be16: ICMP, ICMPv6 */
	CTRACK_TA_ICMP_TYPE,	/* u8 */
	CTRACK_TA_ICMP_CODE,	/* u8 */
	__CTRACK_TA_MAX
};
#define CTRACK_TA_MAX (__CTRACK_TA_MAX - 1)

/* Per-direction counters (CTRACK_A_COUNTERS_*). */
enum ctrack_counters_attr {
	CTRACK_CA_UNSPEC,
	CTRACK_CA_PAD,
	CTRACK_CA_PACKETS,	/* u64 */
	CTRACK_CA_BYTES,	/* u64 */
	__CTRACK_CA_MAX
};
#define CTRACK_CA_MAX (__CTRACK_CA_MAX - 1)

/* Protocol state (CTRACK_A_PROTOINFO). */
enum ctrack_protoinfo_attr {
	CTRACK_PA_UNSPEC,
	CTRACK_PA_TCP_STATE,		/* u8: enum ctrack_tcp_state */
	CTRACK_PA_TCP_WSCALE_ORIG,	/* u8 */
	CTRACK_PA_TCP_WSCALE_REPLY,	/* u8 */
	CTRACK_PA_TCP_FLAGS_ORIG,	/* u8: CTRACK_TCP_F_* */
	CTRACK_PA_TCP_FLAGS_REPLY,	/* u8 */
	__CTRACK_PA_MAX
};
#define CTRACK_PA_MAX (__CTRACK_PA_MAX - 1)

/* What ctrack learnt about one side of a TCP connection. */
#define CTRACK_TCP_F_WINDOW_SCALE	0x01	/* offered window scaling */
#define CTRACK_TCP_F_SACK_PERM		0x02	/* offered SACK */
#define CTRACK_TCP_F_CLOSE_INIT		0x04	/* sent the first FIN */
#define CTRACK_TCP_F_BE_LIBERAL		0x08	/* no window checks (picked up) */
#define CTRACK_TCP_F_DATA_UNACKED	0x10	/* has unacknowledged data */
#define CTRACK_TCP_F_MAXACK_SET		0x20	/* has acknowledged something */

/*
 * A dump filter (CTRACK_A_FILTER): an entry matches when it matches every
 * attribute given. Addresses need CTRACK_FA_FAMILY and have its length;
 * a *_PLEN gives the prefix length (default: the whole address). Ports
 * and ICMP fields need CTRACK_FA_PROTO. CTRACK_FA_STATUS matches when
 * (status & STATUS_MASK) == STATUS, the mask defaulting to STATUS;
 * CTRACK_FA_MARK when (mark & MARK_MASK) == MARK, the mask defaulting to
 * all ones.
 */
enum ctrack_filter_attr {
	CTRACK_FA_UNSPEC,
	CTRACK_FA_FAMILY,		/* u8 */
	CTRACK_FA_PROTO,		/* u8 */
	CTRACK_FA_ORIG_SRC,		/* binary */
	CTRACK_FA_ORIG_SRC_PLEN,	/* u8 */
	CTRACK_FA_ORIG_DST,
	CTRACK_FA_ORIG_DST_PLEN,
	CTRACK_FA_REPLY_SRC,
	CTRACK_FA_REPLY_SRC_PLEN,
	CTRACK_FA_REPLY_DST,
	CTRACK_FA_REPLY_DST_PLEN,
	CTRACK_FA_ORIG_SPORT,		/* be16 */
	CTRACK_FA_ORIG_DPORT,
	CTRACK_FA_REPLY_SPORT,
	CTRACK_FA_REPLY_DPORT,
	CTRACK_FA_ICMP_TYPE,		/* u8 (original direction) */
	CTRACK_FA_ICMP_CODE,		/* u8 */
	CTRACK_FA_ICMP_ID,		/* be16 */
	CTRACK_FA_TCP_STATE,		/* u8: enum ctrack_tcp_state */
	CTRACK_FA_STATUS,		/* u32 */
	CTRACK_FA_STATUS_MASK,		/* u32 */
	CTRACK_FA_MARK,			/* u32 */
	CTRACK_FA_MARK_MASK,		/* u32 */
	__CTRACK_FA_MAX
};
#define CTRACK_FA_MAX (__CTRACK_FA_MAX - 1)

/*
 * Counters (CTRACK_A_STATS, CTRACK_A_STATS_CPU): one u64 attribute per
 * counter of /proc/net/stat/ctrack, type = column index + 1 (after
 * "entries"); CTRACK_STAT_A_CPU names the CPU of a CTRACK_A_STATS_CPU.
 */
enum ctrack_stat_attr {
	CTRACK_STAT_A_UNSPEC,
	CTRACK_STAT_A_FOUND,
	CTRACK_STAT_A_NEW,
	CTRACK_STAT_A_INVALID,
	CTRACK_STAT_A_IGNORE,
	CTRACK_STAT_A_INSERT,
	CTRACK_STAT_A_INSERT_FAILED,
	CTRACK_STAT_A_DROP,
	CTRACK_STAT_A_EARLY_DROP,
	CTRACK_STAT_A_ERROR,
	CTRACK_STAT_A_SEARCH_RESTART,
	CTRACK_STAT_A_VERDICT_MISS,
	CTRACK_STAT_A_RELATED,
	CTRACK_STAT_A_EXPIRED,
	CTRACK_STAT_A_EVENT_LOST,
	CTRACK_STAT_A_CPU,	/* u32 */
	CTRACK_STAT_A_PAD,
	__CTRACK_STAT_A_MAX
};
#define CTRACK_STAT_A_MAX (__CTRACK_STAT_A_MAX - 1)

#endif /* _UAPI_LINUX_CTRACK_H */
