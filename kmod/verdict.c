// SPDX-License-Identifier: GPL-2.0
/*
 * Verdict handoff without skb->_nfct (which belongs to nf_conntrack).
 *
 * Each CPU keeps two small rings of recent verdicts, keyed by skb address:
 * one written from softirq context (packets received, forwarded, and
 * everything the stack sends from softirq), one from task context
 * (sendmsg() and friends). A later hook looks for the newest slot with its
 * skb in the ring of its own CPU and context (ctrack_verdict_get()), and
 * takes it only if the packet's print agrees; only the loopback handoff
 * searches both rings (ctrack_verdict_take_loopback()). This works
 * because the kernel carries a packet from
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
 * the lookup misses, or finds a stale slot whose print it refuses: confirm
 * counts verdict_miss and does nothing, and the match matches nothing.
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
#include <linux/module.h>
#include <linux/ipv6.h>

#include "pernet.h"
#include "verdict.h"

/*
 * Power of two. Deeper than a NAPI poll's batch (64) with room for what
 * INPUT sends meanwhile (ACKs, ICMP) in the same softirq ring.
 */
#define RING_SLOTS 128

struct vring {
	unsigned int head;	/* the newest slot; head + 1 is the oldest */
	u64 lost;		/* seq of the last slot reused while still held */
	struct ctrack_verdict slot[RING_SLOTS];
};

struct vrings {
	struct vring task;
	struct vring softirq;
	/*
	 * Last slot written, either ring. 64 bits: at a billion packets a
	 * second it wraps in 584 years, so two slots' order is never in
	 * doubt, however long one ring sat idle.
	 */
	u64 seq;
};

static struct vrings __percpu *rings;

/*
 * Slots that were found for an skb but belonged to another packet: a
 * handoff that went wrong and was refused. Stays 0 unless the kernel
 * carries a packet in a way the design does not expect (the VM tests
 * check it after every test).
 */
static atomic_t mismatch = ATOMIC_INIT(0);
module_param_named(verdict_mismatch, mismatch.counter, int, 0444);
MODULE_PARM_DESC(verdict_mismatch, "verdicts found for an skb address that belonged to another packet (refused)");

static struct vring *ring_of(struct vrings *r, bool softirq)
{
	return softirq ? &r->softirq : &r->task;
}

static struct vring *this_ring(void)
{
	return ring_of(this_cpu_ptr(rings), in_serving_softirq());
}

/*
 * What tells two packets with one skb address apart (a packet dropped
 * after its classify hook frees its skb, and the next one often gets the
 * same memory): the IPv4 identification, or the IPv6 flow label, and the
 * protocol. Nothing that the path between the classify hook and the last
 * hook may rewrite takes part: not TTL or hop limit, checksums, addresses
 * or ports (NAT), TOS (DSCP), nor lengths (TCPMSS adds an option to a
 * SYN without one). An IPv6 flow keeps one label, so there the print
 * tells flows apart, not packets of one flow.
 */
static u32 packet_print(const struct sk_buff *skb)
{
	const u8 *nh = skb_network_header(skb);

	if ((nh[0] >> 4) == 4) {
		const struct iphdr *iph = (const struct iphdr *)nh;

		return (u32)ntohs(iph->id) << 8 ^ iph->protocol;
	}
	/* bytes 1-3 end with the 20-bit label; byte 6 is the next header */
	return ((u32)(nh[1] & 0x0f) << 16 | nh[2] << 8 | nh[3]) << 8 ^ nh[6];
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
	u32 print = packet_print(skb);
	struct ctrack_verdict *v;
	struct ctrack_entry *old;
	struct vring *r;
	bool bh;

	bh = ctrack_bh_off();
	r = this_ring();
	v = &r->slot[++r->head & (RING_SLOTS - 1)];
	/* A slot no later hook took yet is lost: the loopback handoff asks. */
	if (v->skb)
		r->lost = v->seq;
	v->seq = ++this_cpu_ptr(rings)->seq;
	old = v->entry;
	v->entry = e;
	v->skb = skb;
	v->net = net;
	v->print = print;
	v->state = state;
	v->dir = dir;
	v->hook = hook;
	v->loopback = false;
	ctrack_bh_restore(bh);
	if (old)
		ctrack_entry_put(old);
}

/* The newest slot of @r for @skb, or NULL. */
static struct ctrack_verdict *ring_find(struct vring *r, const struct sk_buff *skb)
{
	unsigned int i;

	for (i = 0; i < RING_SLOTS; i++) {
		struct ctrack_verdict *v = &r->slot[(r->head - i) & (RING_SLOTS - 1)];

		if (v->skb == skb)
			return v;
	}
	return NULL;
}

/*
 * @v, found for @skb in @net, if it is that packet's; else NULL, and a
 * slot of another packet (same address, another print) is counted.
 */
static struct ctrack_verdict *owned(struct ctrack_verdict *v,
				    const struct sk_buff *skb,
				    const struct net *net)
{
	if (!v || v->net != net)
		return NULL;
	if (unlikely(v->print != packet_print(skb))) {
		atomic_inc(&mismatch);
		return NULL;
	}
	return v;
}

/*
 * ctrack_verdict_get - the verdict recorded for @skb on this CPU
 *
 * Only the ring of the current context (softirq or task) is searched: a
 * packet reaches its later hooks in the context in which it passed its
 * classify hook (PREROUTING and INPUT/FORWARD/POSTROUTING in softirq,
 * OUTPUT and POSTROUTING in the sender's context). In that ring the
 * newest slot for @skb is the packet's own: a slot of an earlier packet
 * whose skb had the same address is older, and a ring overwrites its
 * slots oldest first, so it cannot outlive the packet's own slot. A
 * packet that comes to a later hook without its classify hook in this
 * context (reinjected from a queue, a sender migrated to another CPU)
 * finds none, or a stale slot that packet_print() tells apart: NULL.
 *
 * Caller has BHs disabled and holds rcu_read_lock; the result is valid
 * until BHs are enabled again.
 */
struct ctrack_verdict *ctrack_verdict_get(const struct sk_buff *skb,
					  const struct net *net)
{
	return owned(ring_find(this_ring(), skb), skb, net);
}

/*
 * Has @r reused a slot written after @seq that no hook had taken yet?
 * Then a newer slot for the same skb may be the one lost. (Slots that
 * their packet's last hook cleared are no loss.)
 */
static bool ring_lost_after(const struct vring *r, u64 seq)
{
	return r->lost > seq;
}

/*
 * ctrack_verdict_take_loopback - the verdict that the classify hook at
 * OUTPUT gave @skb, now arriving at PREROUTING on a loopback device
 *
 * The packet was sent from a task or from softirq, so its slot may be in
 * either ring; the newest slot for @skb marked for loopback in both is
 * the packet's own only if neither ring has reused a slot written after
 * it that was still held (that one, newer, could be the packet's own).
 * Else NULL.
 *
 * Caller has BHs disabled.
 */
struct ctrack_verdict *ctrack_verdict_take_loopback(const struct sk_buff *skb,
						    const struct net *net)
{
	struct vrings *r = this_cpu_ptr(rings);
	struct ctrack_verdict *a = ring_find(&r->task, skb);
	struct ctrack_verdict *b = ring_find(&r->softirq, skb);
	struct ctrack_verdict *v = a;

	if (!a || (b && b->seq > a->seq))
		v = b;
	if (!v || !v->loopback || ring_lost_after(&r->task, v->seq) ||
	    ring_lost_after(&r->softirq, v->seq))
		return NULL;
	return owned(v, skb, net);
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

/*
 * ctrack_verdict_refused - the unconfirmed entry whose original tuple is
 * @t, started by a packet still in its hooks in this context
 *
 * The REJECT target answers a packet from within one of its hooks: the
 * reset or ICMP error goes out through OUTPUT in the same context, while
 * the refused packet waits for REJECT to return, its slot in this
 * context's ring holding the entry it started (not confirmed, and it will
 * not be). nf_conntrack hands the answer that entry (nf_ct_attach());
 * this finds it. Returns it with a reference taken, or NULL.
 *
 * Caller has BHs disabled and holds rcu_read_lock. Not on the fast path:
 * only for a packet that would otherwise be INVALID at OUTPUT.
 */
struct ctrack_entry *ctrack_verdict_refused(const struct net *net,
					    const struct ctrack_tuple *t)
{
	struct vring *r = this_ring();
	unsigned int i;

	for (i = 0; i < RING_SLOTS; i++) {
		struct ctrack_verdict *v = &r->slot[(r->head - i) & (RING_SLOTS - 1)];
		struct ctrack_entry *e = v->entry;

		if (!v->skb || !e || v->net != net || v->dir != CTRACK_DIR_ORIGINAL ||
		    test_bit(CTRACK_S_CONFIRMED_BIT, &e->status) ||
		    !ctrack_tuple_eq(&e->tuple, t))
			continue;
		/* The slot holds a reference: the entry cannot go meanwhile. */
		refcount_inc(&e->use);
		return e;
	}
	return NULL;
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
