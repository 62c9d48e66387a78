/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_PERNET_H
#define _CTRACK_PERNET_H

#include <linux/percpu.h>
#include <linux/memcontrol.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

/* Knobs that hold timeouts (in jiffies; seconds in sysctl). */
enum ctrack_timeout {
	CTRACK_TO_TCP_SYN_SENT,
	CTRACK_TO_TCP_SYN_RECV,
	CTRACK_TO_TCP_ESTABLISHED,
	CTRACK_TO_TCP_FIN_WAIT,
	CTRACK_TO_TCP_CLOSE_WAIT,
	CTRACK_TO_TCP_LAST_ACK,
	CTRACK_TO_TCP_TIME_WAIT,
	CTRACK_TO_TCP_CLOSE,
	CTRACK_TO_TCP_RETRANS,
	CTRACK_TO_TCP_UNACK,
	CTRACK_TO_UDP,
	CTRACK_TO_UDP_STREAM,
	CTRACK_TO_ICMP,
	CTRACK_TO_ICMPV6,
	CTRACK_TO_GENERIC,
	__CTRACK_TO_MAX
};

/* Per-CPU counters, summed on read (/proc/net/stat/ctrack). */
enum ctrack_stat {
	CTRACK_STAT_FOUND,		/* lookup hit */
	CTRACK_STAT_NEW,		/* entry created for a NEW packet */
	CTRACK_STAT_INVALID,		/* packet classified INVALID */
	CTRACK_STAT_IGNORE,		/* packet not tracked (UNTRACKED) */
	CTRACK_STAT_INSERT,		/* entry confirmed into the table */
	CTRACK_STAT_INSERT_FAILED,	/* confirm lost a race for the tuple */
	CTRACK_STAT_DROP,		/* packet dropped: table full */
	CTRACK_STAT_EARLY_DROP,		/* entry evicted to make room */
	CTRACK_STAT_ERROR,		/* allocation failure */
	CTRACK_STAT_SEARCH_RESTART,	/* lookup restarted (never, by design) */
	CTRACK_STAT_VERDICT_MISS,	/* a later hook found no verdict */
	CTRACK_STAT_RELATED,		/* ICMP error matched an entry */
	CTRACK_STAT_EXPIRED,		/* entry removed on timeout */
	CTRACK_STAT_EVENT_LOST,		/* event not built or not delivered */
	__CTRACK_STAT_MAX
};

/* 64 bits: a busy box wraps 32-bit counters within hours. */
struct ctrack_stats {
	u64 c[__CTRACK_STAT_MAX];
};

struct ctrack_net {
	atomic_t count;		/* entries allocated, pending ones included */
	int max;
	int checksum;
	int acct;		/* new entries count packets and bytes */
	int tcp_loose;
	int tcp_be_liberal;
	int tcp_max_retrans;
	int timeouts[__CTRACK_TO_MAX];
	struct ctrack_stats __percpu *stats;
	struct ctl_table_header *sysctl;
	/* charged for this namespace's entries, or NULL (see pernet.c) */
	struct mem_cgroup *memcg;
	bool tenant;		/* owned by a user namespace not the initial one */
	bool exiting;		/* hooks gone, entries about to be flushed */
};

extern unsigned int ctrack_net_id;

static inline struct ctrack_net *ctrack_pernet(const struct net *net)
{
	return net_generic(net, ctrack_net_id);
}

/*
 * ctrack_pernet() for a caller that holds rcu_read_lock (the hooks do):
 * net_generic() takes the read lock again, two calls a packet.
 */
static inline struct ctrack_net *ctrack_pernet_rcu(const struct net *net)
{
	return rcu_dereference(net->gen)->ptr[ctrack_net_id];
}

/* Is @net past its hooks' removal, its entries about to go? */
static inline bool ctrack_net_exiting(const struct net *net)
{
	return READ_ONCE(ctrack_pernet(net)->exiting);
}

#define CTRACK_STAT_INC(cnet, what) this_cpu_inc((cnet)->stats->c[what])

int ctrack_pernet_init(void);
void ctrack_pernet_exit(void);

#endif /* _CTRACK_PERNET_H */
