// SPDX-License-Identifier: GPL-2.0
/*
 * Verdict handoff without skb->_nfct (which belongs to nf_conntrack).
 *
 * Each CPU keeps two small rings of recent verdicts, keyed by skb address:
 * one written from softirq context (packets received, forwarded, and
 * everything the stack sends from softirq), one from task context
 * (sendmsg() and friends). A later hook looks for the newest slot with its
 * skb, on its own CPU. This works because the kernel carries a packet from
 * PREROUTING to INPUT or FORWARD/POSTROUTING, and from OUTPUT to
 * POSTROUTING, synchronously on one CPU; the ring depth covers the packets
 * that can be in between (a GRO list of gro_normal_batch packets between
 * PREROUTING and INPUT; softirqs that interrupt a sender between OUTPUT
 * and POSTROUTING write the other ring). Slots are touched with BHs off.
 *
 * A slot holds a reference on its entry until the packet's last hook
 * clears it (ctrack_verdict_clear() at confirm), or else until the slot is
 * reused: the entry a later hook sees cannot be freed under it, and a NEW
 * packet's unconfirmed entry lives exactly as long as someone may confirm
 * it. Clearing at the last hook keeps "use" meaningful and lets a deleted
 * entry go at once instead of waiting for its slots to be recycled.
 *
 * Where the assumption breaks (a packet queued to userspace and reinjected
 * later, a sender preempted and migrated between OUTPUT and POSTROUTING),
 * the lookup misses: confirm counts verdict_miss and does nothing.
 *
 * Only a slot's own CPU touches it, with BHs off: the packet path runs on
 * that CPU, and ctrack_verdict_release() sends a work item to each CPU
 * rather than reach into other CPUs' rings. So a slot is read and written
 * with plain loads and stores: the handoff adds no atomic operation to the
 * packet path (the entry's reference, taken at lookup, is its only cost).
 */
#include <linux/percpu.h>
#include <linux/bottom_half.h>
#include <linux/cpu.h>
#include <linux/preempt.h>
#include <linux/workqueue.h>

#include "pernet.h"
#include "verdict.h"

/*
 * Power of two. Deeper than a NAPI poll's batch (64) with room for what
 * INPUT sends meanwhile (ACKs, ICMP) in the same softirq ring.
 */
#define RING_SLOTS 128

struct vring {
	unsigned int head;
	struct ctrack_verdict slot[RING_SLOTS];
};

struct vrings {
	struct vring task;
	struct vring softirq;
	u32 seq;	/* last slot written, either ring */
};

static struct vrings __percpu *rings;

static struct vring *this_ring(void)
{
	struct vrings *r = this_cpu_ptr(rings);

	return in_serving_softirq() ? &r->softirq : &r->task;
}

/*
 * ctrack_verdict_set - remember the verdict for @skb
 * @e: entry, or NULL; the caller's reference passes to the slot
 *
 * Any context; the packet path.
 */
void ctrack_verdict_set(const struct sk_buff *skb, const struct net *net,
			struct ctrack_entry *e, u8 state, u8 dir, u8 hook)
{
	struct ctrack_verdict *v;
	struct ctrack_entry *old;
	struct vring *r;
	bool bh;

	bh = ctrack_bh_off();
	r = this_ring();
	v = &r->slot[++r->head & (RING_SLOTS - 1)];
	v->seq = ++this_cpu_ptr(rings)->seq;
	old = v->entry;
	v->entry = e;
	v->skb = skb;
	v->net = net;
	v->state = state;
	v->dir = dir;
	v->hook = hook;
	ctrack_bh_restore(bh);
	if (old)
		ctrack_entry_put(old);
}

/*
 * The newest slot of @r for @skb, looking only at slots written after
 * @than (if given): a ring is in write order, so the walk stops there.
 */
static struct ctrack_verdict *ring_find(struct vring *r,
					const struct sk_buff *skb,
					const struct ctrack_verdict *than)
{
	unsigned int i;

	for (i = 0; i < RING_SLOTS; i++) {
		struct ctrack_verdict *v = &r->slot[(r->head - i) & (RING_SLOTS - 1)];

		if (than && (s32)(v->seq - than->seq) <= 0)
			break;
		if (v->skb == skb)
			return v;
	}
	return NULL;
}

/*
 * ctrack_verdict_get - the newest verdict recorded for @skb on this CPU
 *
 * Caller has BHs disabled and holds rcu_read_lock; the result is valid
 * until BHs are enabled again. NULL when there is none.
 */
struct ctrack_verdict *ctrack_verdict_get(const struct sk_buff *skb,
					  const struct net *net)
{
	struct vrings *r = this_cpu_ptr(rings);
	bool softirq = in_serving_softirq();
	struct vring *mine = softirq ? &r->softirq : &r->task;
	struct vring *other = softirq ? &r->task : &r->softirq;
	struct ctrack_verdict *v, *newer;

	/*
	 * Both rings: a packet sent from a task comes back in softirq on a
	 * loopback device, and an older slot of a dropped packet whose skb
	 * address was reused may wait in either ring. The newest one is the
	 * packet's; in the other ring only the few slots written after this
	 * ring's hit need a look.
	 */
	v = ring_find(mine, skb, NULL);
	newer = ring_find(other, skb, v);
	if (newer)
		v = newer;
	/* The newest slot of another netns's packet: not ours. */
	return v && v->net == net ? v : NULL;
}

/*
 * ctrack_verdict_clear - forget @v, a slot from ctrack_verdict_get(), once
 * no later hook needs it
 *
 * Caller has BHs disabled. Returns the entry reference the slot held (or
 * NULL), for the caller to pass on or put.
 */
struct ctrack_entry *ctrack_verdict_clear(struct ctrack_verdict *v)
{
	struct ctrack_entry *e = v->entry;

	v->skb = NULL;
	v->entry = NULL;
	return e;
}

/* Which slots a release drops. */
struct release_filter {
	const struct net *net;	/* this namespace's entries; NULL: any */
	bool exiting;		/* only those of namespaces on their way out */
};

static bool release_match(const struct ctrack_entry *e,
			  const struct release_filter *f)
{
	if (f->net && !net_eq(ctrack_entry_net(e), f->net))
		return false;
	return !f->exiting || ctrack_net_exiting(ctrack_entry_net(e));
}

/*
 * Caller owns @r's CPU with BHs off, or that CPU is offline (and stays so).
 */
static void release_ring(struct vring *r, const struct release_filter *f)
{
	unsigned int i;

	for (i = 0; i < RING_SLOTS; i++) {
		struct ctrack_verdict *v = &r->slot[i];
		struct ctrack_entry *e = v->entry;

		if (!e || !release_match(e, f))
			continue;
		v->entry = NULL;
		ctrack_entry_put(e);
	}
}

static void release_rings(struct vrings *r, const struct release_filter *f)
{
	release_ring(&r->task, f);
	release_ring(&r->softirq, f);
}

/* work_on_cpu() callback: runs in a kworker bound to the rings' CPU. */
static long release_here(void *f)
{
	local_bh_disable();
	release_rings(this_cpu_ptr(rings), f);
	local_bh_enable();
	return 0;
}

/*
 * Process context, may sleep; after the hooks of the namespaces @f names
 * are unregistered: no CPU can add a slot for them any more, but CPUs
 * keep reusing their slots for other namespaces concurrently, so each
 * online CPU releases its own. The hotplug lock keeps the offline ones
 * offline while their rings are read.
 */
static void release(const struct release_filter *f)
{
	int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		if (cpu_online(cpu))
			work_on_cpu(cpu, release_here, (void *)f);
		else
			release_rings(per_cpu_ptr(rings, cpu), f);
	}
	cpus_read_unlock();
}

/*
 * ctrack_verdict_release - drop every slot reference to entries of @net
 * (NULL: all)
 */
void ctrack_verdict_release(const struct net *net)
{
	struct release_filter f = { .net = net };

	release(&f);
}

/*
 * ctrack_verdict_release_exiting - drop every slot reference to entries
 * of the namespaces whose exit has begun (ctrack_net_exiting()): one work
 * item a CPU for a whole batch of them
 */
void ctrack_verdict_release_exiting(void)
{
	struct release_filter f = { .exiting = true };

	release(&f);
}

int ctrack_verdict_init(void)
{
	rings = alloc_percpu(struct vrings);
	return rings ? 0 : -ENOMEM;
}

void ctrack_verdict_exit(void)
{
	ctrack_verdict_release(NULL);
	free_percpu(rings);
}
