// SPDX-License-Identifier: GPL-2.0
/*
 * ctfuzz: a seeded, reproducible fuzzer of the "ctrack" generic netlink
 * family.
 *
 *   ctfuzz [--seed N] [--count N] [--expect-eperm] [--report N] [--hex]
 *
 * Sends COUNT requests (default 10000) drawn from a PRNG seeded with SEED
 * (default 1). The PRNG is our own and nothing the kernel answers feeds
 * back into it, so a seed gives the same bytes on every machine: a failure
 * is reproduced by its seed and message number (--hex prints them).
 *
 * A request is either generated (a command known or not, flags valid or
 * not, attributes of every attribute space of ctrack.h, nests included,
 * each with a right, wrong-length, out-of-range, truncated or garbage
 * payload) or a well-formed request mutated (bit flips, bytes set to
 * 0x00/0xff/0x80, truncation, attribute lengths changed, an attribute
 * duplicated or two swapped, an nlmsg_len shorter or longer than sent).
 *
 * Checks, for every request:
 *  - every answer is well-formed netlink (lengths, attributes, extended
 *    ack offsets inside the request) and carries our sequence number;
 *  - every NLMSG_ERROR and NLMSG_DONE carries 0 or an errno in 1..4095;
 *  - a request that asks for an ack, or a dump, gets its ack, error or
 *    NLMSG_DONE within RECV_TIMEOUT_S; one that netlink must drop (an
 *    nlmsg_len beyond what was sent) gets nothing;
 *  - --expect-eperm (no CAP_NET_ADMIN over the netns): every request that
 *    reaches the family fails, with EPERM or with the EINVAL or EOPNOTSUPP
 *    of the checks genetlink makes before the permission check. Success or
 *    any other errno means an operation ran for the unprivileged caller.
 *
 *  - coverage: every command and every attribute type of every attribute
 *    enum of ctrack.h was sent at least once (when COUNT >= 10000).
 *
 *   --report N  a progress line on stderr every N requests
 *   --hex       print each request in hex, one a line, instead of sending
 *               it: line N is message N - 1 (nlmsg_type 0, not the family)
 *
 * Prints a summary on stdout. Exit code: 0 when every check held, 1
 * otherwise (or on a local failure), 2 on bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/ctrack.h>

/* An answer, even from a debug kernel under TCG, comes well within this. */
#define RECV_TIMEOUT_S	30
#define MSG_MAX		4096
#define NR_TYPES	32	/* above the largest attribute enum of ctrack.h */
#define SHOW_FAILS	20	/* failures printed in full; the rest counted */
#define SEQ_BASE	1000

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(a) ((a)[rnd(ARRAY_SIZE(a))])

_Static_assert(CTRACK_A_MAXTYPE < NR_TYPES && CTRACK_FA_MAX < NR_TYPES &&
	       CTRACK_STAT_A_MAX < NR_TYPES, "NR_TYPES too small");

/* --- PRNG: xorshift64*, seeded through splitmix64 (seed 0 works too) --- */

static uint64_t rng;

static void rnd_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	rng = (z ^ (z >> 31)) ?: 1;
}

static uint64_t rnd64(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n): a multiply, not a modulo, so no bias worth naming. */
static uint32_t rnd(uint32_t n)
{
	return ((rnd64() >> 32) * n) >> 32;
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

/* --- attribute spaces of ctrack.h --------------------------------------- */

enum space { SP_A, SP_TA, SP_CA, SP_PA, SP_FA, SP_STAT, NR_SPACES };

/* What a right payload of an attribute looks like. */
enum sem {
	V_RAW,		/* no payload of its own (UNSPEC, PAD): random bytes */
	V_NEST, V_FAMILY, V_PROTO, V_U8, V_PLEN, V_TCPSTATE, V_ICMPTYPE,
	V_ADDR, V_PORT, V_STATUS, V_TIMEOUT, V_U32, V_U64,
};

struct attr { uint8_t sem, inner; };

static const struct attr a_attrs[] = {
	[CTRACK_A_TUPLE_ORIG] = { V_NEST, SP_TA },
	[CTRACK_A_TUPLE_REPLY] = { V_NEST, SP_TA },
	[CTRACK_A_STATUS] = { V_STATUS }, [CTRACK_A_TIMEOUT] = { V_TIMEOUT },
	[CTRACK_A_MARK] = { V_U32 },
	[CTRACK_A_COUNTERS_ORIG] = { V_NEST, SP_CA },
	[CTRACK_A_COUNTERS_REPLY] = { V_NEST, SP_CA },
	[CTRACK_A_PROTOINFO] = { V_NEST, SP_PA },
	[CTRACK_A_ID] = { V_U64 }, [CTRACK_A_START] = { V_U64 },
	[CTRACK_A_USE] = { V_U32 }, [CTRACK_A_FAMILY] = { V_FAMILY },
	[CTRACK_A_COUNT] = { V_U32 }, [CTRACK_A_MAX] = { V_U32 },
	[CTRACK_A_STATS] = { V_NEST, SP_STAT },
	[CTRACK_A_STATS_CPU] = { V_NEST, SP_STAT },
	[CTRACK_A_FILTER] = { V_NEST, SP_FA }, [CTRACK_A_STOP] = { V_U64 },
};

static const struct attr ta_attrs[] = {
	[CTRACK_TA_FAMILY] = { V_FAMILY }, [CTRACK_TA_PROTO] = { V_PROTO },
	[CTRACK_TA_SRC] = { V_ADDR }, [CTRACK_TA_DST] = { V_ADDR },
	[CTRACK_TA_SPORT] = { V_PORT }, [CTRACK_TA_DPORT] = { V_PORT },
	[CTRACK_TA_ICMP_ID] = { V_PORT }, [CTRACK_TA_ICMP_TYPE] = { V_ICMPTYPE },
	[CTRACK_TA_ICMP_CODE] = { V_U8 },
};

static const struct attr ca_attrs[] = {
	[CTRACK_CA_PACKETS] = { V_U64 }, [CTRACK_CA_BYTES] = { V_U64 },
};

static const struct attr pa_attrs[] = {
	[CTRACK_PA_TCP_STATE] = { V_TCPSTATE },
	[CTRACK_PA_TCP_WSCALE_ORIG] = { V_U8 }, [CTRACK_PA_TCP_WSCALE_REPLY] = { V_U8 },
	[CTRACK_PA_TCP_FLAGS_ORIG] = { V_U8 }, [CTRACK_PA_TCP_FLAGS_REPLY] = { V_U8 },
};

static const struct attr fa_attrs[] = {
	[CTRACK_FA_FAMILY] = { V_FAMILY }, [CTRACK_FA_PROTO] = { V_PROTO },
	[CTRACK_FA_ORIG_SRC] = { V_ADDR }, [CTRACK_FA_ORIG_SRC_PLEN] = { V_PLEN },
	[CTRACK_FA_ORIG_DST] = { V_ADDR }, [CTRACK_FA_ORIG_DST_PLEN] = { V_PLEN },
	[CTRACK_FA_REPLY_SRC] = { V_ADDR }, [CTRACK_FA_REPLY_SRC_PLEN] = { V_PLEN },
	[CTRACK_FA_REPLY_DST] = { V_ADDR }, [CTRACK_FA_REPLY_DST_PLEN] = { V_PLEN },
	[CTRACK_FA_ORIG_SPORT] = { V_PORT }, [CTRACK_FA_ORIG_DPORT] = { V_PORT },
	[CTRACK_FA_REPLY_SPORT] = { V_PORT }, [CTRACK_FA_REPLY_DPORT] = { V_PORT },
	[CTRACK_FA_ICMP_TYPE] = { V_ICMPTYPE }, [CTRACK_FA_ICMP_CODE] = { V_U8 },
	[CTRACK_FA_ICMP_ID] = { V_PORT }, [CTRACK_FA_TCP_STATE] = { V_TCPSTATE },
	[CTRACK_FA_STATUS] = { V_STATUS }, [CTRACK_FA_STATUS_MASK] = { V_STATUS },
	[CTRACK_FA_MARK] = { V_U32 }, [CTRACK_FA_MARK_MASK] = { V_U32 },
};

/* Counters are u64 but CTRACK_STAT_A_CPU (u32) and PAD. */
static const struct attr stat_attrs[] = {
	[CTRACK_STAT_A_FOUND ... CTRACK_STAT_A_EVENT_LOST] = { V_U64 },
	[CTRACK_STAT_A_CPU] = { V_U32 },
};

static const struct {
	const char *name;
	unsigned int max;
	const struct attr *attrs;
	unsigned int n;
} spaces[NR_SPACES] = {
	[SP_A] = { "A", CTRACK_A_MAXTYPE, a_attrs, ARRAY_SIZE(a_attrs) },
	[SP_TA] = { "TA", CTRACK_TA_MAX, ta_attrs, ARRAY_SIZE(ta_attrs) },
	[SP_CA] = { "CA", CTRACK_CA_MAX, ca_attrs, ARRAY_SIZE(ca_attrs) },
	[SP_PA] = { "PA", CTRACK_PA_MAX, pa_attrs, ARRAY_SIZE(pa_attrs) },
	[SP_FA] = { "FA", CTRACK_FA_MAX, fa_attrs, ARRAY_SIZE(fa_attrs) },
	[SP_STAT] = { "STAT_A", CTRACK_STAT_A_MAX, stat_attrs, ARRAY_SIZE(stat_attrs) },
};

static struct attr attr_of(int sp, unsigned int type)
{
	static const struct attr raw = { V_RAW };

	return type < spaces[sp].n ? spaces[sp].attrs[type] : raw;
}

/* --- the request being built -------------------------------------------- */

static union {
	struct nlmsghdr nlh;
	uint8_t b[MSG_MAX];
} msg;
static size_t len;

/* Types sent, per space (coverage), and commands generated. */
static unsigned long covered[NR_SPACES][NR_TYPES];
static unsigned long cmd_gen[256];

/*
 * Requests refer to few addresses and ports, so that GET, UPDATE, DELETE
 * and NEW of one run meet each other's entries.
 */
static const uint16_t ports[] = { 53, 80, 1000, 9090, 0, 65535 };
static const uint8_t families[] = { NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_IPV4,
				    NFPROTO_IPV6, 0, 7, 255 };
static const uint8_t protos[] = { 6, 17, 6, 17, 1, 58, 136, 132, 47, 0, 255 };
static const uint8_t plens[] = { 0, 8, 24, 32, 64, 128, 33, 129, 255 };
static const uint32_t statuses[] = { 0, CTRACK_S_SEEN_REPLY, CTRACK_S_ASSURED,
				     CTRACK_S_USER };
static const uint32_t timeouts[] = { 1, 30, 300, 3600, 86400, 432000, 8589934 };

/* The tuple the next CTRACK_TA_* nest describes. */
static struct tuple {
	uint8_t fam, proto, src, dst, type, code;
	uint16_t sport, dport;	/* sport is the ICMP id */
} cur;
static bool cur_set;

/*
 * The tuples of the last NEW requests. GET, UPDATE, DELETE and ZERO name
 * them often, and NEW now and then again, so that requests meet entries
 * (success, EEXIST) instead of ENOENT only. Drawn from the PRNG like all
 * else: nothing the kernel answers changes what is sent.
 */
#define RING 8
static struct tuple ring[RING];
static unsigned int ring_n;

static struct tuple *ring_pick(void)
{
	return &ring[rnd(ring_n < RING ? ring_n : RING)];
}

static void put(const void *p, size_t n)
{
	if (n > sizeof(msg.b) - len)
		n = sizeof(msg.b) - len;	/* never in practice: cut short */
	memcpy(msg.b + len, p, n);
	len += n;
}

static void put_random(size_t n)
{
	while (n--) {
		uint8_t c = rnd(256);

		put(&c, 1);
	}
}

static void put_u8(uint8_t v) { put(&v, 1); }
static void put_be16(uint16_t v) { v = htons(v); put(&v, 2); }
static void put_u32(uint32_t v) { put(&v, 4); }
static void put_u64(uint64_t v) { put(&v, 8); }

static void put_addr(uint8_t fam, uint8_t idx)
{
	uint8_t a[16] = { 0xfd, 0x00, 0x00, 0x99 };

	if (fam == NFPROTO_IPV6) {
		a[15] = 1 + idx;
		put(a, 16);
	} else {
		uint8_t v4[4] = { 10, 99, 0, 1 + idx };

		put(v4, 4);
	}
}

static void random_tuple(void)
{
	static const uint8_t icmp4[] = { 8, 8, 0, 3, 13 }, icmp6[] = { 128, 128, 129, 1 };

	cur.fam = chance(50) ? NFPROTO_IPV4 : NFPROTO_IPV6;
	cur.proto = PICK(protos);
	if (cur.proto == 1 || cur.proto == 58)	/* the right ICMP, mostly */
		cur.proto = (cur.fam == NFPROTO_IPV4) ^ chance(5) ? 1 : 58;
	cur.src = rnd(4);
	cur.dst = rnd(4);
	cur.sport = PICK(ports);
	cur.dport = PICK(ports);
	cur.type = cur.proto == 1 ? PICK(icmp4) : PICK(icmp6);
	cur.code = chance(90) ? 0 : rnd(256);
}

/* The reply tuple of cur, as NEW's CTRACK_A_TUPLE_REPLY would give it. */
static void invert_tuple(void)
{
	uint8_t a = cur.src;
	uint16_t p = cur.sport;

	cur.src = cur.dst;
	cur.dst = a;
	if (cur.proto == 1 || cur.proto == 58) {
		cur.type = cur.type == 8 ? 0 : cur.type == 128 ? 129 :
			   cur.type == 13 ? 14 : cur.type;
	} else {
		cur.sport = cur.dport;
		cur.dport = p;
	}
}

static uint16_t rand_type(int sp)
{
	if (chance(85))
		return rnd(spaces[sp].max + 1);
	if (chance(70))
		return spaces[sp].max + 1 + rnd(3);
	return rnd(NLA_TYPE_MASK + 1);
}

static void put_attr(int sp, uint16_t type, unsigned int bad);

static void fill_nest(int sp, unsigned int bad)
{
	unsigned int i, n;

	switch (sp) {
	case SP_TA:
		if (!cur_set)
			random_tuple();
		cur_set = false;
		put_attr(SP_TA, CTRACK_TA_FAMILY, bad);
		put_attr(SP_TA, CTRACK_TA_PROTO, bad);
		put_attr(SP_TA, CTRACK_TA_SRC, bad);
		put_attr(SP_TA, CTRACK_TA_DST, bad);
		if (cur.proto == 1 || cur.proto == 58) {
			put_attr(SP_TA, CTRACK_TA_ICMP_ID, bad);
			put_attr(SP_TA, CTRACK_TA_ICMP_TYPE, bad);
			put_attr(SP_TA, CTRACK_TA_ICMP_CODE, bad);
		} else if (cur.proto != 47 || chance(bad)) {
			put_attr(SP_TA, CTRACK_TA_SPORT, bad);
			put_attr(SP_TA, CTRACK_TA_DPORT, bad);
		}
		break;
	case SP_FA:
		cur.fam = chance(50) ? NFPROTO_IPV4 : NFPROTO_IPV6;
		if (chance(70))
			put_attr(SP_FA, CTRACK_FA_FAMILY, bad);
		if (chance(50))
			put_attr(SP_FA, CTRACK_FA_PROTO, bad);
		for (n = rnd(4), i = 0; i < n; i++)
			put_attr(SP_FA, bad ? rand_type(SP_FA) : 1 + rnd(CTRACK_FA_MAX), bad);
		break;
	case SP_PA:
		if (chance(80))
			put_attr(SP_PA, CTRACK_PA_TCP_STATE, bad);
		/* The state is all a user may set: try the rest too. */
		if (bad && chance(40))
			put_attr(SP_PA, rand_type(SP_PA), bad);
		break;
	default:	/* counters: the kernel sends them, never takes them */
		for (n = 1 + rnd(3), i = 0; i < n; i++)
			put_attr(sp, rand_type(sp), bad);
		return;
	}
	/* Whatever the nest should hold, now and then something else too. */
	if (chance(bad))
		put_attr(sp, rand_type(sp), bad);
}

/* A right payload for attribute @type of space @sp. */
static void put_good(int sp, unsigned int type, unsigned int bad)
{
	bool ta = sp == SP_TA;	/* a tuple's fields come from cur */
	struct attr a = attr_of(sp, type);

	switch (a.sem) {
	case V_NEST:
		fill_nest(a.inner, bad);
		break;
	case V_FAMILY:
		put_u8(ta ? cur.fam : PICK(families));
		break;
	case V_PROTO:
		put_u8(ta ? cur.proto : PICK(protos));
		break;
	case V_U8:	/* in a tuple: CTRACK_TA_ICMP_CODE */
		put_u8(ta ? cur.code : chance(50) ? rnd(4) : rnd(256));
		break;
	case V_PLEN:
		put_u8(PICK(plens));
		break;
	case V_TCPSTATE:
		put_u8(chance(90) ? 1 + rnd(CTRACK_TCP_SYN_SENT2) : rnd(256));
		break;
	case V_ICMPTYPE:
		put_u8(ta ? cur.type : chance(50) ? 8 : rnd(256));
		break;
	case V_ADDR:
		put_addr(cur.fam, !ta ? rnd(4) : type == CTRACK_TA_SRC ? cur.src : cur.dst);
		break;
	case V_PORT:	/* CTRACK_TA_ICMP_ID sits where the source port does */
		put_be16(!ta ? PICK(ports) : type == CTRACK_TA_DPORT ? cur.dport : cur.sport);
		break;
	case V_STATUS:
		put_u32(PICK(statuses));
		break;
	case V_TIMEOUT:
		put_u32(PICK(timeouts));
		break;
	case V_U32:
		put_u32(chance(50) ? rnd(4) : (uint32_t)rnd64());
		break;
	case V_U64:
		put_u64(rnd64());
		break;
	default:
		put_random(rnd(9));
		break;
	}
}

/*
 * One attribute; with probability @bad percent its payload is wrong: a
 * random length, a right one cut short, the right width with an extreme
 * value, or garbage shaped like attributes (for a nest: types beyond the
 * space), and its header flags may lie.
 */
static void put_attr(int sp, uint16_t type, unsigned int bad)
{
	static const uint8_t extremes[] = { 0x00, 0xff, 0x80, 0x7f };
	struct attr a = attr_of(sp, type);
	size_t start, body, i, n;
	struct nlattr *nla;
	uint16_t flags = 0;

	if (type < NR_TYPES && type <= spaces[sp].max)
		covered[sp][type]++;
	if (a.sem == V_NEST && !chance(bad / 2))
		flags |= NLA_F_NESTED;
	if (chance(bad / 4))
		flags ^= chance(70) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
	len = NLA_ALIGN(len);
	start = len;
	put_u32(0);	/* the header, written at the end */
	body = len;
	if (!chance(bad)) {
		put_good(sp, type, bad);
	} else {
		switch (rnd(4)) {
		case 0:
			put_random(rnd(24));
			break;
		case 1:
			put_good(sp, type, bad);
			len = body + rnd(len - body + 1);
			break;
		case 2:
			if (a.sem == V_NEST) {
				for (n = 1 + rnd(3), i = 0; i < n; i++)
					put_attr(a.inner, spaces[a.inner].max + 1 + rnd(64), bad);
				break;
			}
			put_good(sp, type, bad);
			n = rnd(ARRAY_SIZE(extremes) + 1);
			for (i = body; i < len; i++)
				msg.b[i] = n < ARRAY_SIZE(extremes) ? extremes[n] : rnd(256);
			break;
		default:
			for (n = 1 + rnd(3), i = 0; i < n; i++) {
				struct nlattr h = { .nla_len = rnd(24), .nla_type = rnd(0x10000) };

				put(&h, chance(90) ? sizeof(h) : 2);
				put_random(rnd(12));
			}
			break;
		}
	}
	nla = (struct nlattr *)(msg.b + start);
	nla->nla_len = len - start;
	nla->nla_type = type | flags;
	len = NLA_ALIGN(len);
}

/* The tuple naming an entry: original, reply or (wrongly) both. */
static void put_tuples(unsigned int bad)
{
	unsigned int r = rnd(100);
	bool known = ring_n && chance(70);

	if (known)
		cur = *ring_pick();
	if (r < 75) {
		cur_set = known;
		put_attr(SP_A, CTRACK_A_TUPLE_ORIG, bad);
	}
	if (r >= 70) {
		if (known)
			invert_tuple();
		cur_set = known;
		put_attr(SP_A, CTRACK_A_TUPLE_REPLY, bad);
	}
}

/* A request for @cmd; @bad: how often a part of it is wrong (percent). */
static void generate(uint8_t cmd, unsigned int bad)
{
	static const uint16_t odd_flags[] = {
		NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_APPEND, NLM_F_ROOT,
		NLM_F_MATCH, NLM_F_ATOMIC, NLM_F_MULTI, NLM_F_DUMP_INTR, 0x40, 0x80,
		0x1000, 0x8000,
	};
	struct genlmsghdr g = { .cmd = cmd, .version = CTRACK_GENL_VERSION };
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	bool dumpable = cmd == CTRACK_CMD_GET || cmd == CTRACK_CMD_DELETE ||
			cmd == CTRACK_CMD_ZERO || cmd == CTRACK_CMD_STATS;
	unsigned int i, n;

	cmd_gen[cmd]++;
	if (dumpable ? chance(40) : chance(bad / 4))
		flags |= NLM_F_DUMP;
	if (bad) {
		if (chance(20))
			flags &= ~NLM_F_ACK;
		if (chance(3))
			flags &= ~NLM_F_REQUEST;
		if (chance(5))
			flags |= NLM_F_ECHO;
		if (chance(bad / 2))
			flags |= chance(80) ? PICK(odd_flags) : rnd(0x10000);
		if (chance(bad / 4))
			g.version = rnd(256);
		if (chance(bad / 8))
			g.reserved = 1 + rnd(0xffff);
	}
	/* Padding and cut bytes are zero, not what an earlier request left. */
	memset(msg.b, 0, sizeof(msg.b));
	len = 0;
	put(&(struct nlmsghdr){ .nlmsg_flags = flags }, sizeof(struct nlmsghdr));
	put(&g, sizeof(g));

	switch (cmd) {
	case CTRACK_CMD_GET:
	case CTRACK_CMD_DELETE:
	case CTRACK_CMD_ZERO:
		if (!(flags & NLM_F_DUMP))
			put_tuples(bad);
		else if (chance(60))
			put_attr(SP_A, CTRACK_A_FILTER, bad);
		break;
	case CTRACK_CMD_NEW:
		if (ring_n && chance(20))
			cur = *ring_pick();
		else
			random_tuple();
		ring[ring_n++ % RING] = cur;
		cur_set = true;
		if (chance(95))
			put_attr(SP_A, CTRACK_A_TUPLE_ORIG, bad);
		if (chance(25)) {
			if (chance(80))
				invert_tuple();
			cur_set = chance(80);
			put_attr(SP_A, CTRACK_A_TUPLE_REPLY, bad);
		}
		if (chance(90))
			put_attr(SP_A, CTRACK_A_TIMEOUT, bad);
		if (chance(30))
			put_attr(SP_A, CTRACK_A_MARK, bad);
		if (chance(30))
			put_attr(SP_A, CTRACK_A_STATUS, bad);
		if (chance(cur.proto == 6 ? 85 : 15))
			put_attr(SP_A, CTRACK_A_PROTOINFO, bad);
		break;
	case CTRACK_CMD_UPDATE:
		put_tuples(bad);
		if (chance(50))
			put_attr(SP_A, CTRACK_A_TIMEOUT, bad);
		if (chance(50))
			put_attr(SP_A, CTRACK_A_MARK, bad);
		if (chance(40))
			put_attr(SP_A, CTRACK_A_STATUS, bad);
		break;
	case CTRACK_CMD_FLUSH:
		if (chance(50))
			put_attr(SP_A, CTRACK_A_FAMILY, bad);
		break;
	case CTRACK_CMD_COUNT:
	case CTRACK_CMD_STATS:
		break;
	default:
		for (n = rnd(3), i = 0; i < n; i++)
			put_attr(SP_A, rand_type(SP_A), bad);
		break;
	}
	/* Attributes the command does not take, from the whole space. */
	if (chance(bad))
		for (n = 1 + rnd(3), i = 0; i < n; i++)
			put_attr(SP_A, rand_type(SP_A), bad);
	cur_set = false;
	msg.nlh.nlmsg_len = len;
}

/* --- mutations of a well-formed request --------------------------------- */

/* The attributes of the request: offset and the index of the parent. */
static struct { size_t off; int parent; } at[512];
static int n_at;

static void scan(size_t off, size_t end, int parent, int depth)
{
	while (off + NLA_HDRLEN <= end && n_at < (int)ARRAY_SIZE(at)) {
		const struct nlattr *a = (const void *)(msg.b + off);

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - off)
			return;
		at[n_at].off = off;
		at[n_at].parent = parent;
		n_at++;
		if ((a->nla_type & NLA_F_NESTED) && depth < 4)
			scan(off + NLA_HDRLEN, off + a->nla_len, n_at - 1, depth + 1);
		off += NLA_ALIGN(a->nla_len);
	}
}

static int scan_all(void)
{
	n_at = 0;
	scan(NLMSG_HDRLEN + GENL_HDRLEN, len, -1, 0);
	return n_at;
}

static struct nlattr *attr_at(int i)
{
	return (struct nlattr *)(msg.b + at[i].off);
}

/*
 * A byte that a mutation may change: the flags and what follows nlmsghdr
 * (not nlmsg_len, type, seq, pid: see classify() and main()).
 */
static uint8_t *mutable_byte(void)
{
	uint32_t r = rnd(len - NLMSG_HDRLEN + 2);

	return &msg.b[r < 2 ? 6 + r : NLMSG_HDRLEN + r - 2];
}

/* Insert a copy of attribute @i after it; its ancestors grow with it. */
static void duplicate(int i)
{
	size_t off = at[i].off, n = NLA_ALIGN(attr_at(i)->nla_len);
	int p;

	if (len + n > sizeof(msg.b))
		return;
	for (p = at[i].parent; p >= 0; p = at[p].parent)
		if (attr_at(p)->nla_len + n > UINT16_MAX)
			return;
	memmove(msg.b + off + n, msg.b + off, len - off);
	len += n;
	for (p = at[i].parent; p >= 0; p = at[p].parent)
		attr_at(p)->nla_len += n;
}

/* Swap attribute @i with the next one of the same nest, if any. */
static void swap_next(int i)
{
	size_t a = at[i].off, na = NLA_ALIGN(attr_at(i)->nla_len), nb;
	uint8_t tmp[MSG_MAX];
	int j;

	for (j = i + 1; j < n_at && at[j].off != a + na; j++)
		;
	if (j == n_at || at[j].parent != at[i].parent)
		return;
	nb = NLA_ALIGN(attr_at(j)->nla_len);
	if (a + na + nb > len)
		return;
	memcpy(tmp, msg.b + a, na);
	memmove(msg.b + a, msg.b + a + na, nb);
	memcpy(msg.b + a + nb, tmp, na);
}

static void mutate(void)
{
	static const uint8_t bytes[] = { 0x00, 0xff, 0x80 };
	unsigned int i, n = 1 + rnd(3);
	struct nlattr *a;
	uint16_t l;

	for (i = 0; i < n; i++) {
		switch (rnd(6)) {
		case 0:
			*mutable_byte() ^= 1 << rnd(8);
			break;
		case 1:
			*mutable_byte() = PICK(bytes);
			break;
		case 2:	/* cut anywhere, nlmsg_len agreeing */
			len = NLMSG_HDRLEN + rnd(len - NLMSG_HDRLEN);
			break;
		case 3:	/* an attribute's length: too small, off by a bit, huge */
			if (!scan_all())
				break;
			a = attr_at(rnd(n_at));
			l = a->nla_len;
			{
				uint16_t lens[] = { 0, 1, 3, 4, l - 1, l + 1, l - 4, l + 4,
						    0xffff, rnd(0x10000) };

				a->nla_len = PICK(lens);
			}
			break;
		case 4:
			if (scan_all())
				duplicate(rnd(n_at));
			break;
		default:
			if (scan_all())
				swap_next(rnd(n_at));
			break;
		}
		msg.nlh.nlmsg_len = len;
	}
	if (!chance(15))
		return;
	/* nlmsg_len lies: longer than sent (netlink drops it), or shorter. */
	if (chance(40)) {
		msg.nlh.nlmsg_len = chance(90) ? len + 1 + rnd(64) : UINT32_MAX;
	} else {
		size_t lie = chance(10) ? rnd(NLMSG_HDRLEN) : NLMSG_HDRLEN + rnd(len - NLMSG_HDRLEN);
		size_t next = NLMSG_ALIGN(lie);

		msg.nlh.nlmsg_len = lie;
		/*
		 * Netlink reads what follows a message as the next one. Make
		 * that a NLMSG_NOOP without NLM_F_REQUEST, which it skips
		 * silently, so that the bytes hidden by the lie never reach
		 * some other family under a random type.
		 */
		if (lie >= NLMSG_HDRLEN && next + NLMSG_HDRLEN <= len) {
			struct nlmsghdr noop = {
				.nlmsg_len = len - next, .nlmsg_type = NLMSG_NOOP,
				.nlmsg_seq = msg.nlh.nlmsg_seq,
			};

			memcpy(msg.b + next, &noop, sizeof(noop));
		}
	}
}

/* --- talking to the kernel ---------------------------------------------- */

static struct mnl_socket *nl;
static uint32_t portid, seq;
static uint16_t family_id;
static bool expect_eperm;
static uint8_t rbuf[1 << 16];

/* What netlink and genetlink will do with the request as sent. */
struct expect {
	bool silent;	/* dropped by netlink: no answer at all */
	bool reaches;	/* handed to the family's checks */
	bool terminal;	/* an ack, an error or NLMSG_DONE must come */
};

/* What came back for it. */
struct answer {
	bool done;	/* its ack, error or NLMSG_DONE came */
	int err;	/* the errno of that, 0 for success */
	bool lost;	/* ENOBUFS: the kernel dropped part of it */
	unsigned int msgs, entries;
};

static unsigned long hist[4096], cmd_sent[256], cmd_ok[256];
static unsigned long n_generated, n_mutated, n_silent, n_acks, n_dumps;
static unsigned long n_entries, n_enobufs, n_timeouts, failures;

static noreturn void usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ctfuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: ctfuzz [--seed N] [--count N] [--expect-eperm] [--report N] [--hex]\n",
	      stderr);
	exit(2);
}

static noreturn void fatal(const char *what)
{
	fprintf(stderr, "ctfuzz: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('\n', f);
}

/* A check that did not hold: say which request, with its bytes. */
static void bad(const char *fmt, ...)
{
	va_list ap;

	if (++failures > SHOW_FAILS)
		return;
	printf("FAIL: message %u (seq %u, %zu bytes): ", seq - SEQ_BASE, seq, len);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n  request: ");
	print_hex(stdout, msg.b, len);
}

/* Attributes filling exactly @n bytes, nests (NLA_F_NESTED) too. */
static bool attrs_ok(const uint8_t *p, size_t n, int depth)
{
	while (n >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > n)
			return false;
		if ((a->nla_type & NLA_F_NESTED) && depth < 4 &&
		    !attrs_ok(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, depth + 1))
			return false;
		if ((size_t)NLA_ALIGN(a->nla_len) >= n)
			return true;
		p += NLA_ALIGN(a->nla_len);
		n -= NLA_ALIGN(a->nla_len);
	}
	return n == 0;
}

/* Extended ack TLVs: well-formed; offsets point into the request. */
static void check_tlvs(const uint8_t *p, size_t n, uint32_t req_len)
{
	const struct nlattr *a;
	size_t plen, step;
	uint32_t v;

	if (!attrs_ok(p, n, 1)) {
		bad("malformed extended ack attributes");
		return;
	}
	for (; n >= NLA_HDRLEN; p += step, n -= step) {
		a = (const void *)p;
		plen = a->nla_len - NLA_HDRLEN;
		step = (size_t)NLA_ALIGN(a->nla_len) < n ? (size_t)NLA_ALIGN(a->nla_len) : n;

		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			if (!plen || p[NLA_HDRLEN + plen - 1])
				bad("extended ack message not NUL-terminated");
			break;
		case NLMSGERR_ATTR_OFFS:
		case NLMSGERR_ATTR_MISS_NEST:
			if (plen != 4) {
				bad("extended ack offset of %zu bytes", plen);
				break;
			}
			memcpy(&v, p + NLA_HDRLEN, 4);
			if (v < NLMSG_HDRLEN || v >= req_len)
				bad("extended ack offset %u outside the request (%u bytes)",
				    v, req_len);
			break;
		}
	}
}

static void finish(struct answer *ans, int error, bool done_msg)
{
	ans->done = true;
	if (error > 0 || error < -4095) {
		bad("errno %d is not 0 or -1..-4095", error);
		ans->err = 4096;
		return;
	}
	ans->err = -error;
	hist[ans->err]++;
	if (!ans->err)
		++*(done_msg ? &n_dumps : &n_acks);
}

static void check_msg(const struct nlmsghdr *nlh, struct answer *ans)
{
	const uint8_t *p = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh), off;
	const struct nlmsgerr *e = (const void *)p;
	int error;

	ans->msgs++;
	if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid) {
		bad("answer with seq %u pid %u (ours: %u %u)", nlh->nlmsg_seq,
		    nlh->nlmsg_pid, seq, portid);
		return;
	}
	if (ans->done) {
		bad("message of type %u after the ack or NLMSG_DONE", nlh->nlmsg_type);
		return;
	}
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		if (plen < sizeof(*e) || e->msg.nlmsg_seq != seq) {
			bad("NLMSG_ERROR of %zu bytes, not about our request", plen);
			return;
		}
		off = sizeof(*e);
		/* Unless capped, the request it refuses follows the header. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		if (off > plen) {
			bad("NLMSG_ERROR shorter than the request it quotes");
			return;
		}
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			check_tlvs(p + off, plen - off, e->msg.nlmsg_len);
		finish(ans, e->error, false);
		return;
	case NLMSG_DONE:
		if (plen < sizeof(error)) {
			bad("NLMSG_DONE of %zu bytes", plen);
			return;
		}
		memcpy(&error, p, sizeof(error));
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			check_tlvs(p + sizeof(error), plen - sizeof(error), msg.nlh.nlmsg_len);
		finish(ans, error, true);
		return;
	}
	ans->entries++;
	n_entries++;
	if (nlh->nlmsg_type != family_id)
		bad("answer of type %u", nlh->nlmsg_type);
	else if (plen < GENL_HDRLEN || !attrs_ok(p + GENL_HDRLEN, plen - GENL_HDRLEN, 0))
		bad("malformed family message (%zu bytes)", plen);
	else if (((const struct genlmsghdr *)p)->cmd > CTRACK_CMD_MAX)
		bad("family message of command %u", ((const struct genlmsghdr *)p)->cmd);
}

/*
 * Read what answers the request. Everything but a dump's later parts is
 * queued before sendmsg() returns (netlink hands a request to the kernel
 * in the sender's context), so without a terminal message to wait for, a
 * non-blocking drain sees the whole answer.
 */
static void converse(const struct expect *ex, struct answer *ans)
{
	int fd = mnl_socket_get_fd(nl), rest;
	const struct nlmsghdr *nlh;
	ssize_t n;

	memset(ans, 0, sizeof(*ans));
	while (!(ex->terminal && ans->done)) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (!ex->terminal)
				return;
			if (poll(&pfd, 1, RECV_TIMEOUT_S * 1000) == 0) {
				if (!ans->lost) {
					n_timeouts++;
					bad("no answer within %d s", RECV_TIMEOUT_S);
				}
				return;
			}
			continue;
		}
		if (n < 0 && errno == ENOBUFS) {
			/* Our queue overflowed: a lost answer is not a hang. */
			n_enobufs++;
			ans->lost = true;
			continue;
		}
		if (n < 0)
			fatal("recv");
		if ((size_t)n > sizeof(rbuf)) {
			bad("answer of %zd bytes, more than %zu", n, sizeof(rbuf));
			n = sizeof(rbuf);
		}
		rest = n;
		for (nlh = (const void *)rbuf; mnl_nlmsg_ok(nlh, rest);
		     nlh = mnl_nlmsg_next(nlh, &rest))
			check_msg(nlh, ans);
		if (rest)
			bad("%d bytes of a malformed message in an answer", rest);
	}
}

static int family_data(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	(void)data;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    !mnl_attr_validate(a, MNL_TYPE_U16))
			family_id = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static void open_family(void)
{
	int one = 1, size = 8 << 20, fd, n;
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct genlmsghdr *g;
	struct nlmsghdr *nlh;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		fatal("netlink socket");
	fd = mnl_socket_get_fd(nl);
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)))
		fatal("socket options");
	/* A big queue keeps ENOBUFS away; FORCE works for root only. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTRACK_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		fatal("sending the family request");
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			fatal("the family request");
		n = mnl_cb_run(buf, n, 1, portid, family_data, NULL);
	} while (n > 0);
	if (n < 0 || !family_id) {
		fprintf(stderr, "ctfuzz: no generic netlink family \"%s\" (%s)\n",
			CTRACK_GENL_NAME, n < 0 ? strerror(errno) : "no id");
		exit(1);
	}
}

/*
 * What netlink_rcv_skb() makes of the request: one shorter than a header,
 * or whose nlmsg_len overruns what was sent, ends the batch in silence;
 * one without NLM_F_REQUEST is skipped (acked with 0 if it asks); the rest
 * go to genetlink, whose errors come whatever the flags, and NLM_F_ACK or
 * a dump guarantee a last message.
 */
static struct expect classify(void)
{
	struct expect ex = { 0 };
	uint16_t f = msg.nlh.nlmsg_flags;

	if (len < NLMSG_HDRLEN || msg.nlh.nlmsg_len < NLMSG_HDRLEN || msg.nlh.nlmsg_len > len) {
		ex.silent = true;
	} else if (!(f & NLM_F_REQUEST)) {
		ex.terminal = f & NLM_F_ACK;	/* netlink acks it: 0 */
	} else {
		ex.reaches = true;
		ex.terminal = (f & NLM_F_ACK) || (f & NLM_F_DUMP) == NLM_F_DUMP;
	}
	return ex;
}

/* Judge the answer of the request just sent. */
static void judge(const struct expect *ex, const struct answer *ans)
{
	uint8_t cmd = len > NLMSG_HDRLEN ? msg.b[NLMSG_HDRLEN] : 0;
	bool failed = ans->done ? ans->err : false;

	if (ex->silent) {
		n_silent++;
		if (ans->msgs)
			bad("%u answer(s) to a request netlink drops", ans->msgs);
		return;
	}
	if (!ex->reaches)
		return;
	cmd_sent[cmd]++;
	if (!failed && !ans->lost && (ans->done || !ex->terminal))
		cmd_ok[cmd]++;
	if (!expect_eperm || ans->lost)
		return;
	if (ans->entries)
		bad("isolation: %u entry message(s) for an unprivileged request", ans->entries);
	if (!ans->done)
		bad("isolation: an unprivileged request did not fail");
	else if (ans->err != EPERM && ans->err != EINVAL && ans->err != EOPNOTSUPP)
		bad("isolation: an unprivileged request answered errno %d, not EPERM (or EINVAL, EOPNOTSUPP before the permission check)",
		    ans->err);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long number(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s ? s : "", &end, 0);
	if (!s || !*s || *s == '-' || *end || errno)
		usage("bad %s '%s'", what, s ? s : "");
	return v;
}

static const char *errname(int e)
{
	static const char *const names[] = {
		[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ENOMEM] = "ENOMEM",
		[E2BIG] = "E2BIG", [EBUSY] = "EBUSY", [EEXIST] = "EEXIST",
		[EINVAL] = "EINVAL", [ENOSPC] = "ENOSPC", [ERANGE] = "ERANGE",
		[EMSGSIZE] = "EMSGSIZE", [EOPNOTSUPP] = "EOPNOTSUPP",
		[ENOBUFS] = "ENOBUFS",
	};

	return e > 0 && e < (int)ARRAY_SIZE(names) && names[e] ? names[e] : "";
}

static const char *const cmd_names[] = {
	"unspec", "get", "new", "update", "delete", "flush", "count", "stats", "zero",
};
_Static_assert(ARRAY_SIZE(cmd_names) == CTRACK_CMD_MAX + 1, "a command without a name");

/* Print the coverage; false when COUNT was large enough and it is not full. */
static bool print_coverage(unsigned long count)
{
	unsigned long unknown = 0;
	bool full = true;
	unsigned int c, sp, t, n;

	for (c = CTRACK_CMD_MAX + 1; c < 256; c++)
		unknown += cmd_gen[c];
	for (n = 0, c = 0; c <= CTRACK_CMD_MAX; c++)
		n += !!cmd_gen[c];
	printf("coverage: commands %u/%u, unknown commands %lu;", n, CTRACK_CMD_MAX + 1, unknown);
	full = n == CTRACK_CMD_MAX + 1 && unknown;
	for (sp = 0; sp < NR_SPACES; sp++) {
		for (n = 0, t = 0; t <= spaces[sp].max; t++)
			n += !!covered[sp][t];
		printf(" %s %u/%u", spaces[sp].name, n, spaces[sp].max + 1);
		full &= n == spaces[sp].max + 1;
	}
	putchar('\n');
	if (!full && count >= 10000) {
		for (c = 0; c <= CTRACK_CMD_MAX; c++)
			if (!cmd_gen[c])
				printf("FAIL: command %u never sent\n", c);
		for (sp = 0; sp < NR_SPACES; sp++)
			for (t = 0; t <= spaces[sp].max; t++)
				if (!covered[sp][t])
					printf("FAIL: attribute %s %u never sent\n", spaces[sp].name, t);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	static const unsigned int badness[] = { 0, 5, 15, 40 };
	unsigned long long seed = 1, count = 10000, report = 0, i;
	bool hex = false, mutated, ok;
	struct answer ans;
	struct expect ex;
	double t0, t;
	unsigned int c, e;
	uint8_t cmd;

	(void)argc;
	for (argv++; *argv; argv++) {
		if (!strcmp(*argv, "--seed"))
			seed = number(*++argv, "seed");
		else if (!strcmp(*argv, "--count"))
			count = number(*++argv, "count");
		else if (!strcmp(*argv, "--report"))
			report = number(*++argv, "report interval");
		else if (!strcmp(*argv, "--expect-eperm"))
			expect_eperm = true;
		else if (!strcmp(*argv, "--hex"))
			hex = true;
		else
			usage("unknown argument '%s'", *argv);
	}
	if (count > UINT32_MAX - SEQ_BASE)
		usage("count above %u", UINT32_MAX - SEQ_BASE);

	if (!hex) {
		open_family();
		if (fcntl(mnl_socket_get_fd(nl), F_SETFL, O_NONBLOCK))
			fatal("O_NONBLOCK");
	}
	rnd_seed(seed);
	/* With --hex, line N is message N - 1 (for sed -n Np). */
	if (!hex)
		printf("ctfuzz: seed %llu, count %llu%s\n", seed, count,
		       expect_eperm ? ", expecting EPERM" : "");
	fflush(stdout);
	t0 = now();
	for (i = 0; i < count; i++) {
		seq = SEQ_BASE + i;
		/* Mostly commands the family has; now and then 0 or unknown. */
		c = rnd(100);
		cmd = c < 85 ? 1 + rnd(CTRACK_CMD_MAX) : c < 90 ? 0 :
		      CTRACK_CMD_MAX + 1 + rnd(255 - CTRACK_CMD_MAX);
		/* A FLUSH empties the table the others work on: fewer of them. */
		if (cmd == CTRACK_CMD_FLUSH && chance(75))
			cmd = 1 + rnd(CTRACK_CMD_MAX);
		mutated = !chance(55);
		generate(cmd, mutated ? 0 : PICK(badness));
		msg.nlh.nlmsg_type = family_id;
		msg.nlh.nlmsg_seq = seq;
		if (mutated) {
			n_mutated++;
			mutate();
		} else {
			n_generated++;
		}
		if (hex) {
			print_hex(stdout, msg.b, len);
			continue;
		}
		ex = classify();
		if (mnl_socket_sendto(nl, msg.b, len) < 0)
			fatal("send");
		converse(&ex, &ans);
		judge(&ex, &ans);
		if (report && !((i + 1) % report)) {
			t = now() - t0;
			fprintf(stderr, "ctfuzz: %llu/%llu sent, %.0f msgs/s, %lu failure(s)\n",
				i + 1, count, (i + 1) / (t > 0 ? t : 1e-9), failures);
		}
	}
	t = now() - t0;
	if (hex)
		return print_coverage(count) ? 0 : 1;

	printf("messages: %llu sent (%lu generated, %lu mutated), %lu dropped by netlink by design\n",
	       count, n_generated, n_mutated, n_silent);
	printf("commands (reached the family / succeeded):");
	for (c = 0; c <= CTRACK_CMD_MAX; c++)
		printf(" %s=%lu/%lu", cmd_names[c], cmd_sent[c], cmd_ok[c]);
	for (i = 0, e = 0, c = CTRACK_CMD_MAX + 1; c < 256; c++) {
		i += cmd_sent[c];
		e += cmd_ok[c];
	}
	printf(" unknown=%llu/%u\n", i, e);
	printf("errno:");
	for (e = 0; e < ARRAY_SIZE(hist); e++)
		if (hist[e])
			printf(" %u%s%s=%lu", e, *errname(e) ? ":" : "", errname(e), hist[e]);
	putchar('\n');
	printf("answers: %lu acks of success, %lu dumps completed, %lu entry messages, %lu ENOBUFS, %lu timeouts\n",
	       n_acks, n_dumps, n_entries, n_enobufs, n_timeouts);
	ok = print_coverage(count);
	printf("elapsed: %.2f s, %.0f msgs/s\n", t, count / (t > 0 ? t : 1e-9));
	if (failures > SHOW_FAILS)
		printf("(%lu more failures not shown)\n", failures - SHOW_FAILS);
	printf("result: %s, %lu failure(s)\n", ok && !failures ? "ok" : "FAILED", failures);
	return ok && !failures ? 0 : 1;
}
