// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/ctrack: the namespace's entries in `conntrack -L` format.
 * /proc/net/stat/ctrack: the per-CPU counters, one row per CPU, in the
 * layout of /proc/net/stat/nf_conntrack.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/netdevice.h>
#include <net/netns/generic.h>

#include "proc.h"
#include "proto.h"

struct iter {
	struct seq_net_private p;
	unsigned int bucket;
};

/*
 * The first entry to list from @e in bucket @b on, or NULL at the end of
 * the table. Caller holds rcu_read_lock.
 */
static struct ctrack_entry *first_from(struct seq_file *s, unsigned int b,
				       struct ctrack_entry *e)
{
	struct iter *it = s->private;
	struct net *net = seq_file_net(s);

	for (;;) {
		for (; e; e = rcu_dereference(e->next)) {
			if (ctrack_entry_listed(e, net)) {
				it->bucket = b;
				return e;
			}
		}
		if (++b >= ctrack_hash_size)
			return NULL;
		e = rcu_dereference(ctrack_hash[b]);
	}
}

static struct ctrack_entry *next_after(struct seq_file *s, struct ctrack_entry *e)
{
	struct iter *it = s->private;

	return first_from(s, it->bucket, rcu_dereference(e->next));
}

static void *ct_start(struct seq_file *s, loff_t *pos)
	__acquires(RCU)
{
	struct ctrack_entry *e;
	loff_t i = *pos;

	rcu_read_lock();
	e = first_from(s, 0, rcu_dereference(ctrack_hash[0]));
	while (e && i--)
		e = next_after(s, e);
	return e;
}

static void *ct_next(struct seq_file *s, void *v, loff_t *pos)
{
	++*pos;
	return next_after(s, v);
}

static void ct_stop(struct seq_file *s, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static const char *proto_name(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_GRE: return "gre";
	}
	return "unknown";
}

static void print_tuple(struct seq_file *s, const struct ctrack_tuple *t)
{
	if (t->l3num == NFPROTO_IPV4)
		seq_printf(s, "src=%pI4 dst=%pI4 ", &t->src.ip, &t->dst.ip);
	else
		seq_printf(s, "src=%pI6c dst=%pI6c ", &t->src.in6, &t->dst.in6);

	switch (t->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		seq_printf(s, "sport=%u dport=%u ", ntohs(t->sp.port),
			   ntohs(t->dp.port));
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		seq_printf(s, "type=%u code=%u id=%u ", t->dp.icmp.type,
			   t->dp.icmp.code, ntohs(t->sp.id));
		break;
	}
}

/* As nf_conntrack: counters only for entries that count (net.ctrack.acct). */
static void print_counters(struct seq_file *s, const struct ctrack_snapshot *snap,
			   enum ctrack_dir dir)
{
	if (snap->has_acct)
		seq_printf(s, "packets=%llu bytes=%llu ", snap->acct.packets[dir],
			   snap->acct.bytes[dir]);
}

static int ct_show(struct seq_file *s, void *v)
{
	struct ctrack_entry *e = v;
	struct ctrack_tuple reply;
	struct ctrack_snapshot snap;
	unsigned long status = READ_ONCE(e->status);

	ctrack_entry_snapshot(e, &snap, false);

	seq_printf(s, "%-8s %u %ld ", proto_name(e->tuple.proto), e->tuple.proto,
		   ctrack_entry_remaining(e) / HZ);
	if (e->tuple.proto == IPPROTO_TCP)
		seq_printf(s, "%s ", ctrack_tcp_state_name(snap.tcp_state));
	print_tuple(s, &e->tuple);
	print_counters(s, &snap, CTRACK_DIR_ORIGINAL);
	if (!(status & CTRACK_S_SEEN_REPLY))
		seq_puts(s, "[UNREPLIED] ");
	ctrack_entry_tuple(e, CTRACK_DIR_REPLY, &reply);
	print_tuple(s, &reply);
	print_counters(s, &snap, CTRACK_DIR_REPLY);
	if (status & CTRACK_S_ASSURED)
		seq_puts(s, "[ASSURED] ");
	seq_printf(s, "mark=%u use=%u\n", READ_ONCE(e->mark),
		   refcount_read(&e->use));
	return 0;
}

static const struct seq_operations ct_seq_ops = {
	.start = ct_start,
	.next = ct_next,
	.stop = ct_stop,
	.show = ct_show,
};

static const char *const stat_names[__CTRACK_STAT_MAX] = {
	[CTRACK_STAT_FOUND] = "found",
	[CTRACK_STAT_NEW] = "new",
	[CTRACK_STAT_INVALID] = "invalid",
	[CTRACK_STAT_IGNORE] = "ignore",
	[CTRACK_STAT_INSERT] = "insert",
	[CTRACK_STAT_INSERT_FAILED] = "insert_failed",
	[CTRACK_STAT_DROP] = "drop",
	[CTRACK_STAT_EARLY_DROP] = "early_drop",
	[CTRACK_STAT_ERROR] = "error",
	[CTRACK_STAT_SEARCH_RESTART] = "search_restart",
	[CTRACK_STAT_VERDICT_MISS] = "verdict_miss",
	[CTRACK_STAT_RELATED] = "related",
	[CTRACK_STAT_EXPIRED] = "expired",
	[CTRACK_STAT_EVENT_LOST] = "event_lost",
};

static int stat_show(struct seq_file *s, void *v)
{
	struct ctrack_net *cnet = ctrack_pernet(seq_file_single_net(s));
	int cpu, i;

	seq_puts(s, "entries");
	for (i = 0; i < __CTRACK_STAT_MAX; i++)
		seq_printf(s, " %s", stat_names[i]);
	seq_putc(s, '\n');
	for_each_possible_cpu(cpu) {
		const struct ctrack_stats *st = per_cpu_ptr(cnet->stats, cpu);

		seq_printf(s, "%08x", atomic_read(&cnet->count));
		for (i = 0; i < __CTRACK_STAT_MAX; i++)
			seq_printf(s, " %08llx", READ_ONCE(st->c[i]));
		seq_putc(s, '\n');
	}
	return 0;
}

/*
 * /proc/net/ctrack is for the netns's administrator: owned by the root of
 * the user namespace that owns the netns (global root for the initial
 * one), so that a container's root reads its own table and nobody else's.
 */
int ctrack_proc_init(struct net *net)
{
	kuid_t uid = make_kuid(net->user_ns, 0);
	kgid_t gid = make_kgid(net->user_ns, 0);
	struct proc_dir_entry *pde;

	pde = proc_create_net("ctrack", 0440, net->proc_net, &ct_seq_ops,
			      sizeof(struct iter));
	if (!pde)
		return -ENOMEM;
	/* A netns whose owner maps no root keeps global root as owner. */
	if (uid_valid(uid) && gid_valid(gid))
		proc_set_user(pde, uid, gid);
	if (!proc_create_net_single("ctrack", 0444, net->proc_net_stat,
				    stat_show, NULL)) {
		remove_proc_entry("ctrack", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void ctrack_proc_exit(struct net *net)
{
	remove_proc_entry("ctrack", net->proc_net_stat);
	remove_proc_entry("ctrack", net->proc_net);
}
