// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctrack_hash: an attacker who chooses tuples cannot build long
 * chains (campaign 7). Each case feeds HT_N tuples of one
 * crafted shape through the table's own hash (ctrack_tuple_hash, SipHash-1-3
 * under the module's random key, the namespace hashed in) into HT_B buckets, HT_N /
 * HT_B = 4 a bucket, and holds the chain lengths to what random placement
 * gives (Poisson, mean 4):
 *
 *   longest chain <= HT_MAX_CHAIN   P(a longer one by chance) ~ 2e-7
 *   chi-square of the bucket counts <= df + 7 sd (df = HT_B - 1)
 *
 * The shapes are the ones that break weak hashes: ports counting up,
 * addresses counting up in low or high bits, tuples whose XOR of
 * addresses and of ports is constant, IPv6 addresses differing only in
 * one of their 128 bits, ICMP ids, and one tuple in many namespaces.
 * ht_weak is such a weak hash (XOR
 * folding of the tuple's words): the last case shows that the same
 * criteria reject it on the XOR-constant set, so they can fail.
 * Figures (longest chain, chi-square, the chain-length histogram) go to
 * the KUnit log, where make check and the campaign report read them.
 */

#define HT_B		4096
#define HT_N		(4 * HT_B)
#define HT_MAX_CHAIN	22
/* df + 7 * sqrt(2 df), df = HT_B - 1 */
#define HT_CHI2_MAX	(HT_B - 1 + 7 * 91)

struct ht_stats {
	unsigned int max;
	u64 chi2_x4;		/* 4 * chi-square: integer arithmetic */
	unsigned int hist[9];	/* chains of 0..7 and of 8 or more */
};

typedef void (*ht_gen_t)(struct ctrack_tuple *t, unsigned int i);
typedef u32 (*ht_hash_t)(const struct ctrack_tuple *t);

static u32 ht_real(const struct ctrack_tuple *t)
{
	return ctrack_tuple_hash(&init_net, t);
}

/* What a careless tracker might do: XOR the tuple's 32-bit words. */
static u32 ht_weak(const struct ctrack_tuple *t)
{
	u32 w[sizeof(*t) / 4];
	u32 h = 0;
	unsigned int i;

	memcpy(w, t, sizeof(w));
	for (i = 0; i < ARRAY_SIZE(w); i++)
		h ^= w[i];
	return h * 0x9e3779b1;
}

static void ht_measure(struct kunit *test, ht_gen_t gen, ht_hash_t hash,
		       struct ht_stats *s)
{
	u16 *count;
	struct ctrack_tuple t;
	unsigned int i;

	count = kunit_kcalloc(test, HT_B, sizeof(*count), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, count);
	for (i = 0; i < HT_N; i++) {
		gen(&t, i);
		count[reciprocal_scale(hash(&t), HT_B)]++;
	}
	memset(s, 0, sizeof(*s));
	for (i = 0; i < HT_B; i++) {
		/* (c - 4)^2 / 4, kept as (c - 4)^2 to stay in integers */
		s64 d = (s64)count[i] - HT_N / HT_B;

		s->chi2_x4 += d * d;
		s->max = max_t(unsigned int, s->max, count[i]);
		s->hist[min_t(unsigned int, count[i], 8)]++;
	}
}

static void ht_report(struct kunit *test, const char *what,
		      const struct ht_stats *s)
{
	kunit_info(test,
		   "%s: %u tuples, %u buckets: longest chain %u, chi2 %llu (df %u), chains of 0..7,8+: %u %u %u %u %u %u %u %u %u\n",
		   what, HT_N, HT_B, s->max, s->chi2_x4 / 4, HT_B - 1,
		   s->hist[0], s->hist[1], s->hist[2], s->hist[3], s->hist[4],
		   s->hist[5], s->hist[6], s->hist[7], s->hist[8]);
}

static bool ht_random_like(const struct ht_stats *s)
{
	return s->max <= HT_MAX_CHAIN && s->chi2_x4 / 4 <= HT_CHI2_MAX;
}

/* One client, one server, the source port counting up (port scans, NAT). */
static void ht_gen_sport(struct ctrack_tuple *t, unsigned int i)
{
	kt_tuple(t, NFPROTO_IPV4, IPPROTO_TCP, KT_HOST_A, 1024 + i, KT_HOST_B, 80);
}

/* Sources counting up through 10.64.0.0/18, fixed ports (a botnet). */
static void ht_gen_saddr_low(struct ctrack_tuple *t, unsigned int i)
{
	kt_tuple(t, NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A, 5353, KT_HOST_B, 53);
	t->src.ip = htonl(0x0a400000 + i);
}

/* Sources differing only in their high bits: i << 18, the low bits fixed. */
static void ht_gen_saddr_high(struct ctrack_tuple *t, unsigned int i)
{
	kt_tuple(t, NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A, 5353, KT_HOST_B, 53);
	t->src.ip = htonl(0x0000002a | (i << 18));
}

/*
 * src ^ dst constant, ports fixed: every tuple folds to the same value
 * under XOR (the pairs a spoofing attacker can send at will).
 */
static void ht_gen_xor_const(struct ctrack_tuple *t, unsigned int i)
{
	kt_tuple(t, NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A, 5353, KT_HOST_B, 53);
	t->src.ip = htonl(0x0a000000 + i);
	t->dst.ip = htonl((0x0a000000 + i) ^ 0x00ffff00);
}

/* IPv6 sources that differ in one bit (i % 128); 128 source ports. */
static void ht_gen_v6_bits(struct ctrack_tuple *t, unsigned int i)
{
	kt_tuple(t, NFPROTO_IPV6, IPPROTO_TCP, KT_HOST_A, 443, KT_HOST_B, 443);
	t->src.ip6[0] = htonl(0x20010db8);
	t->src.ip6[(i % 128) / 32] ^= htonl(1U << (i % 32));
	t->sp.port = htons(i >> 7);
}

/* IPv6 sources in one /64, interface ids counting up (a SLAAC subnet). */
static void ht_gen_v6_iid(struct ctrack_tuple *t, unsigned int i)
{
	kt_tuple(t, NFPROTO_IPV6, IPPROTO_UDP, KT_HOST_A, 123, KT_HOST_B, 123);
	t->src.ip6[0] = htonl(0x20010db8);
	t->src.ip6[3] = htonl(i);
}

/* ICMP echo requests, the id counting up. */
static void ht_gen_icmp_id(struct ctrack_tuple *t, unsigned int i)
{
	kt_tuple(t, NFPROTO_IPV4, IPPROTO_ICMP, KT_HOST_A, 0, KT_HOST_B, 0);
	t->sp.id = htons(i & 0xffff);
	t->dp.icmp.type = ICMP_ECHO;
	t->src.ip = htonl(0x0a000001 + (i >> 16));
}

struct ht_case {
	const char *name;
	ht_gen_t gen;
};

static const struct ht_case ht_cases[] = {
	{ "tcp, source port counting up", ht_gen_sport },
	{ "udp, IPv4 source counting up (/18)", ht_gen_saddr_low },
	{ "udp, IPv4 sources differing in high bits", ht_gen_saddr_high },
	{ "udp, src^dst constant, ports fixed", ht_gen_xor_const },
	{ "tcp, IPv6 sources differing in one bit", ht_gen_v6_bits },
	{ "udp, IPv6 interface ids counting up", ht_gen_v6_iid },
	{ "icmp, echo id counting up", ht_gen_icmp_id },
};

static void ht_case_desc(const struct ht_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ht_shape, ht_cases, ht_case_desc);

static void ht_test_shape(struct kunit *test)
{
	const struct ht_case *c = test->param_value;
	struct ht_stats s;

	ht_measure(test, c->gen, ht_real, &s);
	ht_report(test, c->name, &s);
	KUNIT_EXPECT_LE(test, s.max, HT_MAX_CHAIN);
	KUNIT_EXPECT_LE(test, s.chi2_x4 / 4, (u64)HT_CHI2_MAX);
}

/* The criteria have teeth: a weak hash fails them on a crafted set. */
static void ht_test_weak_hash_fails(struct kunit *test)
{
	struct ht_stats s;

	ht_measure(test, ht_gen_xor_const, ht_weak, &s);
	ht_report(test, "XOR-folding hash, src^dst constant, ports fixed", &s);
	KUNIT_EXPECT_FALSE(test, ht_random_like(&s));
	KUNIT_EXPECT_GT(test, s.max, 100U);
}

/*
 * One tuple in HT_N namespaces: containers that all talk from the same
 * private address and port to the same resolver. The namespace's
 * hash_mix (random for each netns) spreads them; without it they would
 * all share one chain. A scratch struct net takes a new random mix for
 * each "namespace", as netns creation gives one.
 */
static struct net *ht_net;

static void ht_gen_container(struct ctrack_tuple *t, unsigned int i)
{
	kt_tuple(t, NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A, 40000, KT_HOST_B, 53);
	t->src.ip = htonl(0xac110002);	/* 172.17.0.2 */
}

static u32 ht_other_netns(const struct ctrack_tuple *t)
{
	ht_net->hash_mix = get_random_u32();
	return ctrack_tuple_hash(ht_net, t);
}

static void ht_test_netns_mix(struct kunit *test)
{
	struct ht_stats s;

	ht_net = kunit_kzalloc(test, sizeof(*ht_net), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ht_net);
	ht_measure(test, ht_gen_container, ht_other_netns, &s);
	ht_report(test, "one udp tuple in 16384 namespaces", &s);
	KUNIT_EXPECT_TRUE(test, ht_random_like(&s));
}

/*
 * Collisions found in one namespace are worth nothing in another: a
 * tenant who gathers HT_PLANT tuples that share a bucket in its own
 * namespace (by timing its lookups, or from the order of its dumps) and
 * sends them into init_net finds them spread there as random tuples
 * would be. A namespace mixed in after hashing would only renumber the
 * buckets, and all HT_PLANT would meet again in one chain.
 */
#define HT_PLANT	32
#define HT_PLANT_MAX	4	/* P(5 of 32 in one of 4096 buckets) ~ 1e-8 */

static void ht_test_collisions_stay_home(struct kunit *test)
{
	struct ctrack_tuple *set;
	struct net *tenant;
	u16 *count;
	unsigned int i, n = 0, max = 0;

	tenant = kunit_kzalloc(test, sizeof(*tenant), GFP_KERNEL);
	set = kunit_kcalloc(test, HT_PLANT, sizeof(*set), GFP_KERNEL);
	count = kunit_kcalloc(test, HT_B, sizeof(*count), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tenant);
	KUNIT_ASSERT_NOT_NULL(test, set);
	KUNIT_ASSERT_NOT_NULL(test, count);
	do
		tenant->hash_mix = get_random_u32();
	while (tenant->hash_mix == net_hash_mix(&init_net));

	/* The tenant's search: source ports until HT_PLANT share bucket 0. */
	for (i = 0; n < HT_PLANT && i < 64 * HT_B * HT_PLANT; i++) {
		kt_tuple(&set[n], NFPROTO_IPV4, IPPROTO_UDP, KT_HOST_A,
			 1024 + (i & 0xffff), KT_HOST_B, 53 + (i >> 16));
		if (!reciprocal_scale(ctrack_tuple_hash(tenant, &set[n]), HT_B))
			n++;
	}
	KUNIT_ASSERT_EQ(test, n, (unsigned int)HT_PLANT);

	for (i = 0; i < HT_PLANT; i++) {
		u16 c = ++count[reciprocal_scale(ctrack_tuple_hash(&init_net, &set[i]), HT_B)];

		max = max_t(unsigned int, max, c);
	}
	kunit_info(test, "%u tuples colliding in a tenant's namespace: longest chain %u in init_net\n",
		   HT_PLANT, max);
	KUNIT_EXPECT_LE(test, max, (unsigned int)HT_PLANT_MAX);
}

static struct kunit_case hash_cases[] = {
	KUNIT_CASE_PARAM(ht_test_shape, ht_shape_gen_params),
	KUNIT_CASE(ht_test_weak_hash_fails),
	KUNIT_CASE(ht_test_netns_mix),
	KUNIT_CASE(ht_test_collisions_stay_home),
	{}
};

static struct kunit_suite hash_suite = {
	.name = "ctrack_hash",
	.test_cases = hash_cases,
};
