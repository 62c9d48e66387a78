// SPDX-License-Identifier: GPL-2.0
/*
 * ctnl: send one hand-built request to the "ctrack" generic netlink family
 * and print what the kernel answered. For negative tests: any message,
 * malformed or not, can be written on the command line.
 *
 *   ctnl [--dump] [--flags=N] [--len=N] [--hex] CMD [ITEM...]
 *	CMD is get, new, update, delete, flush, count, stats, zero or a
 *	command number (0-255). The request always asks for an ack.
 *	--dump     add NLM_F_DUMP
 *	--flags=N  add these nlmsg_flags bits
 *	--len=N    send N bytes and say so in nlmsg_len, whatever was built
 *	--hex      print the request in hex (family id 0) instead of sending it
 *   ctnl join GROUP
 *	join the family's multicast group GROUP (new, update, destroy)
 *
 * Items, appended in order (TYPE and numbers: decimal, 0x hex or 0 octal):
 *	u8:TYPE=V u16:TYPE=V u32:TYPE=V u64:TYPE=V   host-order integers
 *	be16:TYPE=V be32:TYPE=V                      network-order integers
 *	ip:TYPE=ADDR      4 or 16 bytes of an IPv4 or IPv6 address
 *	bin:TYPE=HEX      any payload (HEX may be empty)
 *	str:TYPE=TEXT     TEXT and its NUL
 *	nest:TYPE{ ... }  a nest (NLA_F_NESTED set); "}" ends it
 *	lnest:TYPE{ ... } a nest without NLA_F_NESTED
 *	raw:HEX           bytes as they are: no header, no alignment
 * An attribute starts 4-byte aligned and is padded to 4 bytes; a nest's
 * length covers exactly what it holds (raw bytes too).
 *
 * Prints one line:
 *	errno=N [entries=N] [miss=T] [miss_nest=OFF] [offs=OFF] [msg=TEXT]
 * errno is 0 for an ack and the positive error otherwise (a dump: the
 * error of its NLMSG_DONE or NLMSG_ERROR); entries counts a dump's entry
 * messages; miss, miss_nest, offs and msg are the extended ack's
 * NLMSGERR_ATTR_MISS_TYPE, _MISS_NEST, _OFFS and _MSG when it has them.
 *
 * Exit code: 0 when the kernel answered (whatever it said), 1 on a local
 * failure (no socket, no family, no answer), 2 on bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ctrack.h>

/* Seconds to wait for the kernel: long enough for a debug kernel. */
#define CTNL_TIMEOUT_S 30
#define MAX_DEPTH 16
#define MAX_GROUPS 16

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const cmd_names[] = {
	[CTRACK_CMD_GET] = "get",
	[CTRACK_CMD_NEW] = "new",
	[CTRACK_CMD_UPDATE] = "update",
	[CTRACK_CMD_DELETE] = "delete",
	[CTRACK_CMD_FLUSH] = "flush",
	[CTRACK_CMD_COUNT] = "count",
	[CTRACK_CMD_STATS] = "stats",
	[CTRACK_CMD_ZERO] = "zero",
};

/* The request being built. */
static union {
	struct nlmsghdr nlh;
	unsigned char b[16384];
} req;
static size_t req_len;
static size_t nests[MAX_DEPTH];
static int depth;

/* What the family lookup found. */
static uint16_t family_id;
static struct {
	char name[GENL_NAMSIZ];
	uint32_t id;
} groups[MAX_GROUPS];
static int n_groups;

/* What the kernel answered. */
struct answer {
	bool done;
	int err;
	unsigned int entries;
	bool has_miss, has_nest, has_offs;
	uint32_t miss, nest, offs;
	char msg[512];
};

static struct mnl_socket *nl;
static unsigned char rbuf[1 << 16];

static noreturn void usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ctnl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: ctnl [--dump] [--flags=N] [--len=N] [--hex] CMD [ITEM...]\n"
	      "       ctnl join GROUP\n"
	      "items: u8|u16|u32|u64|be16|be32|ip|bin|str:TYPE=V, nest:TYPE{ ... },\n"
	      "       lnest:TYPE{ ... }, raw:HEX (see the top of ctnl.c)\n", stderr);
	exit(2);
}

static noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("ctnl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned long long number(const char *s, unsigned long long max,
				 const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *s == '-' || *end || errno || v > max)
		usage("bad %s '%s' (at most %llu)", what, s, max);
	return v;
}

/* Append @n bytes as they are. */
static void put_raw(const void *p, size_t n)
{
	if (n > sizeof(req.b) - req_len)
		usage("request longer than %zu bytes", sizeof(req.b));
	memcpy(req.b + req_len, p, n);
	req_len += n;
}

static void put_pad(void)
{
	static const unsigned char zero[NLA_ALIGNTO];

	put_raw(zero, NLA_ALIGN(req_len) - req_len);
}

static void put_attr(uint16_t type, const void *p, size_t n)
{
	struct nlattr a = { .nla_type = type };

	if (NLA_HDRLEN + n > UINT16_MAX)
		usage("attribute of %zu bytes does not fit nla_len", n);
	a.nla_len = NLA_HDRLEN + n;
	put_pad();
	put_raw(&a, sizeof(a));
	put_raw(p, n);
	put_pad();
}

/* HEX (digits only, an even number of them) into @out; returns the count. */
static size_t parse_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	if (strlen(s) % 2)
		usage("odd number of hex digits in '%s'", s);
	for (; *s; s += 2) {
		if (n == max || sscanf(s, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[0]) ||
		    !strchr("0123456789abcdefABCDEF", s[1]))
			usage("bad hex bytes '%s'", s);
		out[n++] = v;
	}
	return n;
}

static void nest_begin(uint16_t type)
{
	struct nlattr a = { .nla_type = type };

	if (depth == MAX_DEPTH)
		usage("nests deeper than %d", MAX_DEPTH);
	put_pad();
	nests[depth++] = req_len;
	put_raw(&a, sizeof(a));
}

static void nest_end(void)
{
	struct nlattr *a;
	size_t len;

	if (!depth)
		usage("'}' without a nest");
	a = (struct nlattr *)(req.b + nests[--depth]);
	len = req_len - nests[depth];
	if (len > UINT16_MAX)
		usage("nest of %zu bytes does not fit nla_len", len);
	a->nla_len = len;
}

/* One ITEM of the command line. */
static void add_item(const char *arg)
{
	unsigned char bytes[sizeof(req.b)];
	const char *colon = strchr(arg, ':'), *val, *brace;
	char kind[8], tbuf[16];
	uint16_t type;
	size_t klen, n;

	if (!strcmp(arg, "}")) {
		nest_end();
		return;
	}
	klen = colon ? (size_t)(colon - arg) : 0;
	if (!klen || klen >= sizeof(kind))
		usage("bad item '%s'", arg);
	memcpy(kind, arg, klen);
	kind[klen] = '\0';
	if (!strcmp(kind, "raw")) {
		put_raw(bytes, parse_hex(colon + 1, bytes, sizeof(bytes)));
		return;
	}
	if (!strcmp(kind, "nest") || !strcmp(kind, "lnest")) {
		brace = strchr(colon, '{');
		n = brace ? (size_t)(brace - colon - 1) : 0;
		if (!brace || brace[1] || !n || n >= sizeof(tbuf))
			usage("bad nest '%s' (nest:TYPE{)", arg);
		memcpy(tbuf, colon + 1, n);
		tbuf[n] = '\0';
		type = number(tbuf, UINT16_MAX, "attribute type");
		nest_begin(kind[0] == 'n' ? type | NLA_F_NESTED : type);
		return;
	}
	val = strchr(colon, '=');
	n = val ? (size_t)(val - colon - 1) : 0;
	if (!n || n >= sizeof(tbuf))
		usage("bad item '%s' (KIND:TYPE=VALUE)", arg);
	memcpy(tbuf, colon + 1, n);
	tbuf[n] = '\0';
	type = number(tbuf, UINT16_MAX, "attribute type");
	val++;

	if (!strcmp(kind, "u8")) {
		uint8_t x = number(val, UINT8_MAX, "u8");

		put_attr(type, &x, sizeof(x));
	} else if (!strcmp(kind, "u16")) {
		uint16_t x = number(val, UINT16_MAX, "u16");

		put_attr(type, &x, sizeof(x));
	} else if (!strcmp(kind, "u32")) {
		uint32_t x = number(val, UINT32_MAX, "u32");

		put_attr(type, &x, sizeof(x));
	} else if (!strcmp(kind, "u64")) {
		uint64_t x = number(val, UINT64_MAX, "u64");

		put_attr(type, &x, sizeof(x));
	} else if (!strcmp(kind, "be16")) {
		uint16_t x = htons(number(val, UINT16_MAX, "be16"));

		put_attr(type, &x, sizeof(x));
	} else if (!strcmp(kind, "be32")) {
		uint32_t x = htonl(number(val, UINT32_MAX, "be32"));

		put_attr(type, &x, sizeof(x));
	} else if (!strcmp(kind, "ip")) {
		if (inet_pton(AF_INET, val, bytes) == 1)
			put_attr(type, bytes, 4);
		else if (inet_pton(AF_INET6, val, bytes) == 1)
			put_attr(type, bytes, 16);
		else
			usage("bad address '%s'", val);
	} else if (!strcmp(kind, "bin")) {
		put_attr(type, bytes, parse_hex(val, bytes, sizeof(bytes)));
	} else if (!strcmp(kind, "str")) {
		put_attr(type, val, strlen(val) + 1);
	} else {
		usage("unknown item kind '%s'", kind);
	}
}

/* The headers of the request; the family id comes later. */
static void begin(uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr g = { .cmd = cmd, .version = CTRACK_GENL_VERSION };
	struct nlmsghdr h = {
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags,
		.nlmsg_seq = 2,
	};

	put_raw(&h, sizeof(h));
	put_raw(&g, sizeof(g));
}

/* The extended ack's attributes, @off bytes into @nlh's payload. */
static void parse_tlvs(const struct nlmsghdr *nlh, size_t off, struct answer *ans)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(a, nlh, off) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				snprintf(ans->msg, sizeof(ans->msg), "%s",
					 mnl_attr_get_str(a));
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
				ans->has_miss = true;
				ans->miss = mnl_attr_get_u32(a);
			}
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
				ans->has_nest = true;
				ans->nest = mnl_attr_get_u32(a);
			}
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
				ans->has_offs = true;
				ans->offs = mnl_attr_get_u32(a);
			}
			break;
		}
	}
}

static void parse_error(const struct nlmsghdr *nlh, struct answer *ans)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(e->error))
		fail("truncated NLMSG_ERROR");
	ans->err = -e->error;
	ans->done = true;
	/* Without NETLINK_CAP_ACK the request follows, then the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    mnl_nlmsg_get_payload_len(nlh) >= sizeof(*e))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	parse_tlvs(nlh, off, ans);
}

static void parse_done(const struct nlmsghdr *nlh, struct answer *ans)
{
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	ans->err = -err;
	ans->done = true;
	parse_tlvs(nlh, sizeof(err), ans);
}

/*
 * Send the request and read until its ack, error or NLMSG_DONE; @cb sees
 * every other message of the answer.
 */
static void talk(const struct nlmsghdr *msg, size_t len, struct answer *ans,
		 void (*cb)(const struct nlmsghdr *nlh))
{
	uint32_t portid = mnl_socket_get_portid(nl);
	uint32_t seq = msg->nlmsg_seq;
	const struct nlmsghdr *nlh;
	ssize_t n;
	int rest;

	memset(ans, 0, sizeof(*ans));
	if (mnl_socket_sendto(nl, msg, len) < 0)
		fail("sending the request: %s", strerror(errno));
	while (!ans->done) {
		n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n < 0)
			fail("no answer: %s", strerror(errno));
		rest = n;
		for (nlh = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, rest);
		     nlh = mnl_nlmsg_next(nlh, &rest)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				parse_error(nlh, ans);
			else if (nlh->nlmsg_type == NLMSG_DONE)
				parse_done(nlh, ans);
			else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && cb)
				cb(nlh);
			if (ans->done)
				break;
		}
	}
}

static void family_cb(const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *g, *f;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			family_id = mnl_attr_get_u16(a);
		if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		mnl_attr_for_each_nested(g, a) {
			if (n_groups == MAX_GROUPS)
				break;
			mnl_attr_for_each_nested(f, g) {
				if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_ID)
					groups[n_groups].id = mnl_attr_get_u32(f);
				else if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_NAME)
					snprintf(groups[n_groups].name, GENL_NAMSIZ,
						 "%s", mnl_attr_get_str(f));
			}
			n_groups++;
		}
	}
}

static void open_family(void)
{
	struct timeval tv = { .tv_sec = CTNL_TIMEOUT_S };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct genlmsghdr *g;
	struct nlmsghdr *nlh;
	struct answer ans;
	int one = 1;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		fail("netlink socket: %s", strerror(errno));
	if (mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv)))
		fail("socket options: %s", strerror(errno));

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTRACK_GENL_NAME);
	talk(nlh, nlh->nlmsg_len, &ans, family_cb);
	if (ans.err || !family_id)
		fail("no generic netlink family \"%s\" (%s)", CTRACK_GENL_NAME,
		     ans.err ? strerror(ans.err) : "no id");
}

static int join(const char *name)
{
	int i;

	for (i = 0; i < n_groups; i++) {
		if (strcmp(groups[i].name, name))
			continue;
		if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &groups[i].id,
					  sizeof(groups[i].id)))
			printf("errno=%d\n", errno);
		else
			printf("errno=0\n");
		return 0;
	}
	fail("the family has no multicast group \"%s\"", name);
}

static unsigned int entries;

static void entry_cb(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_type == family_id)
		entries++;
}

static void print_answer(const struct answer *ans, bool dump)
{
	printf("errno=%d", ans->err);
	if (dump)
		printf(" entries=%u", entries);
	if (ans->has_miss)
		printf(" miss=%u", ans->miss);
	if (ans->has_nest)
		printf(" miss_nest=%u", ans->nest);
	if (ans->has_offs)
		printf(" offs=%u", ans->offs);
	if (ans->msg[0])
		printf(" msg=%s", ans->msg);
	putchar('\n');
}

int main(int argc, char **argv)
{
	unsigned long long flags = 0, len = 0;
	struct answer ans;
	bool dump = false, show = false;
	unsigned int i;
	int cmd = -1;

	for (argv++, argc--; argc && !strncmp(*argv, "--", 2); argv++, argc--) {
		if (!strcmp(*argv, "--dump"))
			dump = true;
		else if (!strncmp(*argv, "--flags=", 8))
			flags = number(*argv + 8, UINT16_MAX, "flags");
		else if (!strcmp(*argv, "--hex"))
			show = true;
		else if (!strncmp(*argv, "--len=", 6))
			len = number(*argv + 6, sizeof(req.b), "length");
		else
			usage("unknown option %s", *argv);
	}
	if (!argc)
		usage("no command");
	if (len && len < NLMSG_HDRLEN)
		usage("--len below %d: the kernel would not answer", NLMSG_HDRLEN);

	if (!strcmp(*argv, "join")) {
		if (argc != 2 || dump || flags || len || show)
			usage("join takes one group name and no option");
		open_family();
		return join(argv[1]);
	}

	for (i = 0; i < ARRAY_SIZE(cmd_names); i++)
		if (cmd_names[i] && !strcmp(*argv, cmd_names[i]))
			cmd = i;
	if (cmd < 0)
		cmd = number(*argv, UINT8_MAX, "command");

	/* The whole request is built before the kernel is asked anything. */
	begin(cmd, (dump ? NLM_F_DUMP : 0) | flags);
	while (*++argv)
		add_item(*argv);
	if (depth)
		usage("%d nest(s) not closed with '}'", depth);
	if (len) {
		if (len > req_len)
			memset(req.b + req_len, 0, len - req_len);
		req_len = len;
	}
	req.nlh.nlmsg_len = req_len;
	if (show) {
		for (i = 0; i < req_len; i++)
			printf("%02x%s", req.b[i], i % 4 == 3 ? " " : "");
		putchar('\n');
		return 0;
	}

	open_family();
	req.nlh.nlmsg_type = family_id;
	talk(&req.nlh, req_len, &ans, entry_cb);
	print_answer(&ans, dump);
	return 0;
}
