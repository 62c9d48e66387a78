// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table: one array of hash buckets shared by all network
 * namespaces (the namespace is part of the hashed key and checked on every
 * hit), sized once at load time from memory, like nf_conntrack's. See
 * Documentation/design.md for why this is not an rhashtable.
 *
 * Both directions of a flow hash alike, so an entry lives in one chain,
 * singly linked. Readers walk chains under RCU and take no lock. Writers
 * take the striped lock of the bucket they change (removal walks the chain
 * for the predecessor; chains are about one entry long). Entries are
 * freed after a grace period (call_rcu), never recycled while readers may
 * see them, so a reader never has to restart a walk and KASAN sees every
 * use-after-free.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/siphash.h>
#include <linux/random.h>
#include <linux/vmalloc.h>
#include <linux/log2.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/memcontrol.h>
#include <net/netns/hash.h>

#include "bh.h"
#include "table.h"
#include "pernet.h"
#include "proto.h"
#include "netlink.h"

/* Slab cache names; the KUnit module, which links this file too, has its own. */
#ifndef CTRACK_CACHE_PREFIX
#define CTRACK_CACHE_PREFIX	"ctrack_"
#endif

#define CTRACK_NLOCKS		1024
#define CTRACK_EARLY_DROP_BUCKETS 8
/* Evictions one new entry may make while other CPUs take the places. */
#define CTRACK_EARLY_DROP_TRIES 4

static unsigned int hashsize;
module_param(hashsize, uint, 0400);
MODULE_PARM_DESC(hashsize, "number of hash buckets (default: sized from memory)");

unsigned int ctrack_hash_size __read_mostly;
struct ctrack_entry __rcu **ctrack_hash __read_mostly;

/*
 * Entries of all tenants' namespaces together (those owned by a user
 * namespace other than the initial one), and their ceiling, writable in
 * init_net (net.ctrack.tenant_max, tenant_count): the buckets are shared,
 * and one tenant must not fill them for all. The host's namespaces are
 * bounded by their own maximum only, so that tenants at the ceiling
 * cannot refuse the host a flow.
 */
int ctrack_tenant_max __read_mostly;
atomic_t ctrack_tenant_count = ATOMIC_INIT(0);

static void count_release(struct ctrack_net *cnet);

/* One cache per shape (CTRACK_SHAPE_*): an entry weighs what it carries. */
static struct kmem_cache *entry_cache[CTRACK_SHAPES] __read_mostly;
static spinlock_t bucket_locks[CTRACK_NLOCKS];

void ctrack_entry_tuple(const struct ctrack_entry *e, enum ctrack_dir dir,
			struct ctrack_tuple *t)
{
	if (dir == CTRACK_DIR_ORIGINAL)
		*t = e->tuple;
	else
		ctrack_tuple_invert(t, &e->tuple);
}

/*
 * ctrack_entry_snapshot - copy what packets change in @e
 * @take: also reset the counters, in the same hold of the lock, so that
 *	every packet is reported once however many readers reset at once
 *
 * Takes e->lock: the TCP state and the counters move under it. Caller
 * holds rcu_read_lock or a reference.
 */
void ctrack_entry_snapshot(struct ctrack_entry *e, struct ctrack_snapshot *snap,
			   bool take)
{
	struct ctrack_acct *acct = ctrack_entry_acct(e);

	memset(snap, 0, sizeof(*snap));
	/* Nothing of the kind: nothing to be consistent with. */
	if (!(e->shape & (CTRACK_SHAPE_TCP | CTRACK_SHAPE_ACCT)))
		return;
	spin_lock_bh(&e->lock);
	if (acct) {
		snap->acct = *acct;
		snap->has_acct = true;
		if (take)
			memset(acct, 0, sizeof(*acct));
	}
	if (e->shape & CTRACK_SHAPE_TCP) {
		const struct ctrack_tcp *tcp = ctrack_entry_tcp(e);

		memcpy(snap->seen, tcp->seen, sizeof(snap->seen));
		snap->tcp_state = tcp->state;
	}
	spin_unlock_bh(&e->lock);
}

/*
 * ctrack_entry_give_back - add @taken, counters a snapshot took, back to
 * @e's: the report that was to carry them was not sent
 */
void ctrack_entry_give_back(struct ctrack_entry *e, const struct ctrack_acct *taken)
{
	struct ctrack_acct *acct = ctrack_entry_acct(e);
	int d;

	if (!acct)
		return;
	spin_lock_bh(&e->lock);
	for (d = 0; d < CTRACK_DIR_MAX; d++) {
		acct->packets[d] += taken->packets[d];
		acct->bytes[d] += taken->bytes[d];
	}
	spin_unlock_bh(&e->lock);
}

/*
 * The hash of a flow, the same from either direction: the key is the
 * flow's two ends in a fixed order (ctrack_tuple_src_first()), then its
 * ports, ICMP identifier and type (ctrack_tuple_icmp_key()), protocol, and
 * the namespace's mix.
 *
 * SipHash under a random 128-bit key, so that nobody can aim tuples at a
 * bucket: on 64-bit machines hsiphash(), which there is SipHash-1-3, the
 * variant Rust's and CPython's hash tables use against the same flooding
 * (SipHash-2-4 costs two thirds more, and the packet path pays for one
 * hash a packet). 32-bit machines, where hsiphash() is the weaker
 * HalfSipHash, keep SipHash-2-4.
 *
 * The namespace goes into the hashed input, not onto its result: mixed in
 * afterwards it would only renumber the buckets, so that tuples found to
 * collide in one namespace (a tenant can time its own lookups, or read
 * the order of its dumps) would collide in every other one, init_net's
 * included. Hashed, each namespace has buckets of its own making. An IPv4
 * key is five words: the same two SipHash compression rounds as four, the
 * fifth word rides in the final block.
 */
#if BITS_PER_LONG == 64
#define flow_hash_mem	hsiphash
static hsiphash_key_t hash_key __read_mostly;
#else
#define flow_hash_mem(data, len, key)	((u32)siphash(data, len, key))
static siphash_key_t hash_key __read_mostly;
#endif

static u32 flow_hash(const struct net *net, const struct ctrack_tuple *t)
{
	bool fwd = ctrack_tuple_src_first(t);
	const union nf_inet_addr *a = fwd ? &t->src : &t->dst;
	const union nf_inet_addr *z = fwd ? &t->dst : &t->src;
	u32 key[11] __aligned(8), ports;

	if (ctrack_proto_is_icmp(t->proto))
		ports = (u32)(__force u16)t->sp.id << 16 |
			ctrack_tuple_icmp_key(t) << 8 | t->dp.icmp.code;
	else if (fwd)
		ports = (u32)(__force u16)t->sp.port << 16 | (__force u16)t->dp.port;
	else
		ports = (u32)(__force u16)t->dp.port << 16 | (__force u16)t->sp.port;

	if (t->l3num == NFPROTO_IPV4) {
		key[0] = (__force u32)a->ip;
		key[1] = (__force u32)z->ip;
		key[2] = ports;
		key[3] = t->proto;
		key[4] = net_hash_mix(net);
		return flow_hash_mem(key, 5 * sizeof(u32), &hash_key);
	}
	memcpy(&key[0], a, sizeof(*a));
	memcpy(&key[4], z, sizeof(*z));
	key[8] = ports;
	key[9] = t->proto;
	key[10] = net_hash_mix(net);
	return flow_hash_mem(key, sizeof(key), &hash_key);
}

/* ctrack_tuple_hash - the hash of @t's flow in @net, either direction alike */
u32 ctrack_tuple_hash(const struct net *net, const struct ctrack_tuple *t)
{
	return flow_hash(net, t);
}

static unsigned int bucket_of(u32 hash)
{
	return reciprocal_scale(hash, ctrack_hash_size);
}

static unsigned int entry_bucket(const struct ctrack_entry *e)
{
	return bucket_of(ctrack_tuple_hash(ctrack_entry_net(e), &e->tuple));
}

static spinlock_t *lock_of(unsigned int bucket)
{
	return &bucket_locks[bucket % CTRACK_NLOCKS];
}

/*
 * With BHs off (OUTPUT may run in task context); returns what
 * unlock_bucket() needs to restore them.
 */
static bool lock_bucket(unsigned int b)
	__acquires(bucket_locks)
{
	bool bh = ctrack_bh_off();

	spin_lock(lock_of(b));
	return bh;
}

static void unlock_bucket(unsigned int b, bool bh)
	__releases(bucket_locks)
{
	spin_unlock(lock_of(b));
	ctrack_bh_restore(bh);
}

/* Which direction of @e carries tuple @t? CTRACK_DIR_MAX for neither. */
static __always_inline enum ctrack_dir
entry_dir_of(const struct ctrack_entry *e, const struct ctrack_tuple *t)
{
	if (ctrack_tuple_eq(&e->tuple, t))
		return CTRACK_DIR_ORIGINAL;
	if (ctrack_tuple_is_inverse(&e->tuple, t))
		return CTRACK_DIR_REPLY;
	return CTRACK_DIR_MAX;
}

static void entry_free_rcu(struct rcu_head *head)
{
	struct ctrack_entry *e = container_of(head, struct ctrack_entry, rcu);

	kmem_cache_free(entry_cache[e->shape], e);
}

/*
 * Link @e at the end of a chain: *@tail is the chain's last link (NULL),
 * as tuple_taken() found it. Bucket locked.
 *
 * At the end rather than the head: a chain then runs from its oldest
 * entry to its newest, and the flows that live long (and carry most
 * packets) are met before the ones that come and go, a flood of new
 * tuples included. The insert walks the whole chain for duplicates
 * anyway, so the end costs nothing to find.
 */
static void chain_add_tail(struct ctrack_entry *e, struct ctrack_entry __rcu **tail)
{
	RCU_INIT_POINTER(e->next, NULL);
	/* Publish: a walker that finds @e sees it complete. */
	rcu_assign_pointer(*tail, e);
}

/*
 * Unlink @e from bucket @b. Bucket locked. Walkers standing on @e go on
 * through its link, which keeps its value.
 */
static void chain_del(struct ctrack_entry *e, unsigned int b)
{
	struct ctrack_entry __rcu **pp = &ctrack_hash[b];
	struct ctrack_entry *cur;

	while ((cur = rcu_dereference_protected(*pp, lockdep_is_held(lock_of(b)))) != e) {
		if (WARN_ON_ONCE(!cur))
			return;
		pp = &cur->next;
	}
	/* The successor was published with @e: no new ordering needed. */
	RCU_INIT_POINTER(*pp, rcu_dereference_protected(e->next,
				lockdep_is_held(lock_of(b))));
}

/*
 * net.ctrack.count counts entries in the table plus unconfirmed ones
 * waiting for their confirm hook: an entry leaves the count when it
 * leaves the table (ctrack_entry_kill), or when it is freed if it never
 * got in. Verdict slots may keep a killed entry's memory a little longer;
 * that does not take a place in the table.
 */
void ctrack_entry_put(struct ctrack_entry *e)
{
	if (!refcount_dec_and_test(&e->use))
		return;
	if (!test_bit(CTRACK_S_CONFIRMED_BIT, &e->status))
		count_release(ctrack_pernet(ctrack_entry_net(e)));
	call_rcu(&e->rcu, entry_free_rcu);
}

/*
 * ctrack_entry_kill - take @e out of the table
 *
 * Safe against concurrent kills: only the first caller unlinks and drops
 * the table's reference. Returns true for that caller. Callers that may
 * run while the last reference goes hold rcu_read_lock or a reference.
 */
bool ctrack_entry_kill(struct ctrack_entry *e)
{
	unsigned int b;
	bool bh;

	if (test_and_set_bit(CTRACK_S_DYING_BIT, &e->status))
		return false;
	if (!test_bit(CTRACK_S_CONFIRMED_BIT, &e->status))
		return true;	/* never inserted: its owner's put frees it */
	b = entry_bucket(e);
	bh = lock_bucket(b);
	chain_del(e, b);
	unlock_bucket(b, bh);
	count_release(ctrack_pernet(ctrack_entry_net(e)));
	ctrack_event(e, CTRACK_EV_DESTROY);
	ctrack_entry_put(e);
	return true;
}

static void kill_expired(struct ctrack_entry *e)
{
	if (ctrack_entry_kill(e))
		CTRACK_STAT_INC(ctrack_pernet(ctrack_entry_net(e)), CTRACK_STAT_EXPIRED);
}

/*
 * ctrack_lookup_hash - find the live entry that has tuple @t in @net
 * @hash: ctrack_tuple_hash(@net, @t), which a miss passes on to
 *	ctrack_entry_alloc()
 * @dir: set to the direction @t has in the entry
 *
 * Caller holds rcu_read_lock. Returns the entry with a reference taken,
 * or NULL. Expired entries met on the way are removed (lazy expiry).
 */
struct ctrack_entry *ctrack_lookup_hash(struct net *net, const struct ctrack_tuple *t,
					u32 hash, enum ctrack_dir *dir)
{
	unsigned int b = bucket_of(hash);
	struct ctrack_entry *e;
	enum ctrack_dir d;

	ctrack_chain_for_each(e, &ctrack_hash[b]) {
		d = entry_dir_of(e, t);
		if (d == CTRACK_DIR_MAX || !net_eq(ctrack_entry_net(e), net))
			continue;
		if (test_bit(CTRACK_S_DYING_BIT, &e->status))
			continue;
		if (ctrack_entry_expired(e)) {
			kill_expired(e);
			continue;
		}
		if (!refcount_inc_not_zero(&e->use))
			continue;
		*dir = d;
		return e;
	}
	return NULL;
}

/* Which entries may go when the table is full: never an ASSURED flow,
 * except a TCP one that is closing once the table is nearly full.
 */
static bool evictable(const struct ctrack_entry *e, bool nearly_full)
{
	u8 state;

	if (!test_bit(CTRACK_S_ASSURED_BIT, &e->status))
		return true;
	if (!nearly_full || e->tuple.proto != IPPROTO_TCP)
		return false;
	state = READ_ONCE(ctrack_entry_tcp(e)->state);
	return state >= CTRACK_TCP_FIN_WAIT && state <= CTRACK_TCP_CLOSE;
}

/* Evict one entry of @net from the buckets near @hash. */
static bool early_drop(struct net *net, u32 hash, bool nearly_full)
{
	unsigned int b = bucket_of(hash), i;
	bool done = false;

	rcu_read_lock();
	for (i = 0; i < CTRACK_EARLY_DROP_BUCKETS && !done; i++) {
		unsigned int idx = (b + i) % ctrack_hash_size;
		struct ctrack_entry *e;

		ctrack_chain_for_each(e, &ctrack_hash[idx]) {
			if (!net_eq(ctrack_entry_net(e), net) ||
			    test_bit(CTRACK_S_DYING_BIT, &e->status))
				continue;
			if (!ctrack_entry_expired(e) && !evictable(e, nearly_full))
				continue;
			if (ctrack_entry_kill(e)) {
				done = true;
				break;
			}
		}
	}
	rcu_read_unlock();
	return done;
}

/* Take one place of @count's @max (0: no limit), if one is free. */
static bool place_take(atomic_t *count, unsigned int max)
{
	int c;

	if (!max) {
		atomic_inc(count);
		return true;
	}
	c = atomic_read(count);
	do {
		if ((unsigned int)c >= max)
			return false;
	} while (!atomic_try_cmpxchg(count, &c, c + 1));
	return true;
}

/*
 * A place in @cnet's table and, for a tenant's namespace, one of the
 * host's net.ctrack.tenant_max. A tenant's maximum also follows
 * init_net's when the host lowers that below the tenant's own.
 */
static bool count_reserve(struct ctrack_net *cnet)
{
	unsigned int max = READ_ONCE(cnet->max);

	if (!cnet->tenant)
		return place_take(&cnet->count, max);
	max = min_not_zero(max, (unsigned int)ctrack_tenant_ceiling());
	if (!place_take(&cnet->count, max))
		return false;
	if (place_take(&ctrack_tenant_count, READ_ONCE(ctrack_tenant_max)))
		return true;
	atomic_dec(&cnet->count);
	return false;
}

/* Give back the place count_reserve() took. */
static void count_release(struct ctrack_net *cnet)
{
	atomic_dec(&cnet->count);
	if (cnet->tenant)
		atomic_dec(&ctrack_tenant_count);
}

/*
 * ctrack_tenant_ceiling - the most entries one tenant's namespace may
 * hold: init_net's maximum, or net.ctrack.tenant_max when init_net has
 * none or a larger one
 */
int ctrack_tenant_ceiling(void)
{
	int host = READ_ONCE(ctrack_pernet(&init_net)->max);
	int all = READ_ONCE(ctrack_tenant_max);

	return host ? min(host, all) : all;
}

/*
 * The slab object, charged to @cnet's memory cgroup when it has one: in
 * softirq there is no task whose cgroup the kernel could take, so the
 * namespace's is named for the allocation.
 */
static struct ctrack_entry *entry_mem_alloc(struct ctrack_net *cnet, u8 shape,
					    gfp_t gfp)
{
	struct mem_cgroup *old;
	struct ctrack_entry *e;

	if (!cnet->memcg)
		return kmem_cache_zalloc(entry_cache[shape], gfp);
	old = set_active_memcg(cnet->memcg);
	e = kmem_cache_zalloc(entry_cache[shape], gfp | __GFP_ACCOUNT);
	set_active_memcg(old);
	return e;
}

/*
 * ctrack_entry_alloc - a new, unconfirmed entry for @orig in @net
 * @hash: ctrack_tuple_hash(@net, @orig): where to evict, and to insert
 *	at confirm
 *
 * Enforces net.ctrack.max (and, for a tenant, net.ctrack.tenant_max):
 * when full, evicts a non-ASSURED neighbour of the same namespace or
 * fails with -ENOSPC (the caller drops the packet and counts it).
 * Any context that @gfp allows. The entry comes with one reference.
 */
struct ctrack_entry *ctrack_entry_alloc(struct net *net,
					const struct ctrack_tuple *orig, u32 hash,
					gfp_t gfp)
{
	struct ctrack_net *cnet = ctrack_pernet(net);
	unsigned int tries = 0;
	struct ctrack_entry *e;
	u8 shape = 0;

	/*
	 * Evict first, then take the freed place: the count never shows
	 * more than max, not even for a moment. Other CPUs may take the
	 * place first; a few rounds, then give up.
	 */
	while (!count_reserve(cnet)) {
		if (tries++ == CTRACK_EARLY_DROP_TRIES ||
		    !early_drop(net, hash, true)) {
			CTRACK_STAT_INC(cnet, CTRACK_STAT_DROP);
			return ERR_PTR(-ENOSPC);
		}
		CTRACK_STAT_INC(cnet, CTRACK_STAT_EARLY_DROP);
	}

	if (orig->proto == IPPROTO_TCP)
		shape |= CTRACK_SHAPE_TCP;
	if (READ_ONCE(cnet->acct))
		shape |= CTRACK_SHAPE_ACCT;
	e = entry_mem_alloc(cnet, shape, gfp);
	if (!e) {
		count_release(cnet);
		CTRACK_STAT_INC(cnet, CTRACK_STAT_ERROR);
		return ERR_PTR(-ENOMEM);
	}
	e->shape = shape;
	e->tuple = *orig;
	e->hash = hash;
	write_pnet(&e->net, net);
	spin_lock_init(&e->lock);
	refcount_set(&e->use, 1);
	/* The tick's time: no clock read for every new flow. */
	e->start = ktime_get_coarse_real_ns();
	return e;
}

/*
 * Is a live entry of @net already using tuple @t, in either direction, in
 * bucket @b? If not, *@tail is set to the chain's last link, where a new
 * entry goes. Bucket locked.
 */
static bool tuple_taken(struct net *net, unsigned int b,
			const struct ctrack_tuple *t,
			struct ctrack_entry __rcu ***tail)
{
	struct ctrack_entry __rcu **pp = &ctrack_hash[b];
	struct ctrack_entry *e;

	while ((e = rcu_dereference_protected(*pp, lockdep_is_held(lock_of(b))))) {
		if (net_eq(ctrack_entry_net(e), net) &&
		    entry_dir_of(e, t) != CTRACK_DIR_MAX &&
		    !ctrack_entry_expired(e))
			return true;
		pp = &e->next;
	}
	*tail = pp;
	return false;
}

/*
 * ctrack_entry_confirm - insert an unconfirmed entry into the table
 *
 * Fails with -EEXIST when another CPU confirmed an entry for the same flow
 * first (the packet still passes; its entry is simply not kept).
 * The caller keeps its own reference; the table takes one more.
 */
int ctrack_entry_confirm(struct ctrack_entry *e)
{
	struct net *net = ctrack_entry_net(e);
	struct ctrack_net *cnet = ctrack_pernet(net);
	unsigned int b = bucket_of(e->hash);
	struct ctrack_entry __rcu **tail;
	bool bh;

	bh = lock_bucket(b);
	if (test_bit(CTRACK_S_DYING_BIT, &e->status) ||
	    test_bit(CTRACK_S_CONFIRMED_BIT, &e->status)) {
		unlock_bucket(b, bh);
		return -EINVAL;
	}
	if (tuple_taken(net, b, &e->tuple, &tail)) {
		unlock_bucket(b, bh);
		CTRACK_STAT_INC(cnet, CTRACK_STAT_INSERT_FAILED);
		return -EEXIST;
	}
	refcount_inc(&e->use);
	set_bit(CTRACK_S_CONFIRMED_BIT, &e->status);
	chain_add_tail(e, tail);
	unlock_bucket(b, bh);
	CTRACK_STAT_INC(cnet, CTRACK_STAT_INSERT);
	ctrack_event(e, CTRACK_EV_NEW);
	return 0;
}

/* Which entries a walk of the whole table kills. */
struct kill_filter {
	const struct net *net;	/* only this namespace's; NULL: any */
	u8 family;		/* only this family's; 0: any */
	bool exiting;		/* only namespaces on their way out */
};

static bool kill_match(const struct ctrack_entry *e, const struct kill_filter *f)
{
	if (f->net && !net_eq(ctrack_entry_net(e), f->net))
		return false;
	if (f->family && e->tuple.l3num != f->family)
		return false;
	return !f->exiting || ctrack_net_exiting(ctrack_entry_net(e));
}

/* Kill every entry that @f matches. Returns how many this call killed. */
static unsigned int kill_all(const struct kill_filter *f)
{
	unsigned int b, n = 0;

	for (b = 0; b < ctrack_hash_size; b++) {
		struct ctrack_entry *e;

		rcu_read_lock();
		ctrack_chain_for_each(e, &ctrack_hash[b]) {
			if (kill_match(e, f))
				n += ctrack_entry_kill(e);
		}
		rcu_read_unlock();
		cond_resched();
	}
	return n;
}

/*
 * ctrack_table_flush_net - kill @net's entries of @family (0: all)
 *
 * Process context. New entries of @net may appear meanwhile unless its
 * hooks are gone. Returns how many entries were killed.
 */
unsigned int ctrack_table_flush_net(struct net *net, u8 family)
{
	struct kill_filter f = { .net = net, .family = family };

	return kill_all(&f);
}

/*
 * ctrack_table_flush_exiting - kill the entries of every namespace whose
 * exit has begun (ctrack_net_exiting()), in one walk
 *
 * Process context, after those namespaces' hooks are gone.
 */
void ctrack_table_flush_exiting(void)
{
	struct kill_filter f = { .exiting = true };

	kill_all(&f);
}

/*
 * ctrack_gc_scan - expire entries in up to @buckets buckets from *@cursor
 * @left: if not NULL, lowered to the shortest lifetime left (jiffies) of
 *        the live entries seen
 *
 * Stops early after @budget expirations, so that one pass cannot turn
 * into a burst. Returns the number of entries expired; advances *@cursor
 * (wrapping to 0 at the end of the table). Process context.
 */
unsigned int ctrack_gc_scan(unsigned int *cursor, unsigned int buckets,
			    unsigned int budget, unsigned long *left)
{
	unsigned int b = *cursor, done = 0, expired = 0;

	rcu_read_lock();
	while (done < buckets && expired < budget) {
		struct ctrack_entry *e;

		ctrack_chain_for_each(e, &ctrack_hash[b]) {
			long remaining = ctrack_entry_remaining(e);

			if (remaining) {
				if (left && (unsigned long)remaining < *left)
					*left = remaining;
				continue;
			}
			if (ctrack_entry_kill(e)) {
				CTRACK_STAT_INC(ctrack_pernet(ctrack_entry_net(e)),
						CTRACK_STAT_EXPIRED);
				expired++;
			}
		}
		done++;
		if (++b >= ctrack_hash_size)
			b = 0;
	}
	rcu_read_unlock();
	*cursor = b;
	return expired;
}

static size_t shape_size(u8 shape)
{
	size_t size = sizeof(struct ctrack_entry);

	if (shape & CTRACK_SHAPE_TCP)
		size += CTRACK_TCP_TAIL_SIZE;
	if (shape & CTRACK_SHAPE_ACCT)
		size += sizeof(struct ctrack_acct);
	return size;
}

/*
 * Not cache-line aligned: a UDP entry would grow from 112 bytes to 128,
 * and a lookup reads the link, the tuple, the netns and the status, the
 * first 64 bytes, wherever the entry starts.
 */
static int create_caches(void)
{
	static const char *const names[CTRACK_SHAPES] = {
		CTRACK_CACHE_PREFIX "entry", CTRACK_CACHE_PREFIX "entry_tcp",
		CTRACK_CACHE_PREFIX "entry_acct", CTRACK_CACHE_PREFIX "entry_tcp_acct",
	};
	u8 shape;

	BUILD_BUG_ON(CTRACK_SHAPES != (CTRACK_SHAPE_TCP | CTRACK_SHAPE_ACCT) + 1);
	for (shape = 0; shape < CTRACK_SHAPES; shape++) {
		entry_cache[shape] = kmem_cache_create(names[shape],
						       shape_size(shape),
						       sizeof(u64), 0, NULL);
		if (!entry_cache[shape])
			return -ENOMEM;
	}
	return 0;
}

static void destroy_caches(void)
{
	u8 shape;

	for (shape = 0; shape < CTRACK_SHAPES; shape++) {
		kmem_cache_destroy(entry_cache[shape]);
		entry_cache[shape] = NULL;
	}
}

static unsigned int default_hash_size(void)
{
	unsigned long pages = totalram_pages();
	unsigned long n;

	/* nf_conntrack's rule: 1/16384 of memory in buckets, 1024..262144. */
	n = (pages << PAGE_SHIFT) / 16384 / sizeof(*ctrack_hash);
	n = clamp(n, 1024UL, 262144UL);
	return rounddown_pow_of_two(n);
}

int ctrack_table_init(void)
{
	unsigned int i;

	ctrack_hash_size = hashsize ? clamp(hashsize, 16U, 1U << 24) :
				      default_hash_size();
	/* Tenants together: twice the buckets, chains of two on average. */
	ctrack_tenant_max = 2 * ctrack_hash_size;
	ctrack_hash = kvcalloc(ctrack_hash_size, sizeof(*ctrack_hash), GFP_KERNEL);
	if (!ctrack_hash)
		return -ENOMEM;
	for (i = 0; i < CTRACK_NLOCKS; i++)
		spin_lock_init(&bucket_locks[i]);
	get_random_bytes(&hash_key, sizeof(hash_key));
	if (create_caches()) {
		destroy_caches();
		kvfree(ctrack_hash);
		return -ENOMEM;
	}
	pr_info("%u buckets, %zu bytes per entry (%zu with TCP state)\n",
		ctrack_hash_size, shape_size(0), shape_size(CTRACK_SHAPE_TCP));
	return 0;
}

/* Every netns is gone (pernet exit ran for all): free what remains. */
void ctrack_table_exit(void)
{
	struct kill_filter all = { };

	kill_all(&all);
	rcu_barrier();	/* all entry_free_rcu() callbacks have run */
	destroy_caches();
	kvfree(ctrack_hash);
}
