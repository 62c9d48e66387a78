// SPDX-License-Identifier: GPL-2.0
/*
 * ctrack: inspect and manage ctrack's connection table, in the manner of
 * conntrack(8).
 *
 *   ctrack -L [-f ipv4|ipv6] [-p PROTO] [-o json]   list entries
 *   ctrack -C                                      count entries
 *   ctrack -S                                      counters, per CPU
 *   ctrack -F [-f ipv4|ipv6]                       flush
 *
 * Exit codes: 0 success, 1 the operation failed, 2 bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netfilter.h>
#include <linux/ctrack.h>

#ifndef CTRACK_TOOLS_VERSION
#define CTRACK_TOOLS_VERSION "0"
#endif

static const char *const tcp_states[__CTRACK_TCP_MAX] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

/* Column names of /proc/net/stat/ctrack, in CTRACK_STAT_A_* order. */
static const char *const stat_names[] = {
	"found", "new", "invalid", "ignore", "insert", "insert_failed",
	"drop", "early_drop", "error", "search_restart", "verdict_miss",
	"related", "expired",
};

enum output { OUT_DEFAULT, OUT_JSON };

struct opts {
	char cmd;
	uint8_t family;
	int proto;		/* -1: any */
	enum output out;
};

static struct mnl_socket *nl;
static uint16_t family_id;
static unsigned int seq;

static void vsay(const char *fmt, va_list ap, const char *tail)
{
	fputs("ctrack: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(tail, stderr);
}

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap, " (try 'ctrack --help')\n");
	va_end(ap);
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap, "\n");
	va_end(ap);
	exit(1);
}

/* One line for the errors a user can act on, not a raw errno. */
static void __attribute__((noreturn)) fail_errno(const char *what, int err)
{
	if (err == EPERM || err == EACCES)
		fail("%s: operation not permitted (needs CAP_NET_ADMIN in this network namespace)",
		     what);
	fail("%s: %s", what, strerror(err));
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ctrack COMMAND [OPTIONS]\n"
		"Commands:\n"
		"  -L, --dump            list the table\n"
		"  -C, --count           show the number of entries\n"
		"  -S, --stats           show the counters of each CPU\n"
		"  -F, --flush           delete every entry\n"
		"Options:\n"
		"  -f, --family FAMILY   ipv4 or ipv6 (-L, -F)\n"
		"  -p, --proto PROTO     protocol name or number (-L)\n"
		"  -o, --output FORMAT   json: one object a line (-L)\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n");
}

/* Resolve the family id; a missing family means a missing module. */
static int family_cb(const struct nlmsghdr *nlh, void *data __attribute__((unused)))
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			family_id = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static struct nlmsghdr *new_msg(char *buf, uint16_t type, uint8_t cmd,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : CTRACK_GENL_VERSION;
	return nlh;
}

/*
 * Send @nlh and run @cb on every reply until the request is done: a dump
 * ends with NLMSG_DONE, anything else must ask for an ack (NLM_F_ACK).
 */
static int talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static char buf[1 << 16];
	unsigned int portid = mnl_socket_get_portid(nl);
	int n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		n = mnl_cb_run(buf, n, nlh->nlmsg_seq, portid, cb, data);
		if (n <= MNL_CB_STOP)
			break;
	}
	return n < 0 ? -errno : 0;
}

static void open_family(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		fail_errno("netlink socket", errno);
	nlh = new_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTRACK_GENL_NAME);
	err = talk(nlh, family_cb, NULL);
	if (err == -ENOENT || (!err && !family_id))
		fail("the ctrack kernel module is not loaded (modprobe ctrack, or insmod ctrack.ko)");
	if (err)
		fail_errno("looking up the ctrack netlink family", -err);
}

struct tuple {
	uint8_t family, proto;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	bool has_ports, has_icmp;
	uint16_t sport, dport, icmp_id;
	uint8_t icmp_type, icmp_code;
};

struct counters {
	uint64_t packets, bytes;
};

struct entry {
	struct tuple t[2];
	struct counters c[2];
	uint32_t status, timeout, mark, use;
	uint64_t id, start;
	bool tcp;
	uint8_t tcp_state;
};

static void parse_addr(const struct nlattr *a, uint8_t family, char *out)
{
	if (mnl_attr_get_payload_len(a) == (family == NFPROTO_IPV4 ? 4 : 16))
		inet_ntop(family == NFPROTO_IPV4 ? AF_INET : AF_INET6,
			  mnl_attr_get_payload(a), out, INET6_ADDRSTRLEN);
	else
		strcpy(out, "?");
}

static void parse_tuple(const struct nlattr *nest, struct tuple *t)
{
	const struct nlattr *src = NULL, *dst = NULL;
	struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case CTRACK_TA_FAMILY: t->family = mnl_attr_get_u8(a); break;
		case CTRACK_TA_PROTO: t->proto = mnl_attr_get_u8(a); break;
		case CTRACK_TA_SRC: src = a; break;
		case CTRACK_TA_DST: dst = a; break;
		case CTRACK_TA_SPORT:
			t->sport = ntohs(mnl_attr_get_u16(a));
			t->has_ports = true;
			break;
		case CTRACK_TA_DPORT: t->dport = ntohs(mnl_attr_get_u16(a)); break;
		case CTRACK_TA_ICMP_ID:
			t->icmp_id = ntohs(mnl_attr_get_u16(a));
			t->has_icmp = true;
			break;
		case CTRACK_TA_ICMP_TYPE: t->icmp_type = mnl_attr_get_u8(a); break;
		case CTRACK_TA_ICMP_CODE: t->icmp_code = mnl_attr_get_u8(a); break;
		}
	}
	if (src)
		parse_addr(src, t->family, t->src);
	if (dst)
		parse_addr(dst, t->family, t->dst);
}

static void parse_counters(const struct nlattr *nest, struct counters *c)
{
	struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == CTRACK_CA_PACKETS)
			c->packets = mnl_attr_get_u64(a);
		else if (mnl_attr_get_type(a) == CTRACK_CA_BYTES)
			c->bytes = mnl_attr_get_u64(a);
	}
}

static void parse_entry(const struct nlmsghdr *nlh, struct entry *e)
{
	struct nlattr *a, *p;

	memset(e, 0, sizeof(*e));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRACK_A_TUPLE_ORIG: parse_tuple(a, &e->t[0]); break;
		case CTRACK_A_TUPLE_REPLY: parse_tuple(a, &e->t[1]); break;
		case CTRACK_A_COUNTERS_ORIG: parse_counters(a, &e->c[0]); break;
		case CTRACK_A_COUNTERS_REPLY: parse_counters(a, &e->c[1]); break;
		case CTRACK_A_STATUS: e->status = mnl_attr_get_u32(a); break;
		case CTRACK_A_TIMEOUT: e->timeout = mnl_attr_get_u32(a); break;
		case CTRACK_A_MARK: e->mark = mnl_attr_get_u32(a); break;
		case CTRACK_A_USE: e->use = mnl_attr_get_u32(a); break;
		case CTRACK_A_ID: e->id = mnl_attr_get_u64(a); break;
		case CTRACK_A_START: e->start = mnl_attr_get_u64(a); break;
		case CTRACK_A_PROTOINFO:
			mnl_attr_for_each_nested(p, a) {
				if (mnl_attr_get_type(p) == CTRACK_PA_TCP_STATE) {
					e->tcp = true;
					e->tcp_state = mnl_attr_get_u8(p);
				}
			}
			break;
		}
	}
}

/* The names /proc/net/ctrack prints, so that both listings agree. */
static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_GRE: return "gre";
	}
	return "unknown";
}

static const char *tcp_state_name(uint8_t s)
{
	return s < __CTRACK_TCP_MAX ? tcp_states[s] : "UNKNOWN";
}

static void print_tuple(const struct tuple *t, const struct counters *c)
{
	printf("src=%s dst=%s ", t->src, t->dst);
	if (t->has_ports)
		printf("sport=%u dport=%u ", t->sport, t->dport);
	else if (t->has_icmp)
		printf("type=%u code=%u id=%u ", t->icmp_type, t->icmp_code,
		       t->icmp_id);
	printf("packets=%" PRIu64 " bytes=%" PRIu64 " ", c->packets, c->bytes);
}

/* conntrack -L's line, the same as /proc/net/ctrack's. */
static void print_default(const struct entry *e)
{
	printf("%-8s %u %u ", proto_name(e->t[0].proto),
	       e->t[0].proto, e->timeout);
	if (e->tcp)
		printf("%s ", tcp_state_name(e->tcp_state));
	print_tuple(&e->t[0], &e->c[0]);
	if (!(e->status & CTRACK_S_SEEN_REPLY))
		printf("[UNREPLIED] ");
	print_tuple(&e->t[1], &e->c[1]);
	if (e->status & CTRACK_S_ASSURED)
		printf("[ASSURED] ");
	printf("mark=%u use=%u\n", e->mark, e->use);
}

static void json_tuple(const char *name, const struct tuple *t,
		       const struct counters *c)
{
	printf("\"%s\":{\"src\":\"%s\",\"dst\":\"%s\"", name, t->src, t->dst);
	if (t->has_ports)
		printf(",\"sport\":%u,\"dport\":%u", t->sport, t->dport);
	else if (t->has_icmp)
		printf(",\"type\":%u,\"code\":%u,\"id\":%u", t->icmp_type,
		       t->icmp_code, t->icmp_id);
	printf(",\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", c->packets,
	       c->bytes);
}

/* One object a line; the key names are documented in ctrack.8. */
static void print_json(const struct entry *e)
{
	printf("{\"id\":%" PRIu64 ",\"family\":\"%s\",\"proto\":\"%s\",\"protonum\":%u,"
	       "\"timeout\":%u,", e->id,
	       e->t[0].family == NFPROTO_IPV4 ? "ipv4" : "ipv6",
	       proto_name(e->t[0].proto), e->t[0].proto,
	       e->timeout);
	if (e->tcp)
		printf("\"state\":\"%s\",", tcp_state_name(e->tcp_state));
	json_tuple("original", &e->t[0], &e->c[0]);
	putchar(',');
	json_tuple("reply", &e->t[1], &e->c[1]);
	printf(",\"unreplied\":%s,\"assured\":%s,\"mark\":%u,\"use\":%u,\"start_ns\":%" PRIu64 "}\n",
	       e->status & CTRACK_S_SEEN_REPLY ? "false" : "true",
	       e->status & CTRACK_S_ASSURED ? "true" : "false", e->mark, e->use,
	       e->start);
}

struct list_ctx {
	const struct opts *o;
	unsigned int n;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *ctx = data;
	struct entry e;

	parse_entry(nlh, &e);
	if (ctx->o->out == OUT_JSON)
		print_json(&e);
	else
		print_default(&e);
	ctx->n++;
	return MNL_CB_OK;
}

static int cmd_list(const struct opts *o)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct list_ctx ctx = { .o = o };
	struct nlmsghdr *nlh;
	int err;

	nlh = new_msg(buf, family_id, CTRACK_CMD_GET, NLM_F_DUMP);
	if (o->family)
		mnl_attr_put_u8(nlh, CTRACK_A_FAMILY, o->family);
	if (o->proto >= 0)
		mnl_attr_put_u8(nlh, CTRACK_A_PROTO, o->proto);
	err = talk(nlh, list_cb, &ctx);
	if (err)
		fail_errno("listing the table", -err);
	fflush(stdout);
	fprintf(stderr, "ctrack v%s: %u flow entries have been shown.\n",
		CTRACK_TOOLS_VERSION, ctx.n);
	return 0;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRACK_A_COUNT)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int cmd_count(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t count = 0;
	int err;

	err = talk(new_msg(buf, family_id, CTRACK_CMD_COUNT, NLM_F_ACK), count_cb, &count);
	if (err)
		fail_errno("counting the table", -err);
	printf("%u\n", count);
	return 0;
}

/* conntrack -S's layout: one line per CPU, "name=value" pairs. */
static int stats_cb(const struct nlmsghdr *nlh, void *data __attribute__((unused)))
{
	struct nlattr *a, *s;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		unsigned int cpu = 0;

		if (mnl_attr_get_type(a) != CTRACK_A_STATS_CPU)
			continue;
		mnl_attr_for_each_nested(s, a)
			if (mnl_attr_get_type(s) == CTRACK_STAT_A_CPU)
				cpu = mnl_attr_get_u32(s);
		printf("cpu=%-4u", cpu);
		mnl_attr_for_each_nested(s, a) {
			unsigned int t = mnl_attr_get_type(s);

			if (t >= CTRACK_STAT_A_FOUND && t <= CTRACK_STAT_A_EXPIRED)
				printf(" %s=%" PRIu64, stat_names[t - CTRACK_STAT_A_FOUND],
				       mnl_attr_get_u64(s));
		}
		putchar('\n');
	}
	return MNL_CB_OK;
}

static int cmd_stats(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err;

	err = talk(new_msg(buf, family_id, CTRACK_CMD_STATS, NLM_F_ACK), stats_cb, NULL);
	if (err)
		fail_errno("reading the counters", -err);
	return 0;
}

static int cmd_flush(const struct opts *o)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = new_msg(buf, family_id, CTRACK_CMD_FLUSH, NLM_F_ACK);
	if (o->family)
		mnl_attr_put_u8(nlh, CTRACK_A_FAMILY, o->family);
	err = talk(nlh, NULL, NULL);
	if (err)
		fail_errno("flushing the table", -err);
	fprintf(stderr, "ctrack v%s: connection tracking table has been emptied.\n",
		CTRACK_TOOLS_VERSION);
	return 0;
}

static void set_cmd(struct opts *o, char c)
{
	if (o->cmd)
		usage_error("only one command at a time (-%c and -%c)", o->cmd, c);
	o->cmd = c;
}

static int parse_proto(const char *s)
{
	struct protoent *pe;
	char *end;
	long v;

	if (!strcmp(s, "icmpv6"))
		return IPPROTO_ICMPV6;
	v = strtol(s, &end, 10);
	if (*s && !*end) {
		if (v < 0 || v > 255)
			usage_error("protocol number out of range: %s", s);
		return v;
	}
	pe = getprotobyname(s);
	if (!pe)
		usage_error("unknown protocol: %s", s);
	return pe->p_proto;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dump", no_argument, NULL, 'L' },
		{ "count", no_argument, NULL, 'C' },
		{ "stats", no_argument, NULL, 'S' },
		{ "flush", no_argument, NULL, 'F' },
		{ "family", required_argument, NULL, 'f' },
		{ "proto", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	struct opts o = { .proto = -1 };
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":LCSFf:p:o:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'L': case 'C': case 'S': case 'F':
			set_cmd(&o, c);
			break;
		case 'f':
			if (!strcmp(optarg, "ipv4"))
				o.family = NFPROTO_IPV4;
			else if (!strcmp(optarg, "ipv6"))
				o.family = NFPROTO_IPV6;
			else
				usage_error("unknown family: %s (ipv4 or ipv6)", optarg);
			break;
		case 'p':
			o.proto = parse_proto(optarg);
			break;
		case 'o':
			if (strcmp(optarg, "json"))
				usage_error("unknown output format: %s", optarg);
			o.out = OUT_JSON;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ctrack v%s\n", CTRACK_TOOLS_VERSION);
			return 0;
		case ':':
			usage_error("option %s needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option: %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument: %s", argv[optind]);
	if (!o.cmd)
		usage_error("no command given (-L, -C, -S or -F)");
	if ((o.proto >= 0 || o.out) && o.cmd != 'L')
		usage_error("-p and -o go with -L only");
	if (o.family && o.cmd != 'L' && o.cmd != 'F')
		usage_error("-f goes with -L and -F only");

	open_family();
	switch (o.cmd) {
	case 'L': return cmd_list(&o);
	case 'C': return cmd_count();
	case 'S': return cmd_stats();
	case 'F': return cmd_flush(&o);
	}
	return 2;
}
