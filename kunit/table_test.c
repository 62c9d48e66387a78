// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctrack_table: the connection table on its own (a private 64-bucket
 * table in init_net). Proves that a confirmed entry is found under both of
 * its tuples and an unconfirmed one is not, that a second entry for a
 * taken tuple (either way round) fails with -EEXIST, that kill takes an
 * entry out exactly once, that expired entries vanish at lookup and in a
 * bounded GC scan, that net.ctrack.max is enforced, and that a full table
 * evicts expired, non-ASSURED or closing TCP entries near the new tuple
 * but never another ASSURED flow, else drops and counts the drop. Every
 * case checks net.ctrack.count along the way.
 */

static atomic_t *tb_count(void)
{
	return &ctrack_pernet(&init_net)->count;
}

/* @proto (UDP unless told) A:@sp -> B:53. */
static void tb_tuple_p(struct ctrack_tuple *t, u8 proto, u16 sp)
{
	kt_tuple(t, NFPROTO_IPV4, proto, KT_HOST_A, sp, KT_HOST_B, 53);
}

static void tb_tuple(struct ctrack_tuple *t, u16 sp)
{
	tb_tuple_p(t, IPPROTO_UDP, sp);
}

static unsigned int tb_bucket(const struct ctrack_tuple *t)
{
	return bucket_of(ctrack_tuple_hash(&init_net, t));
}

/* The first source port from *@sp on whose tuple hashes into @bucket. */
static void tb_tuple_in(struct ctrack_tuple *t, u8 proto, u16 *sp,
			unsigned int bucket)
{
	for (;; (*sp)++) {
		tb_tuple_p(t, proto, *sp);
		if (tb_bucket(t) == bucket) {
			(*sp)++;
			return;
		}
	}
}

/* Allocate as the packet path does; the test holds the reference. */
static struct ctrack_entry *tb_try_alloc(const struct ctrack_tuple *t)
{
	struct ctrack_entry *e;

	rcu_read_lock();
	e = ctrack_entry_alloc(&init_net, t, ctrack_tuple_hash(&init_net, t), GFP_ATOMIC);
	rcu_read_unlock();
	return e;
}

static struct ctrack_entry *tb_new(struct kunit *test,
				   const struct ctrack_tuple *t)
{
	struct ctrack_entry *e = tb_try_alloc(t);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e);
	kt_hold(test, e);
	/* As a protocol tracker would: alive for a while. */
	ctrack_entry_refresh(e, 60 * HZ);
	return e;
}

static struct ctrack_entry *tb_insert(struct kunit *test,
				      const struct ctrack_tuple *t)
{
	struct ctrack_entry *e = tb_new(test, t);

	KUNIT_ASSERT_EQ(test, ctrack_entry_confirm(e), 0);
	return e;
}

/* Is @e what a lookup of @t finds, in direction @dir? */
static void tb_expect_found(struct kunit *test, const struct ctrack_tuple *t,
			    const struct ctrack_entry *e, enum ctrack_dir dir)
{
	enum ctrack_dir got = CTRACK_DIR_MAX;
	struct ctrack_entry *found;

	rcu_read_lock();
	found = ctrack_lookup(&init_net, t, &got);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, found, e);
	if (found) {
		KUNIT_EXPECT_EQ(test, got, dir);
		ctrack_entry_put(found);
	}
}

static void tb_expect_gone(struct kunit *test, const struct ctrack_tuple *t)
{
	tb_expect_found(test, t, NULL, CTRACK_DIR_ORIGINAL);
}

static void tb_confirm_lookup_test(struct kunit *test)
{
	unsigned int inserts = kt_stat(CTRACK_STAT_INSERT);
	struct ctrack_tuple t, inv;
	struct ctrack_entry *e;

	tb_tuple(&t, 40000);
	ctrack_tuple_invert(&inv, &t);
	e = tb_new(test, &t);
	/* Pending entries count, but nobody finds them. */
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 1);
	tb_expect_gone(test, &t);

	KUNIT_ASSERT_EQ(test, ctrack_entry_confirm(e), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_CONFIRMED_BIT, &e->status));
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 2);	/* ours + table */
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_INSERT), inserts + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 1);
	tb_expect_found(test, &t, e, CTRACK_DIR_ORIGINAL);
	tb_expect_found(test, &inv, e, CTRACK_DIR_REPLY);
	/* Lookups gave their references back. */
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 2);
	/* Confirming twice is refused. */
	KUNIT_EXPECT_EQ(test, ctrack_entry_confirm(e), -EINVAL);
}

static void tb_duplicate_test(struct kunit *test)
{
	unsigned int failed = kt_stat(CTRACK_STAT_INSERT_FAILED);
	struct ctrack_tuple t, inv;
	struct ctrack_entry *e, *dup, *rev;

	tb_tuple(&t, 40000);
	ctrack_tuple_invert(&inv, &t);
	e = tb_insert(test, &t);
	dup = tb_new(test, &t);
	rev = tb_new(test, &inv);	/* the same flow seen from the other end */
	KUNIT_EXPECT_EQ(test, ctrack_entry_confirm(dup), -EEXIST);
	KUNIT_EXPECT_EQ(test, ctrack_entry_confirm(rev), -EEXIST);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_INSERT_FAILED), failed + 2);
	KUNIT_EXPECT_FALSE(test, test_bit(CTRACK_S_CONFIRMED_BIT, &dup->status));
	tb_expect_found(test, &t, e, CTRACK_DIR_ORIGINAL);
	tb_expect_found(test, &inv, e, CTRACK_DIR_REPLY);
	/* The losers leave the count when their last reference goes. */
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 3);
	kt_drop(test, dup);
	kt_drop(test, rev);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 1);
}

static void tb_kill_test(struct kunit *test)
{
	struct ctrack_tuple t, inv;
	struct ctrack_entry *e;

	tb_tuple(&t, 40000);
	ctrack_tuple_invert(&inv, &t);
	e = tb_insert(test, &t);
	KUNIT_EXPECT_TRUE(test, ctrack_entry_kill(e));
	KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_DYING_BIT, &e->status));
	KUNIT_EXPECT_FALSE(test, ctrack_entry_kill(e));
	tb_expect_gone(test, &t);
	tb_expect_gone(test, &inv);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 0);
	/* The table's reference went; ours keeps the memory. */
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 1);
	/* The tuple is free again. */
	tb_insert(test, &t);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 1);
}

static void tb_lazy_expiry_test(struct kunit *test)
{
	unsigned int expired = kt_stat(CTRACK_STAT_EXPIRED);
	struct ctrack_tuple t, inv;
	struct ctrack_entry *e;

	tb_tuple(&t, 40000);
	ctrack_tuple_invert(&inv, &t);
	e = tb_insert(test, &t);
	ctrack_entry_refresh(e, 0);	/* the deadline is now */
	KUNIT_EXPECT_TRUE(test, ctrack_entry_expired(e));
	KUNIT_EXPECT_EQ(test, ctrack_entry_remaining(e), 0);
	/* The lookup that meets it removes it. */
	tb_expect_gone(test, &inv);
	KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_DYING_BIT, &e->status));
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_EXPIRED), expired + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&e->use), 1);
}

static void tb_expired_tuple_reusable_test(struct kunit *test)
{
	struct ctrack_entry *old, *e;
	struct ctrack_tuple t;
	unsigned int cursor;

	tb_tuple(&t, 40000);
	old = tb_insert(test, &t);
	ctrack_entry_refresh(old, 0);
	/* Not reaped yet, but its tuple no longer blocks a new flow. */
	e = tb_insert(test, &t);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 2);
	/*
	 * The collector reaps the old one and only that (a lookup would
	 * too: the old one comes first in the chain).
	 */
	cursor = 0;
	KUNIT_EXPECT_EQ(test, ctrack_gc_scan(&cursor, KT_BUCKETS, 100, NULL), 1);
	KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_DYING_BIT, &old->status));
	KUNIT_EXPECT_FALSE(test, test_bit(CTRACK_S_DYING_BIT, &e->status));
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 1);
	tb_expect_found(test, &t, e, CTRACK_DIR_ORIGINAL);
}

static void tb_gc_scan_test(struct kunit *test)
{
	struct ctrack_entry *e[5];
	struct ctrack_tuple t[5];
	unsigned int cursor, i, n, expired = kt_stat(CTRACK_STAT_EXPIRED);
	u16 sp = 1000;

	/* Five entries whose original tuples sit in buckets 3, 9, 20, 40, 60. */
	static const unsigned int buckets[5] = { 3, 9, 20, 40, 60 };

	for (i = 0; i < 5; i++) {
		tb_tuple_in(&t[i], IPPROTO_UDP, &sp, buckets[i]);
		e[i] = tb_insert(test, &t[i]);
	}
	/* 0, 2 and 4 expire; 1 and 3 stay. */
	for (i = 0; i < 5; i += 2)
		ctrack_entry_refresh(e[i], 0);

	/* Budget 1: stops right after the first expiry (bucket 3). */
	cursor = 0;
	KUNIT_EXPECT_EQ(test, ctrack_gc_scan(&cursor, KT_BUCKETS, 1, NULL), 1);
	KUNIT_EXPECT_EQ(test, cursor, 4);
	KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_DYING_BIT, &e[0]->status));
	KUNIT_EXPECT_FALSE(test, test_bit(CTRACK_S_DYING_BIT, &e[2]->status));
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 4);

	/* A slice of 10 buckets from 4 reaches bucket 9 only: nothing. */
	KUNIT_EXPECT_EQ(test, ctrack_gc_scan(&cursor, 10, 100, NULL), 0);
	KUNIT_EXPECT_EQ(test, cursor, 14);

	/* The rest of the table, wrapping around to where it started. */
	n = ctrack_gc_scan(&cursor, KT_BUCKETS, 100, NULL);
	KUNIT_EXPECT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, cursor, 14);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_EXPIRED), expired + 3);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 2);
	for (i = 0; i < 5; i++) {
		if (i % 2)
			tb_expect_found(test, &t[i], e[i], CTRACK_DIR_ORIGINAL);
		else
			KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_DYING_BIT,
							 &e[i]->status));
	}
}

/*
 * Fill the table up to @max with entries in the new tuple's own bucket,
 * each prepared by @prep; then try to allocate the new tuple.
 */
static struct ctrack_entry *tb_full(struct kunit *test, unsigned int max,
				    u8 proto, struct ctrack_entry **old,
				    void (*prep)(struct ctrack_entry *e,
						 unsigned int i))
{
	struct ctrack_tuple nt, t;
	unsigned int i, b;
	u16 sp = 1000;

	tb_tuple_p(&nt, proto, 50000);
	b = tb_bucket(&nt);
	ctrack_pernet(&init_net)->max = max;
	for (i = 0; i < max; i++) {
		tb_tuple_in(&t, proto, &sp, b);
		old[i] = tb_insert(test, &t);
		prep(old[i], i);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), max);
	return tb_try_alloc(&nt);
}

static void tb_prep_assured(struct ctrack_entry *e, unsigned int i)
{
	set_bit(CTRACK_S_ASSURED_BIT, &e->status);
}

/* All ASSURED but the last. */
static void tb_prep_last_unassured(struct ctrack_entry *e, unsigned int i)
{
	if (i < 2)
		set_bit(CTRACK_S_ASSURED_BIT, &e->status);
}

static void tb_prep_assured_expired(struct ctrack_entry *e, unsigned int i)
{
	set_bit(CTRACK_S_ASSURED_BIT, &e->status);
	if (i == 1)
		ctrack_entry_refresh(e, 0);
}

static void tb_full_drop_test(struct kunit *test)
{
	unsigned int drops = kt_stat(CTRACK_STAT_DROP);
	unsigned int early = kt_stat(CTRACK_STAT_EARLY_DROP);
	struct ctrack_entry *old[3], *e;
	unsigned int i;

	e = tb_full(test, 3, IPPROTO_UDP, old, tb_prep_assured);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(e), -ENOSPC);
	if (!IS_ERR(e))
		kt_hold(test, e);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_DROP), drops + 1);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_EARLY_DROP), early);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 3);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_FALSE(test, test_bit(CTRACK_S_DYING_BIT,
						  &old[i]->status));
}

/*
 * Three UDP flows in one bucket, prepared by @prep, fill the table: a
 * new flow there gets its place, and only the flow @victim made room.
 */
static void tb_evict_one(struct kunit *test,
			 void (*prep)(struct ctrack_entry *e, unsigned int i),
			 unsigned int victim)
{
	struct ctrack_entry *old[3], *e;
	unsigned int i;

	e = tb_full(test, ARRAY_SIZE(old), IPPROTO_UDP, old, prep);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e);
	kt_hold(test, e);
	for (i = 0; i < ARRAY_SIZE(old); i++)
		KUNIT_EXPECT_EQ_MSG(test, test_bit(CTRACK_S_DYING_BIT, &old[i]->status),
				    i == victim, "entry %u", i);
}

static void tb_early_drop_test(struct kunit *test)
{
	unsigned int drops = kt_stat(CTRACK_STAT_DROP);
	unsigned int early = kt_stat(CTRACK_STAT_EARLY_DROP);

	/* Only the flow that was never ASSURED made room. */
	tb_evict_one(test, tb_prep_last_unassured, 2);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_EARLY_DROP), early + 1);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_DROP), drops);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 3);
}

static void tb_prep_none(struct ctrack_entry *e, unsigned int i)
{
}

/* Of flows that were never ASSURED, the oldest in the chain makes room. */
static void tb_early_drop_oldest_test(struct kunit *test)
{
	tb_evict_one(test, tb_prep_none, 0);
}

static void tb_early_drop_expired_test(struct kunit *test)
{
	tb_evict_one(test, tb_prep_assured_expired, 1);
}

/* An established TCP flow, as the tracker leaves it. */
static void tb_prep_tcp_established(struct ctrack_entry *e, unsigned int i)
{
	ctrack_entry_tcp(e)->state = CTRACK_TCP_ESTABLISHED;
	set_bit(CTRACK_S_ASSURED_BIT, &e->status);
}

static void tb_early_drop_tcp_test(struct kunit *test)
{
	struct ctrack_entry *old[2], *e;
	struct ctrack_tuple nt;

	/* Established TCP flows are as safe as any ASSURED flow... */
	e = tb_full(test, 2, IPPROTO_TCP, old, tb_prep_tcp_established);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(e), -ENOSPC);
	if (!IS_ERR(e))
		kt_hold(test, e);

	/* ...but one in TIME_WAIT may go once the table is full. */
	ctrack_entry_tcp(old[1])->state = CTRACK_TCP_TIME_WAIT;
	tb_tuple_p(&nt, IPPROTO_TCP, 50000);
	e = tb_try_alloc(&nt);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e);
	kt_hold(test, e);
	KUNIT_EXPECT_FALSE(test, test_bit(CTRACK_S_DYING_BIT, &old[0]->status));
	KUNIT_EXPECT_TRUE(test, test_bit(CTRACK_S_DYING_BIT, &old[1]->status));
}

/*
 * max lowered under a full table: a new flow evicts until a place is free
 * (never counting past max), but at most CTRACK_EARLY_DROP_TRIES entries
 * a flow, so that one packet cannot empty a large table.
 */
static void tb_max_lowered_test(struct kunit *test)
{
	unsigned int early = kt_stat(CTRACK_STAT_EARLY_DROP);
	unsigned int drops = kt_stat(CTRACK_STAT_DROP);
	struct ctrack_entry *old[8], *e;
	struct ctrack_tuple nt;
	unsigned int b;
	u16 sp = 50001;

	tb_tuple_p(&nt, IPPROTO_UDP, 50000);
	b = tb_bucket(&nt);
	e = tb_full(test, 8, IPPROTO_UDP, old, tb_prep_none);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e);
	kt_hold(test, e);			/* 7 old + 1 new, unconfirmed */
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_EARLY_DROP), early + 1);

	ctrack_pernet(&init_net)->max = 5;	/* 4 evictions make room */
	tb_tuple_in(&nt, IPPROTO_UDP, &sp, b);
	e = tb_try_alloc(&nt);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e);
	kt_hold(test, e);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_EARLY_DROP), early + 5);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 5);

	/*
	 * Three evictions take the last old entries; the two unconfirmed
	 * ones held here still count, nothing is left to evict: refused.
	 */
	ctrack_pernet(&init_net)->max = 1;
	tb_tuple_in(&nt, IPPROTO_UDP, &sp, b);
	e = tb_try_alloc(&nt);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(e), -ENOSPC);
	if (!IS_ERR(e))
		kt_hold(test, e);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_DROP), drops + 1);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_EARLY_DROP), early + 8);
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 2);
}

static void tb_unlimited_test(struct kunit *test)
{
	unsigned int drops = kt_stat(CTRACK_STAT_DROP);
	unsigned int early = kt_stat(CTRACK_STAT_EARLY_DROP);
	struct ctrack_tuple t;
	unsigned int i;

	ctrack_pernet(&init_net)->max = 0;
	for (i = 0; i < 2 * KT_BUCKETS / 8; i++) {
		tb_tuple(&t, 1000 + i);
		tb_insert(test, &t);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(tb_count()), 2 * KT_BUCKETS / 8);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_EARLY_DROP), early);
	KUNIT_EXPECT_EQ(test, kt_stat(CTRACK_STAT_DROP), drops);
}

/*
 * Both directions of a flow hash alike (an entry is linked once): TCP and
 * UDP over IPv4 and IPv6, ICMP and ICMPv6 echo, a protocol without ports,
 * and flows to oneself (both ends on one address). The word-wise inverse
 * test agrees with inverting, both ways, and tells other tuples apart;
 * the order of the ends flips with the direction unless both ends are
 * one.
 */
static void tb_hash_symmetric_test(struct kunit *test)
{
	static const struct { u8 family, proto; u16 sp, dp; bool self; } flows[] = {
		{ NFPROTO_IPV4, IPPROTO_TCP, 40000, 80 },
		{ NFPROTO_IPV4, IPPROTO_UDP, 53, 53 },
		{ NFPROTO_IPV6, IPPROTO_UDP, 5353, 40001 },
		{ NFPROTO_IPV4, IPPROTO_ICMP, 77, ICMP_ECHO << 8 },
		{ NFPROTO_IPV6, IPPROTO_ICMPV6, 78, ICMPV6_ECHO_REQUEST << 8 },
		{ NFPROTO_IPV4, IPPROTO_GRE, 0, 0 },
		{ NFPROTO_IPV4, IPPROTO_UDP, 1000, 2000, true },
		{ NFPROTO_IPV6, IPPROTO_TCP, 2000, 1000, true },
		{ NFPROTO_IPV4, IPPROTO_ICMP, 79, ICMP_ECHO << 8, true },
	};
	struct ctrack_tuple t, inv, other;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		kt_tuple(&t, flows[i].family, flows[i].proto, KT_HOST_A,
			 flows[i].sp, flows[i].self ? KT_HOST_A : KT_HOST_B,
			 flows[i].dp);
		KUNIT_ASSERT_TRUE(test, ctrack_tuple_invert(&inv, &t));
		KUNIT_EXPECT_FALSE(test, ctrack_tuple_eq(&t, &inv));
		KUNIT_EXPECT_EQ_MSG(test, ctrack_tuple_hash(&init_net, &t),
				    ctrack_tuple_hash(&init_net, &inv), "flow %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, ctrack_tuple_is_inverse(&t, &inv), "flow %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, ctrack_tuple_is_inverse(&inv, &t), "flow %u", i);
		KUNIT_EXPECT_FALSE_MSG(test, ctrack_tuple_is_inverse(&t, &t), "flow %u", i);
		if (!flows[i].self || !ctrack_proto_is_icmp(t.proto))
			KUNIT_EXPECT_NE_MSG(test, ctrack_tuple_src_first(&t),
					    ctrack_tuple_src_first(&inv), "flow %u", i);
		/* One field off: an inverse no more. */
		other = inv;
		other.sp.port ^= htons(1);
		KUNIT_EXPECT_FALSE_MSG(test, ctrack_tuple_is_inverse(&t, &other), "flow %u", i);
		other = inv;
		other.proto ^= 1;
		KUNIT_EXPECT_FALSE_MSG(test, ctrack_tuple_is_inverse(&t, &other), "flow %u", i);
	}
}

/*
 * The collector's pace: a scan reports the shortest lifetime left among
 * live entries, and a refresh with a timeout shorter than a pass shortens
 * the pass at once (never below its floor), while a longer one leaves it.
 */
static void tb_gc_pace_test(struct kunit *test)
{
	unsigned long saved = ctrack_gc_pass, left = ULONG_MAX;
	struct ctrack_entry *e[2];
	struct ctrack_tuple t;
	unsigned int cursor = 0;

	tb_tuple(&t, 1000);
	e[0] = tb_insert(test, &t);
	tb_tuple(&t, 1001);
	e[1] = tb_insert(test, &t);
	WRITE_ONCE(ctrack_gc_pass, CTRACK_GC_PASS_MAX);
	ctrack_entry_refresh(e[0], 90 * HZ);
	KUNIT_EXPECT_EQ(test, ctrack_gc_pass, (unsigned long)CTRACK_GC_PASS_MAX);
	ctrack_entry_refresh(e[1], 30 * HZ);
	KUNIT_EXPECT_EQ(test, ctrack_gc_pass, 30UL * HZ);
	ctrack_entry_refresh(e[1], 1);
	KUNIT_EXPECT_EQ(test, ctrack_gc_pass, (unsigned long)CTRACK_GC_PASS_MIN);
	ctrack_entry_refresh(e[1], 20 * HZ);
	KUNIT_EXPECT_EQ(test, ctrack_gc_pass, (unsigned long)CTRACK_GC_PASS_MIN);
	WRITE_ONCE(ctrack_gc_pass, saved);

	KUNIT_EXPECT_EQ(test, ctrack_gc_scan(&cursor, KT_BUCKETS, 100, &left), 0);
	KUNIT_EXPECT_LE(test, left, 20UL * HZ);
	KUNIT_EXPECT_GT(test, left, 19UL * HZ);
}

/*
 * Chains are singly linked and run from the oldest entry to the newest:
 * taking an entry out of the middle, the head or the end of a chain
 * leaves the others findable from both sides.
 */
static void tb_chain_unlink_test(struct kunit *test)
{
	struct ctrack_entry *e[4], *cur;
	struct ctrack_tuple t[4], inv;
	unsigned int b, i;
	u16 sp = 1000;

	tb_tuple(&t[0], sp++);
	b = tb_bucket(&t[0]);
	for (i = 1; i < ARRAY_SIZE(t); i++)
		tb_tuple_in(&t[i], IPPROTO_UDP, &sp, b);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		e[i] = tb_insert(test, &t[i]);
	/* Inserted at the end: the chain is e0 e1 e2 e3. */
	i = 0;
	rcu_read_lock();
	ctrack_chain_for_each(cur, &ctrack_hash[b]) {
		KUNIT_EXPECT_LT(test, i, ARRAY_SIZE(e));
		if (i < ARRAY_SIZE(e))
			KUNIT_EXPECT_PTR_EQ(test, cur, e[i]);
		i++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, i, ARRAY_SIZE(e));
	KUNIT_ASSERT_TRUE(test, ctrack_entry_kill(e[2]));	/* middle */
	KUNIT_ASSERT_TRUE(test, ctrack_entry_kill(e[3]));	/* end */
	KUNIT_ASSERT_TRUE(test, ctrack_entry_kill(e[0]));	/* head */
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ctrack_tuple_invert(&inv, &t[i]);
		tb_expect_found(test, &t[i], i == 1 ? e[1] : NULL, CTRACK_DIR_ORIGINAL);
		tb_expect_found(test, &inv, i == 1 ? e[1] : NULL, CTRACK_DIR_REPLY);
	}
}

/*
 * An entry weighs what it carries: the TCP state only in TCP entries, the
 * counters only with net.ctrack.acct on when it was created.
 */
static void tb_shape_test(struct kunit *test)
{
	struct ctrack_net *cnet = ctrack_pernet(&init_net);
	struct ctrack_entry *e;
	struct ctrack_tuple t;

	cnet->acct = 0;
	tb_tuple_p(&t, IPPROTO_UDP, 1000);
	e = tb_new(test, &t);
	KUNIT_EXPECT_EQ(test, e->shape, 0);
	KUNIT_EXPECT_NULL(test, ctrack_entry_acct(e));
	KUNIT_EXPECT_EQ(test, kmem_cache_size(entry_cache[0]),
			(unsigned int)sizeof(struct ctrack_entry));

	tb_tuple_p(&t, IPPROTO_TCP, 1000);
	e = tb_new(test, &t);
	KUNIT_EXPECT_EQ(test, e->shape, CTRACK_SHAPE_TCP);
	KUNIT_EXPECT_NULL(test, ctrack_entry_acct(e));
	KUNIT_EXPECT_EQ(test, kmem_cache_size(entry_cache[CTRACK_SHAPE_TCP]),
			(unsigned int)(sizeof(struct ctrack_entry) + CTRACK_TCP_TAIL_SIZE));

	cnet->acct = 1;
	tb_tuple_p(&t, IPPROTO_TCP, 1001);
	e = tb_new(test, &t);
	KUNIT_EXPECT_EQ(test, e->shape, CTRACK_SHAPE_TCP | CTRACK_SHAPE_ACCT);
	KUNIT_EXPECT_PTR_EQ(test, (void *)ctrack_entry_acct(e),
			    (void *)((char *)e + sizeof(*e) + CTRACK_TCP_TAIL_SIZE));
	KUNIT_EXPECT_EQ(test, ctrack_entry_acct(e)->packets[CTRACK_DIR_ORIGINAL], 0);
	tb_tuple_p(&t, IPPROTO_UDP, 1001);
	e = tb_new(test, &t);
	KUNIT_EXPECT_EQ(test, e->shape, CTRACK_SHAPE_ACCT);
	KUNIT_EXPECT_PTR_EQ(test, (void *)ctrack_entry_acct(e), (void *)e->tail);
}

static struct kunit_case table_cases[] = {
	KUNIT_CASE(tb_confirm_lookup_test),
	KUNIT_CASE(tb_duplicate_test),
	KUNIT_CASE(tb_kill_test),
	KUNIT_CASE(tb_lazy_expiry_test),
	KUNIT_CASE(tb_expired_tuple_reusable_test),
	KUNIT_CASE(tb_gc_scan_test),
	KUNIT_CASE(tb_max_lowered_test),
	KUNIT_CASE(tb_chain_unlink_test),
	KUNIT_CASE(tb_hash_symmetric_test),
	KUNIT_CASE(tb_gc_pace_test),
	KUNIT_CASE(tb_shape_test),
	KUNIT_CASE(tb_unlimited_test),
	KUNIT_CASE(tb_full_drop_test),
	KUNIT_CASE(tb_early_drop_test),
	KUNIT_CASE(tb_early_drop_oldest_test),
	KUNIT_CASE(tb_early_drop_expired_test),
	KUNIT_CASE(tb_early_drop_tcp_test),
	{}
};

static struct kunit_suite table_suite = {
	.name = "ctrack_table",
	.suite_init = kt_env_suite_init,
	.suite_exit = kt_env_suite_exit,
	.init = kt_env_init,
	.exit = kt_exit,
	.test_cases = table_cases,
};
