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

/*
 * The task that loads the module, while its register_pernet_subsys()
 * runs the init of every namespace that exists already: those are not
 * charged (see charge_to()). Namespaces that other tasks create
 * meanwhile are, as they run in their creators' context.
 */
static struct task_struct *loader;

/*
 * Whose memory cgroup pays for @net's entries: the one of the task that
 * creates the namespace (the namespace core runs our init in its
 * context), as the kernel charges the struct net itself. Not init_net's,
 * which belongs to the host, and not those of namespaces that existed
 * before the module was loaded: their init runs in insmod's context, and
 * insmod's cgroup is not theirs. Entries are charged only where this is
 * set (ctrack_entry_alloc()).
 */
static struct mem_cgroup *charge_to(struct net *net)
{
	if (net_eq(net, &init_net) || current == READ_ONCE(loader) || !current->mm)
		return NULL;
	return get_mem_cgroup_from_mm(current->mm);
}

/*
 * A tenant's namespace starts at the host's knobs where they are lower
 * than the defaults: it may lower them further, never raise them
 * (sysctl.c).
 */
static void tenant_defaults(struct ctrack_net *cnet)
{
	const struct ctrack_net *host = ctrack_pernet(&init_net);
	int i;

	cnet->max = min_t(int, cnet->max, ctrack_tenant_ceiling());
	for (i = 0; i < __CTRACK_TO_MAX; i++)
		cnet->timeouts[i] = min(cnet->timeouts[i], READ_ONCE(host->timeouts[i]));
}

static int __net_init ctrack_net_init(struct net *net)
{
	struct ctrack_net *cnet = ctrack_pernet(net);
	int err;

	atomic_set(&cnet->count, 0);
	cnet->exiting = false;
	cnet->tenant = net->user_ns != &init_user_ns;
	cnet->max = ctrack_hash_size;
	cnet->checksum = 1;
	cnet->acct = READ_ONCE(acct);
	cnet->tcp_loose = 1;
	cnet->tcp_be_liberal = 0;
	cnet->tcp_max_retrans = 3;
	memcpy(cnet->timeouts, default_timeouts, sizeof(cnet->timeouts));
	if (cnet->tenant)
		tenant_defaults(cnet);
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
	/* Last: nothing fails after it, so no error path puts it. */
	cnet->memcg = charge_to(net);
	return 0;

err_proc:
	ctrack_proc_exit(net);
err_sysctl:
	ctrack_sysctl_unregister(cnet);
err_stats:
	free_percpu(cnet->stats);
	return err;
}

/*
 * First step of a namespace's exit: no packet of @net enters our hooks
 * after this. nf_unregister_net_hooks() does not wait for hooks already
 * running (a sender preempted inside OUTPUT may still be in one), but the
 * namespace core waits for an RCU grace period between .pre_exit and
 * .exit_batch, and netfilter runs hooks under rcu_read_lock: by
 * ctrack_net_exit_batch() every such packet is through, and none of
 * them can still add an entry or count one.
 */
static void __net_exit ctrack_net_pre_exit(struct net *net)
{
	ctrack_hooks_unregister(net);
	WRITE_ONCE(ctrack_pernet(net)->exiting, true);
}

/*
 * Every namespace of @net_exit_list at once: one work item a CPU for the
 * verdict slots, at most one walk of the table, one grace period, however
 * many namespaces go together. A namespace that holds no entry costs no
 * walk at all, so its exit does not grow with the entries of others.
 */
static void __net_exit ctrack_net_exit_batch(struct list_head *net_exit_list)
{
	struct net *net;
	bool any = false;
	int waited = 0;

	ctrack_verdict_release_exiting();
	list_for_each_entry(net, net_exit_list, exit_list)
		any |= atomic_read(&ctrack_pernet(net)->count) != 0;
	if (any)
		ctrack_table_flush_exiting();

	/* The GC may be dropping the last reference of one of ours right now. */
	list_for_each_entry(net, net_exit_list, exit_list) {
		struct ctrack_net *cnet = ctrack_pernet(net);

		while (atomic_read(&cnet->count) && waited++ < 1000)
			usleep_range(1000, 10000);
		WARN_ON(atomic_read(&cnet->count));
	}
	/* ...and may still be counting it in our stats: let it leave. */
	synchronize_rcu();
	list_for_each_entry(net, net_exit_list, exit_list) {
		struct ctrack_net *cnet = ctrack_pernet(net);

		ctrack_proc_exit(net);
		ctrack_sysctl_unregister(cnet);
		free_percpu(cnet->stats);
		mem_cgroup_put(cnet->memcg);
	}
}

static struct pernet_operations ctrack_net_ops = {
	.init = ctrack_net_init,
	.pre_exit = ctrack_net_pre_exit,
	.exit_batch = ctrack_net_exit_batch,
	.id = &ctrack_net_id,
	.size = sizeof(struct ctrack_net),
};

int ctrack_pernet_init(void)
{
	int err;

	WRITE_ONCE(loader, current);
	err = register_pernet_subsys(&ctrack_net_ops);
	WRITE_ONCE(loader, NULL);
	return err;
}

void ctrack_pernet_exit(void)
{
	unregister_pernet_subsys(&ctrack_net_ops);
}
