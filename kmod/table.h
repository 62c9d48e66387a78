/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_TABLE_H
#define _CTRACK_TABLE_H

#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/jiffies.h>
#include <net/net_namespace.h>

#include "tuple.h"
#include "gc.h"

/* Per-direction TCP window state (the Rooij model). */
struct ctrack_tcp_dir {
	u32 end;	/* max(seq + len) sent */
	u32 maxend;	/* max(ack + window) seen from the peer: right edge */
	u32 maxwin;	/* max(window) advertised */
	u32 maxack;	/* max(ack) sent */
	u8 scale;	/* window scale advertised in the SYN */
	u8 flags;	/* CTRACK_TCP_F_* */
};

struct ctrack_tcp {
	struct ctrack_tcp_dir seen[CTRACK_DIR_MAX];
	/* last packet, to recognise retransmissions */
	u32 last_seq;
	u32 last_ack;
	u32 last_end;
	u16 last_win;
	u8 last_dir;
	u8 last_index;
	u8 state;	/* enum ctrack_tcp_state */
	u8 retrans;
};

/*
 * ctrack_chain_for_each - walk the chain whose head is *@head
 * @e: each entry met
 *
 * Caller holds rcu_read_lock. Entries are freed only after a grace
 * period, so a walker standing on an entry that is removed meanwhile
 * still finds the rest of the chain through it.
 */
#define ctrack_chain_for_each(e, head)					\
	for ((e) = rcu_dereference(*(head)); (e); (e) = rcu_dereference((e)->next))

/* Per-direction counters, present only when accounting is on (net.ctrack.acct). */
struct ctrack_acct {
	u64 packets[CTRACK_DIR_MAX];
	u64 bytes[CTRACK_DIR_MAX];
};

/* What follows struct ctrack_entry in an entry's memory: its shape. */
#define CTRACK_SHAPE_TCP	BIT(0)	/* struct ctrack_tcp */
#define CTRACK_SHAPE_ACCT	BIT(1)	/* then struct ctrack_acct */
#define CTRACK_SHAPES		4

/*
 * One tracked flow. The tuple is stored once, as the original direction;
 * the reply tuple is its inverse (there is no NAT yet). Both directions
 * hash alike (ctrack_tuple_hash()), so an entry is linked once, in one
 * singly linked chain, and found from either side: one pointer an entry,
 * one bucket lock to insert or remove it, chains half as long as with a
 * link per direction.
 *
 * An entry carries only what its flow needs: the TCP window state and the
 * counters are a tail that TCP entries and, with accounting on, counted
 * entries have (one slab cache per shape). A UDP entry is 112 bytes on
 * x86_64.
 *
 * Lifetime: @use counts the table (while CONFIRMED and not DYING) and every
 * verdict slot that refers to the entry. The memory is freed after an RCU
 * grace period once @use drops to zero, so a lockless reader under
 * rcu_read_lock() may look at any entry it finds in a chain.
 */
struct ctrack_entry {
	/* read by every lookup: the link, the tuple and the netns first */
	struct ctrack_entry __rcu *next;
	struct ctrack_tuple tuple;
	possible_net_t net;
	unsigned long status;		/* CTRACK_S_* bits */
	u32 deadline;			/* jiffies; expired when reached */
	refcount_t use;
	u32 mark;
	spinlock_t lock;		/* TCP state, counters */
	/* cold */
	u64 start;			/* creation, real time in ns (to the tick) */
	union {
		/* until confirmed: its flow's hash, from the lookup that missed */
		u32 hash;
		struct rcu_head rcu;	/* once it goes */
	};
	u32 udp_stream_ts;		/* UDP: jiffies after which a replied flow is a stream */
	u8 shape;			/* CTRACK_SHAPE_* */
	/* the tail of the shape, 8-byte aligned */
	u64 tail[];
};

#define CTRACK_TCP_TAIL_SIZE	ALIGN(sizeof(struct ctrack_tcp), sizeof(u64))

/* The TCP state of a TCP entry (only those have one). */
static inline struct ctrack_tcp *ctrack_entry_tcp(const struct ctrack_entry *e)
{
	return (struct ctrack_tcp *)e->tail;
}

/* The counters of @e, or NULL when it was created with accounting off. */
static inline struct ctrack_acct *ctrack_entry_acct(const struct ctrack_entry *e)
{
	if (!(e->shape & CTRACK_SHAPE_ACCT))
		return NULL;
	return (struct ctrack_acct *)((char *)e->tail +
		((e->shape & CTRACK_SHAPE_TCP) ? CTRACK_TCP_TAIL_SIZE : 0));
}

static inline struct net *ctrack_entry_net(const struct ctrack_entry *e)
{
	return read_pnet(&e->net);
}

static inline bool ctrack_entry_expired(const struct ctrack_entry *e)
{
	return (s32)(READ_ONCE(e->deadline) - (u32)jiffies) <= 0;
}

/* Remaining lifetime in jiffies, 0 once expired. */
static inline long ctrack_entry_remaining(const struct ctrack_entry *e)
{
	s32 left = (s32)(READ_ONCE(e->deadline) - (u32)jiffies);

	return left > 0 ? left : 0;
}

/*
 * Written only when it changes (once a jiffy at most): packets of one flow
 * on several CPUs would otherwise bounce the entry's cache line for a
 * value they all agree on.
 */
static inline void ctrack_entry_refresh(struct ctrack_entry *e,
					unsigned long timeout)
{
	u32 deadline = (u32)jiffies + (u32)timeout;

	if (READ_ONCE(e->deadline) != deadline)
		WRITE_ONCE(e->deadline, deadline);
	ctrack_gc_hint(timeout);
}

/* Is @e to be shown in listings of @net? */
static inline bool ctrack_entry_listed(const struct ctrack_entry *e,
				       const struct net *net)
{
	return net_eq(ctrack_entry_net(e), net) &&
	       test_bit(CTRACK_S_CONFIRMED_BIT, &e->status) &&
	       !test_bit(CTRACK_S_DYING_BIT, &e->status) &&
	       !ctrack_entry_expired(e);
}

/*
 * Set status bit @bit of @e; true only for the caller that found it clear,
 * however many CPUs race. Reads first: the bit is usually set already, and
 * a read needs no locked instruction.
 */
static inline bool ctrack_status_set(struct ctrack_entry *e, unsigned int bit)
{
	return !test_bit(bit, &e->status) && !test_and_set_bit(bit, &e->status);
}

/* What packets change in an entry, copied consistently. */
struct ctrack_snapshot {
	struct ctrack_acct acct;	/* zero when the entry does not count */
	struct ctrack_tcp_dir seen[CTRACK_DIR_MAX];	/* TCP only */
	u8 tcp_state;			/* TCP only */
	bool has_acct;
};

void ctrack_entry_snapshot(struct ctrack_entry *e, struct ctrack_snapshot *snap,
			   bool take);
void ctrack_entry_give_back(struct ctrack_entry *e, const struct ctrack_acct *taken);

/* Tuple of direction @dir (the reply tuple is derived). */
void ctrack_entry_tuple(const struct ctrack_entry *e, enum ctrack_dir dir,
			struct ctrack_tuple *t);

extern unsigned int ctrack_hash_size;
extern struct ctrack_entry __rcu **ctrack_hash;
extern int ctrack_tenant_max;
extern atomic_t ctrack_tenant_count;

int ctrack_tenant_ceiling(void);

int ctrack_table_init(void);
void ctrack_table_exit(void);

u32 ctrack_tuple_hash(const struct net *net, const struct ctrack_tuple *t);
struct ctrack_entry *ctrack_lookup_hash(struct net *net, const struct ctrack_tuple *t,
					u32 hash, enum ctrack_dir *dir);

/* ctrack_lookup_hash() for a caller that has no use for the hash. */
static inline struct ctrack_entry *ctrack_lookup(struct net *net,
						 const struct ctrack_tuple *t,
						 enum ctrack_dir *dir)
{
	return ctrack_lookup_hash(net, t, ctrack_tuple_hash(net, t), dir);
}
struct ctrack_entry *ctrack_entry_alloc(struct net *net,
					const struct ctrack_tuple *orig, u32 hash,
					gfp_t gfp);
int ctrack_entry_confirm(struct ctrack_entry *e);
bool ctrack_entry_kill(struct ctrack_entry *e);
void ctrack_entry_put(struct ctrack_entry *e);
unsigned int ctrack_table_flush_net(struct net *net, u8 family);
void ctrack_table_flush_exiting(void);
unsigned int ctrack_gc_scan(unsigned int *cursor, unsigned int buckets,
			    unsigned int budget, unsigned long *left);

#endif /* _CTRACK_TABLE_H */
