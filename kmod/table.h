/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_TABLE_H
#define _CTRACK_TABLE_H

#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/jiffies.h>
#include <net/net_namespace.h>

#include "tuple.h"

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

/* An entry is linked twice: under its original and its reply tuple. */
struct ctrack_hnode {
	struct hlist_node node;
	u8 dir;
};

/*
 * One tracked flow. The tuple is stored once, as the original direction;
 * the reply tuple is its inverse (there is no NAT yet).
 *
 * Lifetime: @use counts the table (while CONFIRMED and not DYING) and every
 * verdict slot that refers to the entry. The memory is freed after an RCU
 * grace period once @use drops to zero, so a lockless reader under
 * rcu_read_lock() may look at any entry it finds in a chain.
 */
struct ctrack_entry {
	/* hot: read by every lookup */
	struct ctrack_hnode hnode[CTRACK_DIR_MAX];
	struct ctrack_tuple tuple;
	possible_net_t net;
	unsigned long status;		/* CTRACK_S_* bits */
	u32 deadline;			/* jiffies; expired when reached */
	refcount_t use;
	/* hot: written by every packet, under @lock */
	spinlock_t lock;
	u32 mark;
	u64 packets[CTRACK_DIR_MAX];
	u64 bytes[CTRACK_DIR_MAX];
	union {
		struct ctrack_tcp tcp;
		u32 udp_stream_ts;	/* jiffies after which a replied flow is a stream */
	} proto;
	/* cold */
	u64 start;			/* ktime_get_real_ns() at creation */
	struct rcu_head rcu;
};

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

static inline void ctrack_entry_refresh(struct ctrack_entry *e,
					unsigned long timeout)
{
	WRITE_ONCE(e->deadline, (u32)jiffies + (u32)timeout);
}

static inline struct ctrack_entry *ctrack_hnode_entry(const struct ctrack_hnode *h)
{
	return container_of(h, struct ctrack_entry, hnode[h->dir]);
}

/*
 * Is @h the node through which listings of @net show its entry? Each live
 * entry is listed once, through its original-direction node.
 */
static inline bool ctrack_hnode_listed(const struct ctrack_hnode *h,
				       const struct net *net)
{
	const struct ctrack_entry *e = ctrack_hnode_entry(h);

	return h->dir == CTRACK_DIR_ORIGINAL &&
	       net_eq(ctrack_entry_net(e), net) &&
	       test_bit(CTRACK_S_CONFIRMED_BIT, &e->status) &&
	       !test_bit(CTRACK_S_DYING_BIT, &e->status) &&
	       !ctrack_entry_expired(e);
}

/* Tuple of direction @dir (the reply tuple is derived). */
void ctrack_entry_tuple(const struct ctrack_entry *e, enum ctrack_dir dir,
			struct ctrack_tuple *t);

extern unsigned int ctrack_hash_size;
extern struct hlist_head *ctrack_hash;

int ctrack_table_init(void);
void ctrack_table_exit(void);

u32 ctrack_tuple_hash(const struct net *net, const struct ctrack_tuple *t);
struct ctrack_entry *ctrack_lookup(struct net *net, const struct ctrack_tuple *t,
				   enum ctrack_dir *dir);
struct ctrack_entry *ctrack_entry_alloc(struct net *net,
					const struct ctrack_tuple *orig,
					gfp_t gfp);
int ctrack_entry_confirm(struct ctrack_entry *e);
bool ctrack_entry_kill(struct ctrack_entry *e);
void ctrack_entry_put(struct ctrack_entry *e);
unsigned int ctrack_table_flush_net(struct net *net, u8 family);
unsigned int ctrack_gc_scan(unsigned int *cursor, unsigned int buckets,
			    unsigned int budget);

#endif /* _CTRACK_TABLE_H */
