// SPDX-License-Identifier: GPL-2.0
/*
 * What the suites share: a per-test context that frees whatever a test
 * allocated (even when an assertion ends it early), a packet builder for
 * crafted skbs, and the environment of the suites that need the table.
 *
 * Addresses: host N is 192.0.2.N or 2001:db8::N. The originator of every
 * flow is host 1, the responder host 2; host 3 is a bystander.
 */
#include <net/tcp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>

#define KT_HOST_A	1
#define KT_HOST_B	2
#define KT_HOST_C	3

#define KT_MAX_SKBS	256
#define KT_MAX_REFS	32
#define KT_FRAME_MAX	2048
#define KT_HEADROOM	64
#define KT_BUCKETS	64	/* small: tests place tuples in chosen buckets */

struct kt_frame {
	u8 b[KT_FRAME_MAX];
	unsigned int len;
	bool overflow;
};

struct kt_ctx {
	struct kt_frame frame;			/* scratch for kt_frame() */
	struct sk_buff *skb[KT_MAX_SKBS];
	unsigned int nskb;
	struct ctrack_entry *ref[KT_MAX_REFS];	/* references the test holds */
	unsigned int nref;
	bool env;				/* table and pernet state in use */
};

static struct kt_ctx *kt_ctx(struct kunit *test)
{
	return test->priv;
}

/* The test's scratch frame, emptied. */
static struct kt_frame *kt_frame(struct kunit *test)
{
	struct kt_frame *f = &kt_ctx(test)->frame;

	f->len = 0;
	f->overflow = false;
	return f;
}

static int kt_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct kt_ctx), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

/*
 * The knobs as a fresh namespace has them (pernet.c), but for counting:
 * on, since the tests read counters.
 */
static void kt_cnet_defaults(struct ctrack_net *cnet)
{
	cnet->max = 0;
	cnet->checksum = 1;
	cnet->acct = 1;
	cnet->tcp_loose = 1;
	cnet->tcp_be_liberal = 0;
	cnet->tcp_max_retrans = 3;
	memcpy(cnet->timeouts, default_timeouts, sizeof(cnet->timeouts));
}

static void kt_exit(struct kunit *test)
{
	struct kt_ctx *ctx = kt_ctx(test);
	unsigned int i;

	for (i = 0; i < ctx->nref; i++)
		ctrack_entry_put(ctx->ref[i]);
	ctx->nref = 0;
	for (i = 0; i < ctx->nskb; i++)
		kfree_skb(ctx->skb[i]);
	ctx->nskb = 0;
	if (ctx->env) {
		ctrack_verdict_release(NULL);
		ctrack_table_flush_net(&init_net, 0);
		/* Nothing of this test stays in the table or the count. */
		KUNIT_EXPECT_EQ(test, atomic_read(&ctrack_pernet(&init_net)->count), 0);
		kt_cnet_defaults(ctrack_pernet(&init_net));
	}
}

/*
 * A bare entry of @shape (CTRACK_SHAPE_*), outside any table, freed with
 * the test: for code that only looks at one.
 */
static struct ctrack_entry *kt_bare_entry(struct kunit *test, u8 shape)
{
	struct ctrack_entry *e = kunit_kzalloc(test, shape_size(shape), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->shape = shape;
	spin_lock_init(&e->lock);
	refcount_set(&e->use, 1);
	return e;
}

/* Keep a reference until the test ends. */
static void kt_hold(struct kunit *test, struct ctrack_entry *e)
{
	struct kt_ctx *ctx = kt_ctx(test);

	if (ctx->nref >= KT_MAX_REFS) {
		ctrack_entry_put(e);
		KUNIT_ASSERT_FAILURE(test, "too many held references");
	}
	ctx->ref[ctx->nref++] = e;
}

/* Give back one reference taken with kt_hold() now. */
static void kt_drop(struct kunit *test, struct ctrack_entry *e)
{
	struct kt_ctx *ctx = kt_ctx(test);
	unsigned int i;

	for (i = 0; i < ctx->nref; i++) {
		if (ctx->ref[i] == e) {
			ctx->ref[i] = ctx->ref[--ctx->nref];
			ctrack_entry_put(e);
			return;
		}
	}
	KUNIT_FAIL(test, "dropping a reference the test does not hold");
}

/* --- environment: table, verdict rings, per-netns state ------------------ */

/*
 * Our own pernet operations, with the module's id and size but none of its
 * side effects (no hooks, sysctls or /proc files): they give every netns a
 * struct ctrack_net that ctrack_pernet() finds.
 */
static int __net_init kt_net_init(struct net *net)
{
	struct ctrack_net *cnet = ctrack_pernet(net);

	atomic_set(&cnet->count, 0);
	kt_cnet_defaults(cnet);
	cnet->stats = alloc_percpu(struct ctrack_stats);
	return cnet->stats ? 0 : -ENOMEM;
}

static void __net_exit kt_net_exit(struct net *net)
{
	free_percpu(ctrack_pernet(net)->stats);
}

static struct pernet_operations kt_net_ops = {
	.init = kt_net_init,
	.exit = kt_net_exit,
	.id = &ctrack_net_id,
	.size = sizeof(struct ctrack_net),
};

static int kt_env_suite_init(struct kunit_suite *suite)
{
	int err;

	hashsize = KT_BUCKETS;
	err = ctrack_table_init();
	if (err)
		return err;
	err = ctrack_verdict_init();
	if (err)
		goto err_table;
	err = register_pernet_subsys(&kt_net_ops);
	if (err)
		goto err_verdict;
	return 0;

err_verdict:
	ctrack_verdict_exit();
err_table:
	ctrack_table_exit();
	return err;
}

static void kt_env_suite_exit(struct kunit_suite *suite)
{
	ctrack_verdict_exit();
	ctrack_table_exit();	/* kills what is left, waits for the frees */
	unregister_pernet_subsys(&kt_net_ops);
}

static int kt_env_init(struct kunit *test)
{
	int err = kt_init(test);

	if (err)
		return err;
	kt_ctx(test)->env = true;
	kt_cnet_defaults(ctrack_pernet(&init_net));
	return 0;
}

static unsigned int kt_stat(enum ctrack_stat what)
{
	struct ctrack_net *cnet = ctrack_pernet(&init_net);
	unsigned int sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(cnet->stats, cpu)->c[what];
	return sum;
}

/* --- crafted packets ----------------------------------------------------- */

/* Append @n zero bytes; returns where they start. */
static void *kt_put(struct kt_frame *f, unsigned int n)
{
	static u8 scratch[KT_FRAME_MAX];
	void *p;

	if (n > KT_FRAME_MAX - f->len) {
		f->overflow = true;
		return memset(scratch, 0, sizeof(scratch));
	}
	p = f->b + f->len;
	memset(p, 0, n);
	f->len += n;
	return p;
}

static void kt_addr(u8 family, int host, union nf_inet_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == NFPROTO_IPV4) {
		a->ip = htonl(0xc0000200 | host);
	} else {
		a->in6.s6_addr[0] = 0x20;
		a->in6.s6_addr[1] = 0x01;
		a->in6.s6_addr[2] = 0x0d;
		a->in6.s6_addr[3] = 0xb8;
		a->in6.s6_addr[15] = host;
	}
}

/* An IPv4 or IPv6 header from host @src to host @dst; returns its offset. */
static unsigned int kt_ip(struct kt_frame *f, u8 family, u8 proto, int src,
			  int dst)
{
	unsigned int off = f->len;
	union nf_inet_addr s, d;

	kt_addr(family, src, &s);
	kt_addr(family, dst, &d);
	if (family == NFPROTO_IPV4) {
		struct iphdr *iph = kt_put(f, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->protocol = proto;
		iph->saddr = s.ip;
		iph->daddr = d.ip;
	} else {
		struct ipv6hdr *ip6h = kt_put(f, sizeof(*ip6h));

		ip6h->version = 6;
		ip6h->hop_limit = 64;
		ip6h->nexthdr = proto;
		ip6h->saddr = s.in6;
		ip6h->daddr = d.in6;
	}
	return off;
}

/* Set the L3 length field of the header at @off to cover the frame's end. */
static void kt_ip_done(struct kt_frame *f, u8 family, unsigned int off)
{
	if (family == NFPROTO_IPV4) {
		struct iphdr *iph = (struct iphdr *)(f->b + off);

		iph->tot_len = htons(f->len - off);
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(f->b + off);

		ip6h->payload_len = htons(f->len - off - sizeof(*ip6h));
	}
}

/* A TCP header with @optlen (a multiple of 4) option bytes and @datalen bytes. */
static unsigned int kt_tcp(struct kt_frame *f, u16 sp, u16 dp, u32 seq, u32 ack,
			   u8 flags, u16 win, const u8 *opt, unsigned int optlen,
			   unsigned int datalen)
{
	unsigned int off = f->len;
	struct tcphdr *th = kt_put(f, sizeof(*th) + optlen);

	th->source = htons(sp);
	th->dest = htons(dp);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = (sizeof(*th) + optlen) / 4;
	((u8 *)th)[13] = flags;
	th->window = htons(win);
	if (optlen)
		memcpy(th + 1, opt, optlen);
	kt_put(f, datalen);
	return off;
}

static unsigned int kt_udp(struct kt_frame *f, u16 sp, u16 dp,
			   unsigned int datalen)
{
	unsigned int off = f->len;
	struct udphdr *uh = kt_put(f, sizeof(*uh));

	uh->source = htons(sp);
	uh->dest = htons(dp);
	uh->len = htons(sizeof(*uh) + datalen);
	kt_put(f, datalen);
	return off;
}

/* ICMP or ICMPv6 header: type, code, checksum, identifier, sequence. */
static unsigned int kt_icmp(struct kt_frame *f, u8 type, u8 code, u16 id)
{
	unsigned int off = f->len;
	u8 *h = kt_put(f, 8);

	h[0] = type;
	h[1] = code;
	put_unaligned_be16(id, h + 4);
	put_unaligned_be16(1, h + 6);
	return off;
}

/* An skb holding the frame, network header at its start; freed at exit. */
static struct sk_buff *kt_skb(struct kunit *test, const struct kt_frame *f,
			      u8 family)
{
	struct kt_ctx *ctx = kt_ctx(test);
	struct sk_buff *skb;

	KUNIT_ASSERT_FALSE_MSG(test, f->overflow, "crafted frame too long");
	KUNIT_ASSERT_LT(test, ctx->nskb, KT_MAX_SKBS);
	skb = alloc_skb(KT_HEADROOM + f->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	ctx->skb[ctx->nskb++] = skb;
	skb_reserve(skb, KT_HEADROOM);
	skb_put_data(skb, f->b, f->len);
	skb_reset_network_header(skb);
	skb->protocol = htons(family == NFPROTO_IPV4 ? ETH_P_IP : ETH_P_IPV6);
	return skb;
}

static enum ctrack_parse_res kt_parse(const struct sk_buff *skb, u8 family,
				      struct ctrack_pkt *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	return ctrack_tuple_parse(skb, skb_network_offset(skb), family, pkt);
}

/* The tuple of a flow from host @src:@sp to host @dst:@dp. */
static void kt_tuple(struct ctrack_tuple *t, u8 family, u8 proto, int src,
		     u16 sp, int dst, u16 dp)
{
	memset(t, 0, sizeof(*t));
	kt_addr(family, src, &t->src);
	kt_addr(family, dst, &t->dst);
	t->l3num = family;
	t->proto = proto;
	t->sp.port = htons(sp);
	t->dp.port = htons(dp);
}

/* Classify @skb as the OUTPUT hook would (no checksum check there). */
static void kt_classify(struct sk_buff *skb, u8 family, struct classified *c)
{
	struct nf_hook_state st = {
		.hook = NF_INET_LOCAL_OUT,
		.pf = family,
		.net = &init_net,
	};

	memset(c, 0, sizeof(*c));
	c->state = CTRACK_PKT_INVALID;
	rcu_read_lock();
	classify(&init_net, ctrack_pernet(&init_net), skb, &st, c);
	rcu_read_unlock();
}
