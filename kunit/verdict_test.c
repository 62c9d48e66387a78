// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctrack_verdict: the per-CPU verdict handoff rings (verdict.c).
 * Proves that a verdict stored for an skb is what a later hook takes for
 * the same skb and netns, that the newest verdict for an skb wins, that
 * another netns or an unknown skb misses, that a slot keeps its entry
 * referenced until the slot is reused (RING_SLOTS later) or released, and
 * that release frees a pending entry and spares other namespaces', also
 * for a slot another CPU wrote; that the order of slots across the two
 * rings survives 2^31 verdicts, that a packet whose own slot is lost
 * never takes a stale slot of its skb address, and that a slot of
 * another packet at the same address is refused and counted. Then
 * the hooks themselves: ctrack_in() at OUTPUT stores the verdict that
 * ctrack_confirm() at POSTROUTING uses to insert the entry, and a confirm
 * without a verdict counts verdict_miss; REJECT's answers take the
 * refused packet's unconfirmed entry and do not confirm it.
 *
 * A test runs with BHs off around each store-and-take, so that it stays
 * on one CPU and its rings.
 */

/* Forget every slot: earlier tests' skbs may be reallocated at the same address. */
static void vd_rings_reset(void)
{
	int cpu;

	ctrack_verdict_release(NULL);
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(rings, cpu), 0, sizeof(struct vrings));
}

static int vd_init(struct kunit *test)
{
	int err = kt_env_init(test);

	if (!err)
		vd_rings_reset();
	return err;
}

static struct sk_buff *vd_skb(struct kunit *test)
{
	struct kt_frame *f = kt_frame(test);
	unsigned int l3 = kt_ip(f, NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A, KT_HOST_B);

	kt_udp(f, 40000, 53, 8);
	kt_ip_done(f, NFPROTO_IPV4, l3);
	return kt_skb(test, f, NFPROTO_IPV4);
}

/* A pending entry; the test holds one reference. */
static struct ctrack_entry *vd_entry(struct kunit *test, u16 sp)
{
	struct ctrack_tuple t;
	struct ctrack_entry *e;

	kt_tuple(&t, NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A, sp, KT_HOST_B, 53);
	rcu_read_lock();
	e = ctrack_entry_alloc(&init_net, &t, ctrack_tuple_hash(&init_net, &t),
			       GFP_ATOMIC);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e);
	kt_hold(test, e);
	return e;
}

/* A reference of the test's own for a slot to own. */
static struct ctrack_entry *vd_ref(struct ctrack_entry *e)
{
	refcount_inc(&e->use);
	return e;
}

static void vd_pin(void)
{
	local_bh_disable();
	rcu_read_lock();
}

static void vd_unpin(void)
{
	rcu_read_unlock();
	local_bh_enable();
}

static void vd_store_take_test(struct kunit *test)
{
	struct ctrack_entry *e = vd_entry(test, 40000);
	struct sk_buff *skb = vd_skb(test);
	const struct ctrack_verdict *v;

	vd_pin();
	ctrack_verdict_set(skb, &init_net, vd_ref(e), CTRACK_PKT_NEW,
			   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	v = ctrack_verdict_get(skb, &init_net);
	KUNIT_EXPECT_NOT_NULL(test, v);
	if (v) {
		KUNIT_EXPECT_PTR_EQ(test, v->skb, skb);
		KUNIT_EXPECT_PTR_EQ(test, v->net, &init_net);
		KUNIT_EXPECT_PTR_EQ(test, v->entry, e);
		KUNIT_EXPECT_EQ(test, v->state, CTRACK_PKT_NEW);
		KUNIT_EXPECT_EQ(test, v->dir, CTRACK_DIR_ORIGINAL);
		KUNIT_EXPECT_EQ(test, v->hook, NF_INET_LOCAL_OUT);
	}
	vd_unpin();
	/* The slot owns a reference of its own. */
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 2);
}

static void vd_miss_test(struct kunit *test)
{
	struct sk_buff *skb = vd_skb(test), *other = vd_skb(test);
	const struct ctrack_verdict *v;

	vd_pin();
	KUNIT_EXPECT_NULL(test, ctrack_verdict_get(skb, &init_net));
	ctrack_verdict_set(other, &init_net, NULL, CTRACK_PKT_INVALID,
			   CTRACK_DIR_ORIGINAL, NF_INET_PRE_ROUTING);
	KUNIT_EXPECT_NULL(test, ctrack_verdict_get(skb, &init_net));
	v = ctrack_verdict_get(other, &init_net);
	KUNIT_EXPECT_NOT_NULL(test, v);
	/* INVALID is a verdict too, handed over like any other. */
	if (v) {
		KUNIT_EXPECT_EQ(test, v->state, CTRACK_PKT_INVALID);
		KUNIT_EXPECT_NULL(test, v->entry);
	}
	vd_unpin();
}

static void vd_newest_wins_test(struct kunit *test)
{
	struct ctrack_entry *e1 = vd_entry(test, 40000), *e2 = vd_entry(test, 40001);
	struct sk_buff *skb = vd_skb(test), *other = vd_skb(test);
	const struct ctrack_verdict *v;

	vd_pin();
	ctrack_verdict_set(skb, &init_net, vd_ref(e1), CTRACK_PKT_NEW,
			   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	ctrack_verdict_set(other, &init_net, NULL, CTRACK_PKT_INVALID,
			   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	ctrack_verdict_set(skb, &init_net, vd_ref(e2), CTRACK_PKT_ESTABLISHED,
			   CTRACK_DIR_REPLY, NF_INET_PRE_ROUTING);
	v = ctrack_verdict_get(skb, &init_net);
	KUNIT_EXPECT_NOT_NULL(test, v);
	if (v) {
		KUNIT_EXPECT_PTR_EQ(test, v->entry, e2);
		KUNIT_EXPECT_EQ(test, v->state, CTRACK_PKT_ESTABLISHED);
		KUNIT_EXPECT_EQ(test, v->dir, CTRACK_DIR_REPLY);
		KUNIT_EXPECT_EQ(test, v->hook, NF_INET_PRE_ROUTING);
	}
	vd_unpin();
}

static void vd_other_netns_test(struct kunit *test)
{
	struct net *other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	struct sk_buff *skb = vd_skb(test);

	KUNIT_ASSERT_NOT_NULL(test, other);
	vd_pin();
	ctrack_verdict_set(skb, &init_net, NULL, CTRACK_PKT_NEW,
			   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	/* Never another namespace's verdict, even for the same address. */
	KUNIT_EXPECT_NULL(test, ctrack_verdict_get(skb, other));
	KUNIT_EXPECT_NOT_NULL(test, ctrack_verdict_get(skb, &init_net));
	vd_unpin();
}

static void vd_overflow_test(struct kunit *test)
{
	struct ctrack_entry *e = vd_entry(test, 40000);
	struct sk_buff *skb = vd_skb(test), **filler;
	unsigned int i;

	filler = kunit_kcalloc(test, RING_SLOTS, sizeof(*filler), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, filler);
	for (i = 0; i < RING_SLOTS; i++)
		filler[i] = vd_skb(test);
	vd_pin();
	ctrack_verdict_set(skb, &init_net, vd_ref(e), CTRACK_PKT_NEW,
			   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	for (i = 0; i < RING_SLOTS - 1; i++)
		ctrack_verdict_set(filler[i], &init_net, NULL, CTRACK_PKT_NEW,
				   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	/* RING_SLOTS - 1 later packets: still there. */
	KUNIT_EXPECT_NOT_NULL(test, ctrack_verdict_get(skb, &init_net));
	KUNIT_EXPECT_NOT_NULL(test, ctrack_verdict_get(filler[0], &init_net));
	ctrack_verdict_set(filler[i], &init_net, NULL, CTRACK_PKT_NEW,
			   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	/* One more reused its slot. */
	KUNIT_EXPECT_NULL(test, ctrack_verdict_get(skb, &init_net));
	KUNIT_EXPECT_NOT_NULL(test, ctrack_verdict_get(filler[i], &init_net));
	vd_unpin();
	/* ...and gave the entry back. */
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 1);
}

struct vd_look {
	const struct sk_buff *skb;
	bool found;
	bool entry;
};

/* work_on_cpu() callback: what the rings of that CPU hold for an skb. */
static long vd_look_here(void *arg)
{
	struct vd_look *l = arg;
	const struct ctrack_verdict *v;

	vd_pin();
	v = ctrack_verdict_get(l->skb, &init_net);
	l->found = v;
	l->entry = v && v->entry;
	vd_unpin();
	return 0;
}

static void vd_release_test(struct kunit *test)
{
	struct net *other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	struct ctrack_entry *e = vd_entry(test, 40000);
	struct sk_buff *skb = vd_skb(test);
	struct vd_look look = { .skb = skb };
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, other);
	vd_pin();
	cpu = smp_processor_id();
	ctrack_verdict_set(skb, &init_net, vd_ref(e), CTRACK_PKT_NEW,
			   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	vd_unpin();
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 2);
	/* Another namespace going away leaves our slot alone. */
	ctrack_verdict_release(other);
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 2);
	ctrack_verdict_release(&init_net);
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 1);
	/*
	 * The slot still answers, without the entry. Looked up on the CPU
	 * that wrote it: release sleeps, and this thread may have moved.
	 */
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, vd_look_here, &look), 0);
	KUNIT_EXPECT_TRUE(test, look.found);
	KUNIT_EXPECT_FALSE(test, look.entry);
}

static void vd_release_frees_pending_test(struct kunit *test)
{
	struct sk_buff *skb = vd_skb(test);
	struct ctrack_entry *e;
	struct ctrack_tuple t;

	/* The slot holds the only reference, as for a NEW packet in flight. */
	kt_tuple(&t, NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A, 40000, KT_HOST_B, 53);
	rcu_read_lock();
	e = ctrack_entry_alloc(&init_net, &t, ctrack_tuple_hash(&init_net, &t),
			       GFP_ATOMIC);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e);
	vd_pin();
	ctrack_verdict_set(skb, &init_net, e, CTRACK_PKT_NEW,
			   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	vd_unpin();
	KUNIT_EXPECT_EQ(test, atomic_read(&ctrack_pernet(&init_net)->count), 1);
	ctrack_verdict_release(&init_net);
	/* A packet the ruleset dropped leaves nothing behind. */
	KUNIT_EXPECT_EQ(test, atomic_read(&ctrack_pernet(&init_net)->count), 0);
}

struct vd_remote {
	struct sk_buff *skb;
	struct ctrack_entry *e;
};

/* work_on_cpu() callback: a slot written on another CPU's rings. */
static long vd_remote_set(void *arg)
{
	struct vd_remote *r = arg;

	vd_pin();
	ctrack_verdict_set(r->skb, &init_net, r->e, CTRACK_PKT_NEW,
			   CTRACK_DIR_ORIGINAL, NF_INET_LOCAL_OUT);
	vd_unpin();
	return 0;
}

/*
 * Only a slot's own CPU touches it: release reaches a slot another CPU
 * wrote through a work item on that CPU.
 */
static void vd_release_remote_test(struct kunit *test)
{
	struct ctrack_entry *e = vd_entry(test, 40000);
	struct vd_remote r = { .skb = vd_skb(test), .e = vd_ref(e) };
	int cpu, here = raw_smp_processor_id();

	cpu = cpumask_any_but(cpu_online_mask, here);
	if (cpu >= nr_cpu_ids)
		kunit_skip(test, "one CPU online");
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, vd_remote_set, &r), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 2);
	ctrack_verdict_release(&init_net);
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 1);
}

/* The hooks a locally sent IPv4 packet passes: classify, then confirm. */
static const struct nf_hook_state vd_out = {
	.hook = NF_INET_LOCAL_OUT, .pf = NFPROTO_IPV4, .net = &init_net,
};
static const struct nf_hook_state vd_post = {
	.hook = NF_INET_POST_ROUTING, .pf = NFPROTO_IPV4, .net = &init_net,
};

static void vd_hooks_test(struct kunit *test)
{
	unsigned int miss = kt_stat(CTRACK_STAT_VERDICT_MISS);
	unsigned int inserts = kt_stat(CTRACK_STAT_INSERT);
	struct sk_buff *skb = vd_skb(test), *stray = vd_skb(test);
	const struct ctrack_verdict *v;
	struct ctrack_entry *e = NULL;
	struct ctrack_tuple t;
	enum ctrack_dir dir;

	vd_pin();
	KUNIT_EXPECT_EQ(test, ctrack_in(NULL, skb, &vd_out), NF_ACCEPT);
	v = ctrack_verdict_get(skb, &init_net);
	KUNIT_EXPECT_NOT_NULL(test, v);
	if (v) {
		KUNIT_EXPECT_EQ(test, v->state, CTRACK_PKT_NEW);
		KUNIT_EXPECT_EQ(test, v->hook, NF_INET_LOCAL_OUT);
		e = v->entry;
	}
	KUNIT_EXPECT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, ctrack_confirm(NULL, skb, &vd_post), NF_ACCEPT);
	/* A packet that no classify hook saw. */
	KUNIT_EXPECT_EQ(test, ctrack_confirm(NULL, stray, &vd_post), NF_ACCEPT);
	vd_unpin();

	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_INSERT), inserts + 1);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_VERDICT_MISS), miss + 1);
	kt_tuple(&t, NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A, 40000, KT_HOST_B, 53);
	rcu_read_lock();
	e = ctrack_lookup(&init_net, &t, &dir);
	rcu_read_unlock();
	KUNIT_EXPECT_NOT_NULL(test, e);
	if (e) {
		KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_CONFIRMED_BIT, &e->status));
		ctrack_entry_put(e);
	}
}

static struct sk_buff *vd_tcp_skb(struct kunit *test, int src, u16 sp, int dst,
				  u16 dp, u32 seq, u32 ack, u8 flags)
{
	struct kt_frame *f = kt_frame(test);
	unsigned int l3 = kt_ip(f, NFPROTO_IPV4, IPPROTO_TCP, src, dst);

	kt_tcp(f, sp, dp, seq, ack, flags, 1024, NULL, 0, 0);
	kt_ip_done(f, NFPROTO_IPV4, l3);
	return kt_skb(test, f, NFPROTO_IPV4);
}

/* A port unreachable from B for vd_skb()'s datagram. */
static struct sk_buff *vd_unreach_skb(struct kunit *test)
{
	struct kt_frame *f = kt_frame(test);
	unsigned int l3 = kt_ip(f, NFPROTO_IPV4, IPPROTO_ICMP, KT_HOST_B, KT_HOST_A);
	unsigned int inner;

	kt_icmp(f, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	inner = kt_ip(f, NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A, KT_HOST_B);
	kt_udp(f, 40000, 53, 8);
	kt_ip_done(f, NFPROTO_IPV4, inner);
	kt_ip_done(f, NFPROTO_IPV4, l3);
	return kt_skb(test, f, NFPROTO_IPV4);
}

/*
 * REJECT answers from OUTPUT while the refused packet waits in its hook:
 * the reset for a SYN and the port unreachable for a datagram are RELATED
 * to the refused packet's unconfirmed entry, in the reply direction, and
 * leave it unconfirmed as they pass POSTROUTING, also at a full table (an
 * answer takes no place). A reset that answers no packet in flight stays
 * INVALID.
 */
static void vd_reject_answer_test(struct kunit *test)
{
	unsigned int inserts = kt_stat(CTRACK_STAT_INSERT);
	struct sk_buff *syn = vd_tcp_skb(test, KT_HOST_A, 40000, KT_HOST_B, 80,
					 1000, 0, TCPHDR_SYN);
	struct sk_buff *rst = vd_tcp_skb(test, KT_HOST_B, 80, KT_HOST_A, 40000,
					 0, 1001, TCPHDR_RST | TCPHDR_ACK);
	struct sk_buff *stray = vd_tcp_skb(test, KT_HOST_B, 81, KT_HOST_A, 40000,
					   0, 1001, TCPHDR_RST | TCPHDR_ACK);
	struct sk_buff *dgram = vd_skb(test), *unreach = vd_unreach_skb(test);
	struct sk_buff *pkt[2] = { syn, dgram }, *answer[2] = { rst, unreach };
	struct ctrack_net *cnet = ctrack_pernet(&init_net);
	const struct ctrack_verdict *v;
	struct ctrack_entry *e;
	int i;

	vd_pin();
	for (i = 0; i < 2; i++) {
		e = NULL;
		cnet->max = 0;
		ctrack_in(NULL, pkt[i], &vd_out);
		v = ctrack_verdict_get(pkt[i], &init_net);
		if (v && v->state == CTRACK_PKT_NEW)
			e = v->entry;
		KUNIT_EXPECT_NOT_NULL(test, e);
		/* The table is full: the answer needs no place of its own. */
		cnet->max = atomic_read(&cnet->count);
		ctrack_in(NULL, answer[i], &vd_out);
		v = ctrack_verdict_get(answer[i], &init_net);
		KUNIT_EXPECT_NOT_NULL(test, v);
		if (!v || !e)
			continue;
		KUNIT_EXPECT_EQ(test, v->state, CTRACK_PKT_RELATED);
		KUNIT_EXPECT_EQ(test, v->dir, CTRACK_DIR_REPLY);
		KUNIT_EXPECT_PTR_EQ(test, v->entry, e);
		ctrack_confirm(NULL, answer[i], &vd_post);
		KUNIT_EXPECT_FALSE(test, test_bit(CTRACK_S_CONFIRMED_BIT, &e->status));
	}
	cnet->max = 0;
	ctrack_in(NULL, stray, &vd_out);
	v = ctrack_verdict_get(stray, &init_net);
	KUNIT_EXPECT_NOT_NULL(test, v);
	if (v) {
		KUNIT_EXPECT_EQ(test, v->state, CTRACK_PKT_INVALID);
		KUNIT_EXPECT_NULL(test, v->entry);
	}
	vd_unpin();
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_INSERT), inserts);
}

/*
 * A slot written straight into ring @softirq of this CPU, as the packet
 * path would have from that context, with sequence @seq.
 */
static void vd_put(struct sk_buff *skb, bool softirq, u64 seq, u8 state,
		   bool loopback)
{
	struct vrings *r = this_cpu_ptr(rings);
	struct vring *ring = ring_of(r, softirq);
	struct ctrack_verdict *v = &ring->slot[++ring->head & (RING_SLOTS - 1)];

	if (v->skb)
		ring->lost = v->seq;
	v->skb = skb;
	v->net = &init_net;
	v->entry = NULL;
	v->seq = seq;
	v->print = packet_print(skb);
	v->state = state;
	v->dir = CTRACK_DIR_ORIGINAL;
	v->hook = NF_INET_LOCAL_OUT;
	v->loopback = loopback;
	r->seq = max(r->seq, seq);
}

/*
 * Order across the two rings never wraps: a slot left in one ring while
 * 2^31 + 1 verdicts went through the other is still the older one (a
 * 32-bit sequence compared as a signed difference took it for newer).
 */
static void vd_seq_wrap_test(struct kunit *test)
{
	struct sk_buff *skb = vd_skb(test);
	const struct ctrack_verdict *v;

	vd_pin();
	vd_put(skb, false, 0x7fffffffULL, CTRACK_PKT_INVALID, true);
	vd_put(skb, true, 0x7fffffffULL + 0x80000001ULL, CTRACK_PKT_NEW, true);
	v = ctrack_verdict_take_loopback(skb, &init_net);
	KUNIT_EXPECT_NOT_NULL(test, v);
	if (v)
		KUNIT_EXPECT_EQ(test, v->state, CTRACK_PKT_NEW);
	vd_unpin();
}

/*
 * A packet whose own slot was reused meets no other packet's verdict: a
 * stale slot for the same skb address (a dropped packet's) waits in the
 * other ring, older than the lost one. The loopback handoff must see
 * that a slot newer than the stale one is gone, and take none.
 */
static void vd_address_reuse_test(struct kunit *test)
{
	struct sk_buff *skb = vd_skb(test), *filler = vd_skb(test);
	unsigned int i;

	vd_pin();
	/* The dropped packet, sent from softirq, its slot never cleared. */
	vd_put(skb, true, 10, CTRACK_PKT_INVALID, true);
	/* The next packet at that address, sent from a task... */
	vd_put(skb, false, 11, CTRACK_PKT_NEW, true);
	/* ...whose slot RING_SLOTS later ones push out before lo takes it. */
	for (i = 0; i < RING_SLOTS; i++)
		vd_put(filler, false, 12 + i, CTRACK_PKT_NEW, false);
	KUNIT_EXPECT_NULL(test, ctrack_verdict_take_loopback(skb, &init_net));
	vd_unpin();
}

/*
 * Slots that their packet's last hook cleared are no loss: the loopback
 * handoff still takes a slot that many cleared ones have followed.
 */
static void vd_cleared_not_lost_test(struct kunit *test)
{
	struct sk_buff *skb = vd_skb(test), *filler = vd_skb(test);
	struct vring *task = &this_cpu_ptr(rings)->task;
	unsigned int i;

	vd_pin();
	vd_put(skb, true, 1, CTRACK_PKT_NEW, true);
	for (i = 0; i < 2 * RING_SLOTS; i++) {
		vd_put(filler, false, 2 + i, CTRACK_PKT_NEW, false);
		task->slot[task->head & (RING_SLOTS - 1)].skb = NULL;
	}
	KUNIT_EXPECT_NOT_NULL(test, ctrack_verdict_take_loopback(skb, &init_net));
	vd_unpin();
}

/*
 * The same address, another packet: a later hook that finds a slot for
 * its skb whose print is another packet's (an IPv4 identification of its
 * own) takes no verdict and counts the mismatch.
 */
static void vd_print_mismatch_test(struct kunit *test)
{
	struct sk_buff *skb = vd_skb(test);
	int before = atomic_read(&mismatch);

	vd_pin();
	ctrack_verdict_set(skb, &init_net, NULL, CTRACK_PKT_INVALID,
			   CTRACK_DIR_ORIGINAL, NF_INET_PRE_ROUTING);
	KUNIT_EXPECT_NOT_NULL(test, ctrack_verdict_get(skb, &init_net));
	ip_hdr(skb)->id ^= htons(0x5a5a);
	KUNIT_EXPECT_NULL(test, ctrack_verdict_get(skb, &init_net));
	vd_unpin();
	KUNIT_EXPECT_EQ(test, atomic_read(&mismatch), before + 1);
	/* The VM tests read the counter as 0: leave it as found. */
	atomic_set(&mismatch, before);
}

/* Only the ring of the current context: a task's slot is not softirq's. */
static void vd_own_ring_test(struct kunit *test)
{
	struct sk_buff *skb = vd_skb(test);

	vd_pin();
	vd_put(skb, true, 1, CTRACK_PKT_NEW, false);
	/* A test runs in task context: the softirq ring is not searched. */
	KUNIT_EXPECT_NULL(test, ctrack_verdict_get(skb, &init_net));
	vd_put(skb, false, 2, CTRACK_PKT_NEW, false);
	KUNIT_EXPECT_NOT_NULL(test, ctrack_verdict_get(skb, &init_net));
	/* Not marked for loopback: the handoff at lo does not take it. */
	KUNIT_EXPECT_NULL(test, ctrack_verdict_take_loopback(skb, &init_net));
	vd_unpin();
}

static struct kunit_case verdict_cases[] = {
	KUNIT_CASE(vd_seq_wrap_test),
	KUNIT_CASE(vd_address_reuse_test),
	KUNIT_CASE(vd_cleared_not_lost_test),
	KUNIT_CASE(vd_print_mismatch_test),
	KUNIT_CASE(vd_own_ring_test),
	KUNIT_CASE(vd_store_take_test),
	KUNIT_CASE(vd_miss_test),
	KUNIT_CASE(vd_newest_wins_test),
	KUNIT_CASE(vd_other_netns_test),
	KUNIT_CASE(vd_overflow_test),
	KUNIT_CASE(vd_release_test),
	KUNIT_CASE(vd_release_frees_pending_test),
	KUNIT_CASE(vd_release_remote_test),
	KUNIT_CASE(vd_hooks_test),
	KUNIT_CASE(vd_reject_answer_test),
	{}
};

static struct kunit_suite verdict_suite = {
	.name = "ctrack_verdict",
	.suite_init = kt_env_suite_init,
	.suite_exit = kt_env_suite_exit,
	.init = vd_init,
	.exit = kt_exit,
	.test_cases = verdict_cases,
};
