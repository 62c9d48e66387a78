// SPDX-License-Identifier: GPL-2.0
/*
 * net.ctrack.*: every knob, per network namespace. Names follow
 * nf_conntrack's (net.netfilter.nf_conntrack_X becomes net.ctrack.X) so
 * that side-by-side configurations are written the same way.
 */
#include <linux/slab.h>
#include <linux/sysctl.h>

#include "compat.h"
#include "sysctl.h"
#include "table.h"

enum {
	SYS_MAX,
	SYS_COUNT,
	SYS_BUCKETS,
	SYS_CHECKSUM,
	SYS_ACCT,
	SYS_TCP_LOOSE,
	SYS_TCP_BE_LIBERAL,
	SYS_TCP_MAX_RETRANS,
	SYS_TIMEOUTS,
	SYS_END = SYS_TIMEOUTS + __CTRACK_TO_MAX,
};

#define TIMEOUT(idx, name)						\
	[SYS_TIMEOUTS + (idx)] = {					\
		.procname = name, .maxlen = sizeof(int), .mode = 0644,	\
		.proc_handler = proc_dointvec_jiffies,			\
	}

#define FLAG(idx, name)							\
	[idx] = {							\
		.procname = name, .maxlen = sizeof(int), .mode = 0644,	\
		.proc_handler = proc_dointvec_minmax,			\
		.extra1 = SYSCTL_ZERO, .extra2 = SYSCTL_ONE,	\
	}

static const struct ctl_table template[SYS_END + 1] = {
	[SYS_MAX] = {
		.procname = "max", .maxlen = sizeof(int), .mode = 0644,
		.proc_handler = proc_dointvec_minmax, .extra1 = SYSCTL_ZERO,
	},
	[SYS_COUNT] = {
		.procname = "count", .maxlen = sizeof(int), .mode = 0444,
		.proc_handler = proc_dointvec,
	},
	[SYS_BUCKETS] = {
		.procname = "buckets", .maxlen = sizeof(unsigned int),
		.mode = 0444, .proc_handler = proc_douintvec,
	},
	FLAG(SYS_CHECKSUM, "checksum"),
	FLAG(SYS_ACCT, "acct"),
	FLAG(SYS_TCP_LOOSE, "tcp_loose"),
	FLAG(SYS_TCP_BE_LIBERAL, "tcp_be_liberal"),
	[SYS_TCP_MAX_RETRANS] = {
		.procname = "tcp_max_retrans", .maxlen = sizeof(int),
		.mode = 0644, .proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ZERO,
	},
	TIMEOUT(CTRACK_TO_TCP_SYN_SENT, "tcp_timeout_syn_sent"),
	TIMEOUT(CTRACK_TO_TCP_SYN_RECV, "tcp_timeout_syn_recv"),
	TIMEOUT(CTRACK_TO_TCP_ESTABLISHED, "tcp_timeout_established"),
	TIMEOUT(CTRACK_TO_TCP_FIN_WAIT, "tcp_timeout_fin_wait"),
	TIMEOUT(CTRACK_TO_TCP_CLOSE_WAIT, "tcp_timeout_close_wait"),
	TIMEOUT(CTRACK_TO_TCP_LAST_ACK, "tcp_timeout_last_ack"),
	TIMEOUT(CTRACK_TO_TCP_TIME_WAIT, "tcp_timeout_time_wait"),
	TIMEOUT(CTRACK_TO_TCP_CLOSE, "tcp_timeout_close"),
	TIMEOUT(CTRACK_TO_TCP_RETRANS, "tcp_timeout_max_retrans"),
	TIMEOUT(CTRACK_TO_TCP_UNACK, "tcp_timeout_unacknowledged"),
	TIMEOUT(CTRACK_TO_UDP, "udp_timeout"),
	TIMEOUT(CTRACK_TO_UDP_STREAM, "udp_timeout_stream"),
	TIMEOUT(CTRACK_TO_ICMP, "icmp_timeout"),
	TIMEOUT(CTRACK_TO_ICMPV6, "icmpv6_timeout"),
	TIMEOUT(CTRACK_TO_GENERIC, "generic_timeout"),
	{ }
};

int ctrack_sysctl_register(struct net *net, struct ctrack_net *cnet)
{
	struct ctl_table *t;
	int i;

	t = kmemdup(template, sizeof(template), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t[SYS_MAX].data = &cnet->max;
	t[SYS_COUNT].data = &cnet->count.counter;
	t[SYS_BUCKETS].data = &ctrack_hash_size;
	t[SYS_CHECKSUM].data = &cnet->checksum;
	t[SYS_ACCT].data = &cnet->acct;
	t[SYS_TCP_LOOSE].data = &cnet->tcp_loose;
	t[SYS_TCP_BE_LIBERAL].data = &cnet->tcp_be_liberal;
	t[SYS_TCP_MAX_RETRANS].data = &cnet->tcp_max_retrans;
	for (i = 0; i < __CTRACK_TO_MAX; i++)
		t[SYS_TIMEOUTS + i].data = &cnet->timeouts[i];

	/*
	 * A namespace owned by another user namespace may lower its maximum
	 * but not raise it above the initial namespace's: entries are kernel
	 * memory that its owner does not pay for.
	 */
	if (net->user_ns != &init_user_ns)
		t[SYS_MAX].extra2 = &ctrack_pernet(&init_net)->max;

	cnet->sysctl = ctrack_register_net_sysctl(net, "net/ctrack", t, SYS_END);
	if (!cnet->sysctl) {
		kfree(t);
		return -ENOMEM;
	}
	return 0;
}

void ctrack_sysctl_unregister(struct ctrack_net *cnet)
{
	const struct ctl_table *t = cnet->sysctl->ctl_table_arg;

	unregister_net_sysctl_table(cnet->sysctl);
	kfree(t);
}
