// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: knobs, counters, /proc files and hooks.
 * Registering the pernet operations starts tracking in every namespace
 * that exists and every one created later.
 */
#include <linux/delay.h>
#include <linux/percpu.h>

#include "pernet.h"
#include "core.h"
#include "proc.h"
#include "sysctl.h"
#include "table.h"
#include "verdict.h"

unsigned int ctrack_net_id __read_mostly;

/*
 * As nf_conntrack's acct parameter: counters cost 32 bytes an entry and a
 * write a packet, so they are off unless asked for.
 */
static bool acct;
module_param(acct, bool, 0644);
MODULE_PARM_DESC(acct, "count packets and bytes of new entries in new namespaces (net.ctrack.acct)");

/* nf_conntrack's defaults, so that both trackers age flows alike. */
static const int default_timeouts[__CTRACK_TO_MAX] = {
	[CTRACK_TO_TCP_SYN_SENT] = 120 * HZ,
	[CTRACK_TO_TCP_SYN_RECV] = 60 * HZ,
	[CTRACK_TO_TCP_ESTABLISHED] = 5 * 24 * 3600 * HZ,
	[CTRACK_TO_TCP_FIN_WAIT] = 120 * HZ,
	[CTRACK_TO_TCP_CLOSE_WAIT] = 60 * HZ,
	[CTRACK_TO_TCP_LAST_ACK] = 30 * HZ,
	[CTRACK_TO_TCP_TIME_WAIT] = 120 * HZ,
	[CTRACK_TO_TCP_CLOSE] = 10 * HZ,
	[CTRACK_TO_TCP_RETRANS] = 300 * HZ,
	[CTRACK_TO_TCP_UNACK] = 300 * HZ,
	[CTRACK_TO_UDP] = 30 * HZ,
	[CTRACK_TO_UDP_STREAM] = 120 * HZ,
	[CTRACK_TO_ICMP] = 30 * HZ,
	[CTRACK_TO_ICMPV6] = 30 * HZ,
	[CTRACK_TO_GENERIC] = 600 * HZ,
};

static int __net_init ctrack_net_init(struct net *net)
{
	struct ctrack_net *cnet = ctrack_pernet(net);
	int err;

	atomic_set(&cnet->count, 0);
	cnet->max = ctrack_hash_size;
	cnet->checksum = 1;
	cnet->acct = READ_ONCE(acct);
	cnet->tcp_loose = 1;
	cnet->tcp_be_liberal = 0;
	cnet->tcp_max_retrans = 3;
	memcpy(cnet->timeouts, default_timeouts, sizeof(cnet->timeouts));
	cnet->stats = alloc_percpu(struct ctrack_stats);
	if (!cnet->stats)
		return -ENOMEM;

	err = ctrack_sysctl_register(net, cnet);
	if (err)
		goto err_stats;
	err = ctrack_proc_init(net);
	if (err)
		goto err_sysctl;
	err = ctrack_hooks_register(net);
	if (err)
		goto err_proc;
	return 0;

err_proc:
	ctrack_proc_exit(net);
err_sysctl:
	ctrack_sysctl_unregister(cnet);
err_stats:
	free_percpu(cnet->stats);
	return err;
}

static void __net_exit ctrack_net_exit(struct net *net)
{
	struct ctrack_net *cnet = ctrack_pernet(net);
	int waited = 0;

	/* No CPU is in our hooks for @net after this. */
	ctrack_hooks_unregister(net);
	ctrack_verdict_release(net);
	ctrack_table_flush_net(net, 0);
	/* The GC may be dropping the last reference of one of ours right now. */
	while (atomic_read(&cnet->count) && waited++ < 1000)
		usleep_range(1000, 10000);
	WARN_ON(atomic_read(&cnet->count));
	/* ...and may still be counting it in our stats: let it leave. */
	synchronize_rcu();
	ctrack_proc_exit(net);
	ctrack_sysctl_unregister(cnet);
	free_percpu(cnet->stats);
}

static struct pernet_operations ctrack_net_ops = {
	.init = ctrack_net_init,
	.exit = ctrack_net_exit,
	.id = &ctrack_net_id,
	.size = sizeof(struct ctrack_net),
};

int ctrack_pernet_init(void)
{
	return register_pernet_subsys(&ctrack_net_ops);
}

void ctrack_pernet_exit(void)
{
	unregister_pernet_subsys(&ctrack_net_ops);
}
