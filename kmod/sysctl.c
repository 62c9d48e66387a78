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
	/* Host-wide, in init_net only: last, so that others end before. */
	SYS_TENANT_MAX = SYS_TIMEOUTS + __CTRACK_TO_MAX,
	SYS_TENANT_COUNT,
	SYS_END,
};

/*
 * Deadlines are u32 jiffies compared as signed differences: a timeout
 * must stay below 2^31 jiffies (24.8 days at HZ=1000) or an entry would
 * look expired the moment it is refreshed. 20 days is the ceiling for
 * every namespace.
 */
#define CTRACK_TIMEOUT_MAX_SECS	(20 * 24 * 3600)

/*
 * Is the namespace of this table a tenant's: owned by a user namespace
 * other than the initial one? Its root may lower the knobs that cost the
 * host memory or time, never raise them past init_net's.
 */
static bool table_tenant(CTRACK_CTL_TABLE *table)
{
	const struct ctrack_net *cnet = table->extra1;

	return cnet->tenant;
}

/*
 * Parse a write of @table's int with @parse into a copy, so that a value
 * outside [@lo, @hi] is refused (-EINVAL) and never stored, not even for
 * a moment.
 */
static int write_bounded(CTRACK_CTL_TABLE *table, int write, void *buffer,
			 size_t *lenp, loff_t *ppos,
			 int (*parse)(CTRACK_CTL_TABLE *, int, void *, size_t *, loff_t *),
			 long long lo, long long hi, long long unit)
{
	struct ctl_table tmp = *table;
	int val = READ_ONCE(*(int *)table->data), err;

	tmp.data = &val;
	err = parse(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	if (val < lo * unit || val > hi * unit)
		return -EINVAL;
	WRITE_ONCE(*(int *)table->data, val);
	return 0;
}

/*
 * net.ctrack.max: 0 is "no limit" only where the host's root sets it. A
 * tenant's namespace takes 1 up to init_net's maximum (or up to
 * net.ctrack.tenant_max when init_net has none), as nf_conntrack lets a
 * child namespace lower its maximum but not raise it.
 */
static int max_handler(CTRACK_CTL_TABLE *table, int write, void *buffer,
		       size_t *lenp, loff_t *ppos)
{
	long long hi = INT_MAX;

	if (table_tenant(table))
		hi = ctrack_tenant_ceiling();
	return write_bounded(table, write, buffer, lenp, ppos, proc_dointvec,
			     table_tenant(table) ? 1 : 0, hi, 1);
}

/*
 * Timeouts, in seconds: 0 to 20 days everywhere; in a tenant's namespace
 * no longer than init_net's own value of the same timeout at the time of
 * the write (extra2).
 */
static int timeout_handler(CTRACK_CTL_TABLE *table, int write, void *buffer,
			   size_t *lenp, loff_t *ppos)
{
	long long hi = CTRACK_TIMEOUT_MAX_SECS;

	if (table_tenant(table))
		hi = min_t(long long, hi, READ_ONCE(*(int *)table->extra2) / HZ);
	return write_bounded(table, write, buffer, lenp, ppos,
			     proc_dointvec_jiffies, 0, hi, HZ);
}

#define TIMEOUT(idx, name)						\
	[SYS_TIMEOUTS + (idx)] = {					\
		.procname = name, .maxlen = sizeof(int), .mode = 0644,	\
		.proc_handler = timeout_handler,			\
	}

#define FLAG(idx, name)							\
	[idx] = {							\
		.procname = name, .maxlen = sizeof(int), .mode = 0644,	\
		.proc_handler = proc_dointvec_minmax,			\
		.extra1 = SYSCTL_ZERO, .extra2 = SYSCTL_ONE,	\
	}

static const int retrans_max = 255;

static const struct ctl_table template[SYS_END + 1] = {
	[SYS_MAX] = {
		.procname = "max", .maxlen = sizeof(int), .mode = 0644,
		.proc_handler = max_handler,
	},
	[SYS_COUNT] = {
		.procname = "count", .maxlen = sizeof(int), .mode = 0444,
		.proc_handler = proc_dointvec,
	},
	[SYS_BUCKETS] = {
		.procname = "buckets", .maxlen = sizeof(unsigned int),
		.mode = 0444, .proc_handler = proc_douintvec,
	},
	[SYS_TENANT_MAX] = {
		.procname = "tenant_max", .maxlen = sizeof(int), .mode = 0644,
		.proc_handler = proc_dointvec_minmax, .extra1 = SYSCTL_ONE,
	},
	[SYS_TENANT_COUNT] = {
		.procname = "tenant_count", .maxlen = sizeof(int), .mode = 0444,
		.proc_handler = proc_dointvec,
	},
	FLAG(SYS_CHECKSUM, "checksum"),
	FLAG(SYS_ACCT, "acct"),
	FLAG(SYS_TCP_LOOSE, "tcp_loose"),
	FLAG(SYS_TCP_BE_LIBERAL, "tcp_be_liberal"),
	[SYS_TCP_MAX_RETRANS] = {
		.procname = "tcp_max_retrans", .maxlen = sizeof(int),
		.mode = 0644, .proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ZERO, .extra2 = (void *)&retrans_max,
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
	[SYS_END] = { }
};

int ctrack_sysctl_register(struct net *net, struct ctrack_net *cnet)
{
	struct ctrack_net *init_cnet = ctrack_pernet(&init_net);
	struct ctl_table *t;
	int i, n;

	t = kmemdup(template, sizeof(template), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t[SYS_MAX].data = &cnet->max;
	t[SYS_MAX].extra1 = cnet;
	t[SYS_COUNT].data = &cnet->count.counter;
	t[SYS_BUCKETS].data = &ctrack_hash_size;
	t[SYS_TENANT_MAX].data = &ctrack_tenant_max;
	t[SYS_TENANT_COUNT].data = &ctrack_tenant_count.counter;
	t[SYS_CHECKSUM].data = &cnet->checksum;
	t[SYS_ACCT].data = &cnet->acct;
	t[SYS_TCP_LOOSE].data = &cnet->tcp_loose;
	t[SYS_TCP_BE_LIBERAL].data = &cnet->tcp_be_liberal;
	t[SYS_TCP_MAX_RETRANS].data = &cnet->tcp_max_retrans;
	for (i = 0; i < __CTRACK_TO_MAX; i++) {
		t[SYS_TIMEOUTS + i].data = &cnet->timeouts[i];
		t[SYS_TIMEOUTS + i].extra1 = cnet;
		t[SYS_TIMEOUTS + i].extra2 = &init_cnet->timeouts[i];
	}
	/*
	 * The tenants' ceiling and count are the host's: not in other
	 * namespaces at all (a tenant would learn the others' flow count).
	 * They are the table's last entries; cleared, they end it there.
	 */
	n = SYS_END;
	if (!net_eq(net, &init_net)) {
		n = SYS_TENANT_MAX;
		memset(&t[n], 0, (SYS_END - n) * sizeof(*t));
	}

	cnet->sysctl = ctrack_register_net_sysctl(net, "net/ctrack", t, n);
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
