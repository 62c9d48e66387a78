// SPDX-License-Identifier: GPL-2.0
/*
 * ctrack: inspect and manage ctrack's connection table, in the manner of
 * conntrack(8). ctrack.8 documents every option; --help summarises it.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/ctrack.h>

#ifndef CTRACK_TOOLS_VERSION
#define CTRACK_TOOLS_VERSION "0"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const tcp_states[__CTRACK_TCP_MAX] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

/* Column names of /proc/net/stat/ctrack, in CTRACK_STAT_A_* order. */
static const char *const stat_names[] = {
	"found", "new", "invalid", "ignore", "insert", "insert_failed",
	"drop", "early_drop", "error", "search_restart", "verdict_miss",
	"related", "expired", "event_lost",
};

/* What each counter means, for -o prometheus's HELP lines. */
static const char *const stat_help[] = {
	"Lookups that found an entry.",
	"Entries created for a new flow.",
	"Packets classified INVALID.",
	"Packets never tracked (UNTRACKED).",
	"Entries confirmed into the table.",
	"Entries that lost the race for their tuple.",
	"New flows dropped because the table was full.",
	"Entries evicted to make room.",
	"Allocation failures.",
	"Lookups restarted.",
	"Packets whose verdict a later hook did not find.",
	"ICMP errors related to an entry.",
	"Entries removed on timeout.",
	"Events that could not be built or delivered.",
};

_Static_assert(ARRAY_SIZE(stat_names) == CTRACK_STAT_A_EVENT_LOST, "stat names");
_Static_assert(ARRAY_SIZE(stat_help) == ARRAY_SIZE(stat_names), "stat help");

/* -o flags */
#define OUT_EXTENDED	0x01
#define OUT_ID		0x02
#define OUT_TIMESTAMP	0x04
#define OUT_XML		0x08
#define OUT_JSON	0x10
#define OUT_PROMETHEUS	0x20

/* Address and port slots, in CTRACK_FA_* pair order. */
enum { ORIG_SRC, ORIG_DST, REPLY_SRC, REPLY_DST, NSLOTS };

/* The filters and parameters given on the command line. */
struct opts {
	char cmd;
	unsigned int has;	/* 1 << CTRACK_FA_* given */
	uint8_t family, proto;
	uint8_t addr[NSLOTS][16];
	uint8_t plen[NSLOTS];
	uint16_t port[NSLOTS];
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;
	uint8_t tcp_state;
	uint32_t status, status_mask;	/* -u as a filter */
	uint32_t set_status;		/* -u for -I and -U */
	bool unreplied;			/* -u UNREPLIED was given */
	uint32_t mark, mark_mask;
	bool has_timeout;
	uint32_t timeout;
	bool zero;
	unsigned int out;
	unsigned int events;		/* 1 << CTRACK_EV-like index */
	int bufsize;
};

#define HAS(o, fa) ((o)->has & (1U << CTRACK_FA_##fa))
#define HAS_SLOT_ADDR(o, i) ((o)->has & (1U << (CTRACK_FA_ORIG_SRC + 2 * (i))))
#define HAS_SLOT_PORT(o, i) ((o)->has & (1U << (CTRACK_FA_ORIG_SPORT + (i))))

static struct mnl_socket *nl;
static uint16_t family_id;
static unsigned int seq;
static char ext_msg[256];	/* the kernel's extack message of the last error */
static volatile sig_atomic_t stop;

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
	if (ext_msg[0])
		fail("%s: %s", what, ext_msg);
	fail("%s: %s", what, strerror(err));
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ctrack COMMAND [OPTIONS]\n"
		"Commands:\n"
		"  -L, --dump                 list the entries that match the filters\n"
		"  -G, --get                  show the entry of a full tuple\n"
		"  -D, --delete               delete the entry of a full tuple, or every match\n"
		"  -I, --create               create an entry (full tuple, -t, --state for TCP)\n"
		"  -U, --update               change -t, -m, -u of one entry or of every match\n"
		"  -E, --event                print events as they happen\n"
		"  -F, --flush                delete every entry\n"
		"  -C, --count                show the number of entries\n"
		"  -S, --stats                show the counters of each CPU\n"
		"Filters and parameters:\n"
		"  -f, --family FAMILY        ipv4 or ipv6\n"
		"  -p, --proto PROTO          protocol name or number\n"
		"  -s, --src, --orig-src ADDR[/LEN]   original source\n"
		"  -d, --dst, --orig-dst ADDR[/LEN]   original destination\n"
		"  -r, --reply-src ADDR[/LEN]         reply source\n"
		"  -q, --reply-dst ADDR[/LEN]         reply destination\n"
		"      --sport, --orig-port-src PORT  original source port\n"
		"      --dport, --orig-port-dst PORT  original destination port\n"
		"      --reply-port-src PORT          reply source port\n"
		"      --reply-port-dst PORT          reply destination port\n"
		"      --state STATE          TCP state (with -p tcp)\n"
		"      --icmp-type TYPE       ICMP type (with -p icmp or icmpv6)\n"
		"      --icmp-code CODE       ICMP code\n"
		"      --icmp-id ID           ICMP identifier\n"
		"  -m, --mark MARK[/MASK]     mark (-I, -U: the mark to set)\n"
		"  -u, --status LIST          ASSURED,SEEN_REPLY,UNREPLIED (-I, -U: bits to set)\n"
		"  -t, --timeout SECONDS      timeout (-I, -U)\n"
		"  -z, --zero                 reset counters after reading them (-L, -G)\n"
		"  -e, --event-mask LIST      NEW,UPDATE,DESTROY or ALL (-E)\n"
		"  -b, --buffer-size BYTES    socket receive buffer\n"
		"  -o, --output LIST          extended,id,timestamp,xml,json; prometheus (-S)\n"
		"  -h, --help                 this text\n"
		"  -V, --version              the version\n");
}

/* Netlink plumbing ------------------------------------------------------ */

static int ext_attr_cb(const struct nlattr *a, void *data __attribute__((unused)))
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(ext_msg, sizeof(ext_msg), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* Keep the extack message of an error or of a dump's end. */
static void read_extack(const struct nlmsghdr *nlh, unsigned int off)
{
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, off, ext_attr_cb, NULL);
}

static int error_cb(const struct nlmsghdr *nlh, void *data __attribute__((unused)))
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	read_extack(nlh, off);
	errno = -err->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data __attribute__((unused)))
{
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (!err)
		return MNL_CB_STOP;
	read_extack(nlh, sizeof(int));
	errno = -err;
	return MNL_CB_ERROR;
}

static int noop_cb(const struct nlmsghdr *nlh __attribute__((unused)),
		   void *data __attribute__((unused)))
{
	return MNL_CB_OK;
}

/* Not const: libmnl's prototype wants a writable array. */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = noop_cb,
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
	[NLMSG_OVERRUN] = noop_cb,
};

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
 * Returns 0 or a negative errno (the kernel's message in ext_msg).
 */
static int talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static char buf[1 << 16];
	unsigned int portid = mnl_socket_get_portid(nl);
	int n;

	ext_msg[0] = '\0';
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		n = mnl_cb_run2(buf, n, nlh->nlmsg_seq, portid, cb, data,
				ctl_cbs, ARRAY_SIZE(ctl_cbs));
		if (n <= MNL_CB_STOP)
			break;
	}
	return n < 0 ? -errno : 0;
}

/* Resolve the family id and, for -E, the ids of the groups. */
struct family_info {
	uint32_t groups[3];	/* new, update, destroy */
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	static const char *const names[] = {
		CTRACK_MCGRP_NEW, CTRACK_MCGRP_UPDATE, CTRACK_MCGRP_DESTROY,
	};
	struct family_info *fi = data;
	struct nlattr *a, *g, *f;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			family_id = mnl_attr_get_u16(a);
		if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		mnl_attr_for_each_nested(g, a) {
			const char *name = NULL;
			uint32_t id = 0;
			unsigned int i;

			mnl_attr_for_each_nested(f, g) {
				if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_NAME)
					name = mnl_attr_get_str(f);
				else if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_ID)
					id = mnl_attr_get_u32(f);
			}
			for (i = 0; name && i < ARRAY_SIZE(names); i++)
				if (!strcmp(name, names[i]))
					fi->groups[i] = id;
		}
	}
	return MNL_CB_OK;
}

static void open_family(const struct opts *o, struct family_info *fi)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int on = 1, err;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		fail_errno("netlink socket", errno);
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &on, sizeof(on));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &on, sizeof(on));
	if (o->bufsize) {
		int fd = mnl_socket_get_fd(nl);

		/* Beyond rmem_max needs privilege; try that first. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &o->bufsize,
			       sizeof(o->bufsize)) < 0 &&
		    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->bufsize,
			       sizeof(o->bufsize)) < 0)
			fail_errno("setting the buffer size", errno);
	}
	nlh = new_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTRACK_GENL_NAME);
	err = talk(nlh, family_cb, fi);
	if (err == -ENOENT || (!err && !family_id))
		fail("the ctrack kernel module is not loaded (modprobe ctrack, or insmod ctrack.ko)");
	if (err)
		fail_errno("looking up the ctrack netlink family", -err);
}

/* Entries as received ---------------------------------------------------- */

struct tuple {
	uint8_t family, proto;
	uint8_t srcb[16], dstb[16];
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	bool has_ports, has_icmp;
	uint16_t sport, dport, icmp_id;
	uint8_t icmp_type, icmp_code;
};

/* Only entries created with net.ctrack.acct on have counters. */
struct counters {
	uint64_t packets, bytes;
	bool has;
};

struct entry {
	uint8_t cmd;		/* of the message: GET, DELETE, NEW, UPDATE */
	struct tuple t[2];
	struct counters c[2];
	uint32_t status, mark, use;
	bool has_timeout;
	uint32_t timeout;
	uint64_t id, start, stop;
	bool tcp;
	uint8_t tcp_state;
};

/*
 * Lines built by hand: a listing of a million entries spends most of its
 * time formatting, and printf() (or inet_ntop(), which uses it for IPv4)
 * parses its format for every field.
 */
static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int i = 0;

	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		*p++ = tmp[--i];
	return p;
}

/* "key=value " */
static char *put_kv(char *p, const char *key, uint64_t v)
{
	p = put_str(p, key);
	p = put_u64(p, v);
	*p++ = ' ';
	return p;
}

static void ipv4_str(const uint8_t *a, char *out)
{
	int i;

	for (i = 0; i < 4; i++) {
		out = put_u64(out, a[i]);
		*out++ = i < 3 ? '.' : '\0';
	}
}

static void parse_addr(const struct nlattr *a, uint8_t family, uint8_t *bin,
		       char *out)
{
	unsigned int len = family == NFPROTO_IPV4 ? 4 : 16;

	if (mnl_attr_get_payload_len(a) == len) {
		memcpy(bin, mnl_attr_get_payload(a), len);
		if (family == NFPROTO_IPV4)
			ipv4_str(bin, out);
		else
			inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN);
	} else {
		strcpy(out, "?");
	}
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
		parse_addr(src, t->family, t->srcb, t->src);
	if (dst)
		parse_addr(dst, t->family, t->dstb, t->dst);
}

static void parse_counters(const struct nlattr *nest, struct counters *c)
{
	struct nlattr *a;

	c->has = true;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == CTRACK_CA_PACKETS)
			c->packets = mnl_attr_get_u64(a);
		else if (mnl_attr_get_type(a) == CTRACK_CA_BYTES)
			c->bytes = mnl_attr_get_u64(a);
	}
}

static void parse_entry(const struct nlmsghdr *nlh, struct entry *e)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a, *p;

	memset(e, 0, sizeof(*e));
	e->cmd = g->cmd;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRACK_A_TUPLE_ORIG: parse_tuple(a, &e->t[0]); break;
		case CTRACK_A_TUPLE_REPLY: parse_tuple(a, &e->t[1]); break;
		case CTRACK_A_COUNTERS_ORIG: parse_counters(a, &e->c[0]); break;
		case CTRACK_A_COUNTERS_REPLY: parse_counters(a, &e->c[1]); break;
		case CTRACK_A_STATUS: e->status = mnl_attr_get_u32(a); break;
		case CTRACK_A_TIMEOUT:
			e->timeout = mnl_attr_get_u32(a);
			e->has_timeout = true;
			break;
		case CTRACK_A_MARK: e->mark = mnl_attr_get_u32(a); break;
		case CTRACK_A_USE: e->use = mnl_attr_get_u32(a); break;
		case CTRACK_A_ID: e->id = mnl_attr_get_u64(a); break;
		case CTRACK_A_START: e->start = mnl_attr_get_u64(a); break;
		case CTRACK_A_STOP: e->stop = mnl_attr_get_u64(a); break;
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

/* The filters, applied in the command (for -E). Mirrors kmod/filter.c. */
static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;
	uint8_t m = (uint8_t)(0xff00 >> rest);

	return !memcmp(a, b, full) && (!rest || !((a[full] ^ b[full]) & m));
}

static bool entry_matches(const struct opts *o, const struct entry *e)
{
	const struct tuple *t = e->t;
	const uint8_t *addr[NSLOTS] = { t[0].srcb, t[0].dstb, t[1].srcb, t[1].dstb };
	uint16_t port[NSLOTS] = { t[0].sport, t[0].dport, t[1].sport, t[1].dport };
	int i;

	if ((HAS(o, FAMILY) && t[0].family != o->family) ||
	    (HAS(o, PROTO) && t[0].proto != o->proto))
		return false;
	for (i = 0; i < NSLOTS; i++) {
		if (HAS_SLOT_ADDR(o, i) && !prefix_eq(addr[i], o->addr[i], o->plen[i]))
			return false;
		if (HAS_SLOT_PORT(o, i) && port[i] != o->port[i])
			return false;
	}
	if ((HAS(o, ICMP_TYPE) && t[0].icmp_type != o->icmp_type) ||
	    (HAS(o, ICMP_CODE) && t[0].icmp_code != o->icmp_code) ||
	    (HAS(o, ICMP_ID) && t[0].icmp_id != o->icmp_id) ||
	    (HAS(o, TCP_STATE) && e->tcp_state != o->tcp_state) ||
	    (HAS(o, STATUS) && (e->status & o->status_mask) != o->status) ||
	    (HAS(o, MARK) && (e->mark & o->mark_mask) != o->mark))
		return false;
	return true;
}

/* Output ------------------------------------------------------------------ */

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

static const char *family_name(uint8_t f)
{
	return f == NFPROTO_IPV4 ? "ipv4" : "ipv6";
}

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case CTRACK_CMD_NEW: return "new";
	case CTRACK_CMD_UPDATE: return "update";
	case CTRACK_CMD_DELETE: return "destroy";
	}
	return "unknown";
}

static void print_date(const char *name, uint64_t ns)
{
	time_t t = ns / 1000000000;
	char buf[64];

	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", localtime(&t));
	printf(" [%s=%s]", name, buf);
}

static char *text_tuple(char *p, const struct tuple *t, const struct counters *c)
{
	p = put_str(p, "src=");
	p = put_str(p, t->src);
	p = put_str(p, " dst=");
	p = put_str(p, t->dst);
	*p++ = ' ';
	if (t->has_ports) {
		p = put_kv(p, "sport=", t->sport);
		p = put_kv(p, "dport=", t->dport);
	} else if (t->has_icmp) {
		p = put_kv(p, "type=", t->icmp_type);
		p = put_kv(p, "code=", t->icmp_code);
		p = put_kv(p, "id=", t->icmp_id);
	}
	if (c->has) {
		p = put_kv(p, "packets=", c->packets);
		p = put_kv(p, "bytes=", c->bytes);
	}
	return p;
}

/* @s padded with blanks to @width, then one more */
static char *put_padded(char *p, const char *s, size_t width)
{
	size_t n = strlen(s);

	p = put_str(p, s);
	while (n++ < width)
		*p++ = ' ';
	*p++ = ' ';
	return p;
}

/* conntrack's line, the same as /proc/net/ctrack's (events: prefixed). */
static void print_default(const struct entry *e, bool event, unsigned int out)
{
	char line[1024], *p = line;

	if (event && (out & OUT_TIMESTAMP)) {
		struct timeval tv;

		gettimeofday(&tv, NULL);
		p += snprintf(p, 32, "[%ld.%06ld] ", (long)tv.tv_sec, (long)tv.tv_usec);
	}
	if (event) {
		char tag[16];

		snprintf(tag, sizeof(tag), "[%s]", event_name(e->cmd));
		for (char *c = tag; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		p += snprintf(p, 16, "%9s ", tag);
	}
	if (out & OUT_EXTENDED) {
		p = put_padded(p, family_name(e->t[0].family), 8);
		p = put_u64(p, e->t[0].family == NFPROTO_IPV4 ? AF_INET : AF_INET6);
		*p++ = ' ';
	}
	p = put_padded(p, proto_name(e->t[0].proto), 8);
	p = put_u64(p, e->t[0].proto);
	*p++ = ' ';
	if (e->has_timeout) {
		p = put_u64(p, e->timeout);
		*p++ = ' ';
	}
	if (e->tcp) {
		p = put_str(p, tcp_state_name(e->tcp_state));
		*p++ = ' ';
	}
	p = text_tuple(p, &e->t[0], &e->c[0]);
	if (!(e->status & CTRACK_S_SEEN_REPLY))
		p = put_str(p, "[UNREPLIED] ");
	p = text_tuple(p, &e->t[1], &e->c[1]);
	if (e->status & CTRACK_S_ASSURED)
		p = put_str(p, "[ASSURED] ");
	p = put_kv(p, "mark=", e->mark);
	p = put_str(p, "use=");
	p = put_u64(p, e->use);
	if (out & OUT_ID)
		p = put_u64(put_str(p, " id="), e->id);
	if (!(out & OUT_TIMESTAMP)) {
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), stdout);
		return;
	}
	fwrite(line, 1, (size_t)(p - line), stdout);
	print_date("start", e->start);
	if (e->stop) {
		print_date("stop", e->stop);
		printf(" delta-time=%" PRIu64, (e->stop - e->start) / 1000000000);
	}
	putchar('\n');
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
	if (c->has)
		printf(",\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64, c->packets,
		       c->bytes);
	putchar('}');
}

/* One object a line; the key names are documented in ctrack.8. */
static void print_json(const struct entry *e, bool event)
{
	putchar('{');
	if (event)
		printf("\"event\":\"%s\",", event_name(e->cmd));
	printf("\"id\":%" PRIu64 ",\"family\":\"%s\",\"proto\":\"%s\",\"protonum\":%u,",
	       e->id, family_name(e->t[0].family), proto_name(e->t[0].proto),
	       e->t[0].proto);
	if (e->has_timeout)
		printf("\"timeout\":%u,", e->timeout);
	if (e->tcp)
		printf("\"state\":\"%s\",", tcp_state_name(e->tcp_state));
	json_tuple("original", &e->t[0], &e->c[0]);
	putchar(',');
	json_tuple("reply", &e->t[1], &e->c[1]);
	printf(",\"unreplied\":%s,\"assured\":%s,\"mark\":%u,\"use\":%u,\"start_ns\":%" PRIu64,
	       e->status & CTRACK_S_SEEN_REPLY ? "false" : "true",
	       e->status & CTRACK_S_ASSURED ? "true" : "false", e->mark, e->use,
	       e->start);
	if (e->stop)
		printf(",\"stop_ns\":%" PRIu64, e->stop);
	printf("}\n");
}

static void xml_tuple(const char *dir, const struct tuple *t,
		      const struct counters *c)
{
	printf("<meta direction=\"%s\"><layer3 protonum=\"%u\" protoname=\"%s\">"
	       "<src>%s</src><dst>%s</dst></layer3>", dir,
	       t->family == NFPROTO_IPV4 ? AF_INET : AF_INET6,
	       family_name(t->family), t->src, t->dst);
	printf("<layer4 protonum=\"%u\" protoname=\"%s\">", t->proto,
	       proto_name(t->proto));
	if (t->has_ports)
		printf("<sport>%u</sport><dport>%u</dport>", t->sport, t->dport);
	else if (t->has_icmp)
		printf("<type>%u</type><code>%u</code><id>%u</id>", t->icmp_type,
		       t->icmp_code, t->icmp_id);
	printf("</layer4>");
	if (c->has)
		printf("<counters><packets>%" PRIu64 "</packets><bytes>%" PRIu64
		       "</bytes></counters>", c->packets, c->bytes);
	printf("</meta>");
}

/* conntrack-tools' XML layout: one <flow> a line inside <conntrack>. */
static void print_xml(const struct entry *e, bool event)
{
	if (event)
		printf("<flow type=\"%s\">", event_name(e->cmd));
	else
		printf("<flow>");
	xml_tuple("original", &e->t[0], &e->c[0]);
	xml_tuple("reply", &e->t[1], &e->c[1]);
	printf("<meta direction=\"independent\">");
	if (e->tcp)
		printf("<state>%s</state>", tcp_state_name(e->tcp_state));
	if (e->has_timeout)
		printf("<timeout>%u</timeout>", e->timeout);
	printf("<mark>%u</mark><use>%u</use><id>%" PRIu64 "</id>", e->mark,
	       e->use, e->id);
	if (e->status & CTRACK_S_ASSURED)
		printf("<assured/>");
	if (!(e->status & CTRACK_S_SEEN_REPLY))
		printf("<unreplied/>");
	if (e->stop)
		printf("<deltatime>%" PRIu64 "</deltatime>",
		       (e->stop - e->start) / 1000000000);
	printf("</meta></flow>\n");
}

static void xml_begin(const struct opts *o)
{
	if (o->out & OUT_XML)
		printf("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<conntrack>\n");
}

static void xml_end(const struct opts *o)
{
	if (o->out & OUT_XML)
		printf("</conntrack>\n");
}

static void print_entry(const struct opts *o, const struct entry *e, bool event)
{
	if (o->out & OUT_XML)
		print_xml(e, event);
	else if (o->out & OUT_JSON)
		print_json(e, event);
	else
		print_default(e, event, o->out);
}

static void summary(const char *what, unsigned int n)
{
	fflush(stdout);
	/* conntrack's words, plural even for one: scripts match them. */
	fprintf(stderr, "ctrack v%s: %u flow entries have been %s.\n",
		CTRACK_TOOLS_VERSION, n, what);
}

/* Requests ---------------------------------------------------------------- */

static void put_filter(struct nlmsghdr *nlh, const struct opts *o)
{
	unsigned int alen = o->family == NFPROTO_IPV4 ? 4 : 16;
	struct nlattr *nest;
	int i;

	if (!o->has)
		return;
	nest = mnl_attr_nest_start(nlh, CTRACK_A_FILTER);
	if (HAS(o, FAMILY))
		mnl_attr_put_u8(nlh, CTRACK_FA_FAMILY, o->family);
	if (HAS(o, PROTO))
		mnl_attr_put_u8(nlh, CTRACK_FA_PROTO, o->proto);
	for (i = 0; i < NSLOTS; i++) {
		if (HAS_SLOT_ADDR(o, i)) {
			mnl_attr_put(nlh, CTRACK_FA_ORIG_SRC + 2 * i, alen, o->addr[i]);
			mnl_attr_put_u8(nlh, CTRACK_FA_ORIG_SRC_PLEN + 2 * i, o->plen[i]);
		}
		if (HAS_SLOT_PORT(o, i))
			mnl_attr_put_u16(nlh, CTRACK_FA_ORIG_SPORT + i, htons(o->port[i]));
	}
	if (HAS(o, ICMP_TYPE))
		mnl_attr_put_u8(nlh, CTRACK_FA_ICMP_TYPE, o->icmp_type);
	if (HAS(o, ICMP_CODE))
		mnl_attr_put_u8(nlh, CTRACK_FA_ICMP_CODE, o->icmp_code);
	if (HAS(o, ICMP_ID))
		mnl_attr_put_u16(nlh, CTRACK_FA_ICMP_ID, htons(o->icmp_id));
	if (HAS(o, TCP_STATE))
		mnl_attr_put_u8(nlh, CTRACK_FA_TCP_STATE, o->tcp_state);
	if (HAS(o, STATUS)) {
		mnl_attr_put_u32(nlh, CTRACK_FA_STATUS, o->status);
		mnl_attr_put_u32(nlh, CTRACK_FA_STATUS_MASK, o->status_mask);
	}
	if (HAS(o, MARK)) {
		mnl_attr_put_u32(nlh, CTRACK_FA_MARK, o->mark);
		mnl_attr_put_u32(nlh, CTRACK_FA_MARK_MASK, o->mark_mask);
	}
	mnl_attr_nest_end(nlh, nest);
}

static bool is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE;
}

/* Do the options name one entry? Sets *@dir to the tuple they give. */
static bool full_tuple(const struct opts *o, int *dir)
{
	unsigned int alen = o->family == NFPROTO_IPV4 ? 32 : 128;
	int d;

	if (!HAS(o, PROTO))
		return false;
	for (d = 0; d < 2; d++) {
		int s = 2 * d;

		if (!HAS_SLOT_ADDR(o, s) || !HAS_SLOT_ADDR(o, s + 1) ||
		    o->plen[s] != alen || o->plen[s + 1] != alen)
			continue;
		if (has_ports(o->proto) &&
		    (!HAS_SLOT_PORT(o, s) || !HAS_SLOT_PORT(o, s + 1)))
			continue;
		if (is_icmp(o->proto) &&
		    (d || !HAS(o, ICMP_TYPE) || !HAS(o, ICMP_CODE) || !HAS(o, ICMP_ID)))
			continue;
		*dir = d;
		return true;
	}
	return false;
}

static void put_tuple(struct nlmsghdr *nlh, const struct opts *o, int dir)
{
	unsigned int alen = o->family == NFPROTO_IPV4 ? 4 : 16;
	struct nlattr *nest;
	int s = 2 * dir;

	nest = mnl_attr_nest_start(nlh, dir ? CTRACK_A_TUPLE_REPLY : CTRACK_A_TUPLE_ORIG);
	mnl_attr_put_u8(nlh, CTRACK_TA_FAMILY, o->family);
	mnl_attr_put_u8(nlh, CTRACK_TA_PROTO, o->proto);
	mnl_attr_put(nlh, CTRACK_TA_SRC, alen, o->addr[s]);
	mnl_attr_put(nlh, CTRACK_TA_DST, alen, o->addr[s + 1]);
	if (has_ports(o->proto)) {
		mnl_attr_put_u16(nlh, CTRACK_TA_SPORT, htons(o->port[s]));
		mnl_attr_put_u16(nlh, CTRACK_TA_DPORT, htons(o->port[s + 1]));
	}
	if (is_icmp(o->proto)) {
		mnl_attr_put_u8(nlh, CTRACK_TA_ICMP_TYPE, o->icmp_type);
		mnl_attr_put_u8(nlh, CTRACK_TA_ICMP_CODE, o->icmp_code);
		mnl_attr_put_u16(nlh, CTRACK_TA_ICMP_ID, htons(o->icmp_id));
	}
	mnl_attr_nest_end(nlh, nest);
}

struct list_ctx {
	const struct opts *o;
	unsigned int n;
	struct entry *keep;	/* -U: the entries to update */
	unsigned int nkeep, cap;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *ctx = data;
	struct entry e;

	parse_entry(nlh, &e);
	if (ctx->o->cmd == 'U') {
		if (ctx->nkeep == ctx->cap) {
			ctx->cap = ctx->cap ? 2 * ctx->cap : 256;
			ctx->keep = realloc(ctx->keep, ctx->cap * sizeof(e));
			if (!ctx->keep)
				fail("out of memory");
		}
		ctx->keep[ctx->nkeep++] = e;
		return MNL_CB_OK;
	}
	print_entry(ctx->o, &e, false);
	ctx->n++;
	return MNL_CB_OK;
}

/* -L, and -D or -U without a full tuple: one dump with the filter. */
static int dump(const struct opts *o, uint8_t cmd, struct list_ctx *ctx,
		const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = new_msg(buf, family_id, cmd, NLM_F_DUMP);
	put_filter(nlh, o);
	err = talk(nlh, list_cb, ctx);
	if (err)
		fail_errno(what, -err);
	return 0;
}

static int cmd_list(const struct opts *o)
{
	struct list_ctx ctx = { .o = o };

	dump(o, o->zero ? CTRACK_CMD_ZERO : CTRACK_CMD_GET, &ctx, "listing the table");
	summary("shown", ctx.n);
	return 0;
}

/* One entry by its tuple: GET (and ZERO), DELETE. */
static int one(const struct opts *o, uint8_t cmd, int dir, const char *what,
	       struct list_ctx *ctx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = new_msg(buf, family_id, cmd, NLM_F_ACK);
	put_tuple(nlh, o, dir);
	err = talk(nlh, list_cb, ctx);
	if (err)
		fail_errno(what, -err);
	return 0;
}

static int cmd_get(const struct opts *o, int dir)
{
	struct list_ctx ctx = { .o = o };

	one(o, o->zero ? CTRACK_CMD_ZERO : CTRACK_CMD_GET, dir, "getting the entry", &ctx);
	summary("shown", ctx.n);
	return 0;
}

/*
 * -D with a full tuple deletes that entry, with filters every match in
 * one kernel pass; the kernel reports each deleted entry, final counters
 * included.
 */
static int cmd_delete(const struct opts *o)
{
	struct list_ctx ctx = { .o = o };
	int dir;

	if (full_tuple(o, &dir)) {
		one(o, CTRACK_CMD_DELETE, dir, "deleting the entry", &ctx);
	} else {
		dump(o, CTRACK_CMD_DELETE, &ctx, "deleting entries");
	}
	summary("deleted", ctx.n);
	return 0;
}

static void put_changes(struct nlmsghdr *nlh, const struct opts *o)
{
	if (o->has_timeout)
		mnl_attr_put_u32(nlh, CTRACK_A_TIMEOUT, o->timeout);
	if (HAS(o, MARK))
		mnl_attr_put_u32(nlh, CTRACK_A_MARK, o->mark);
	if (o->set_status)
		mnl_attr_put_u32(nlh, CTRACK_A_STATUS, o->set_status);
}

static int cmd_create(const struct opts *o)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct list_ctx ctx = { .o = o };
	struct nlmsghdr *nlh;
	int err;

	nlh = new_msg(buf, family_id, CTRACK_CMD_NEW, NLM_F_ACK);
	put_tuple(nlh, o, 0);
	put_changes(nlh, o);
	if (o->proto == IPPROTO_TCP) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, CTRACK_A_PROTOINFO);

		mnl_attr_put_u8(nlh, CTRACK_PA_TCP_STATE, o->tcp_state);
		mnl_attr_nest_end(nlh, nest);
	}
	err = talk(nlh, NULL, NULL);
	if (err)
		fail_errno("creating the entry", -err);
	one(o, CTRACK_CMD_GET, 0, "reading the new entry", &ctx);
	summary("created", 1);
	return 0;
}

/* Copy an entry's original tuple into options, for an update by tuple. */
static void tuple_opts(struct opts *u, const struct entry *e)
{
	const struct tuple *t = &e->t[0];
	unsigned int alen = t->family == NFPROTO_IPV4 ? 4 : 16;

	u->family = t->family;
	u->proto = t->proto;
	memcpy(u->addr[ORIG_SRC], t->srcb, alen);
	memcpy(u->addr[ORIG_DST], t->dstb, alen);
	u->port[ORIG_SRC] = t->sport;
	u->port[ORIG_DST] = t->dport;
	u->icmp_type = t->icmp_type;
	u->icmp_code = t->icmp_code;
	u->icmp_id = t->icmp_id;
}

static int update_one(const struct opts *o, int dir, bool quiet_enoent)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = new_msg(buf, family_id, CTRACK_CMD_UPDATE, NLM_F_ACK);
	put_tuple(nlh, o, dir);
	put_changes(nlh, o);
	err = talk(nlh, NULL, NULL);
	if (err == -ENOENT && quiet_enoent)
		return 0;	/* gone since the dump: nothing to update */
	if (err)
		fail_errno("updating the entry", -err);
	return 1;
}

/*
 * -U with a full tuple updates that entry; with filters, every entry the
 * filtered dump returns (as conntrack does), then prints them as updated.
 */
static int cmd_update(const struct opts *o)
{
	struct list_ctx ctx = { .o = o };
	unsigned int i, n = 0;
	struct opts sel;
	int dir;

	if (full_tuple(o, &dir)) {
		update_one(o, dir, false);
		one(o, CTRACK_CMD_GET, dir, "reading the entry", &ctx);
		summary("updated", 1);
		return 0;
	}
	/* -m and -u are the changes, not part of the selection. */
	sel = *o;
	sel.has &= ~((1U << CTRACK_FA_MARK) | (1U << CTRACK_FA_STATUS));
	dump(&sel, CTRACK_CMD_GET, &ctx, "listing the table");
	for (i = 0; i < ctx.nkeep; i++) {
		struct opts u = *o;

		tuple_opts(&u, &ctx.keep[i]);
		n += update_one(&u, 0, true);
	}
	free(ctx.keep);
	summary("updated", n);
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

/* Counters of one CPU (or of all: cpu -1). */
struct cpu_stats {
	int cpu;
	uint64_t v[ARRAY_SIZE(stat_names)];
};

struct stats {
	uint32_t count, max;
	unsigned int ncpu;
	struct cpu_stats cpu[1024];
};

static void parse_stat_nest(const struct nlattr *nest, struct cpu_stats *c)
{
	struct nlattr *s;

	c->cpu = -1;
	mnl_attr_for_each_nested(s, nest) {
		unsigned int t = mnl_attr_get_type(s);

		if (t == CTRACK_STAT_A_CPU)
			c->cpu = (int)mnl_attr_get_u32(s);
		else if (t >= CTRACK_STAT_A_FOUND && t <= ARRAY_SIZE(stat_names))
			c->v[t - CTRACK_STAT_A_FOUND] = mnl_attr_get_u64(s);
	}
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats *st = data;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRACK_A_COUNT: st->count = mnl_attr_get_u32(a); break;
		case CTRACK_A_MAX: st->max = mnl_attr_get_u32(a); break;
		case CTRACK_A_STATS_CPU:
			if (st->ncpu < ARRAY_SIZE(st->cpu))
				parse_stat_nest(a, &st->cpu[st->ncpu++]);
			break;
		}
	}
	return MNL_CB_OK;
}

/* The Prometheus text exposition format, one family per counter. */
static void print_prometheus(const struct stats *st)
{
	unsigned int i, c;

	printf("# HELP ctrack_entries Entries in this network namespace's table.\n"
	       "# TYPE ctrack_entries gauge\nctrack_entries %u\n", st->count);
	printf("# HELP ctrack_max Most entries the table may hold (net.ctrack.max, 0: no limit).\n"
	       "# TYPE ctrack_max gauge\nctrack_max %u\n", st->max);
	for (i = 0; i < ARRAY_SIZE(stat_names); i++) {
		printf("# HELP ctrack_%s_total %s\n# TYPE ctrack_%s_total counter\n",
		       stat_names[i], stat_help[i], stat_names[i]);
		for (c = 0; c < st->ncpu; c++)
			printf("ctrack_%s_total{cpu=\"%d\"} %" PRIu64 "\n", stat_names[i],
			       st->cpu[c].cpu, st->cpu[c].v[i]);
	}
}

static int cmd_stats(const struct opts *o)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct stats *st = calloc(1, sizeof(*st));
	unsigned int i, c;
	int err;

	if (!st)
		fail("out of memory");
	/* The totals and table size, then one message per CPU. */
	err = talk(new_msg(buf, family_id, CTRACK_CMD_STATS, NLM_F_ACK), stats_cb, st);
	if (!err)
		err = talk(new_msg(buf, family_id, CTRACK_CMD_STATS, NLM_F_DUMP), stats_cb, st);
	if (err)
		fail_errno("reading the counters", -err);
	if (o->out & OUT_PROMETHEUS) {
		print_prometheus(st);
	} else {
		/* conntrack -S's layout: one line per CPU, "name=value" pairs. */
		for (c = 0; c < st->ncpu; c++) {
			printf("cpu=%-4d", st->cpu[c].cpu);
			for (i = 0; i < ARRAY_SIZE(stat_names); i++)
				printf(" %s=%" PRIu64, stat_names[i], st->cpu[c].v[i]);
			putchar('\n');
		}
	}
	free(st);
	return 0;
}

static int cmd_flush(const struct opts *o)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = new_msg(buf, family_id, CTRACK_CMD_FLUSH, NLM_F_ACK);
	if (HAS(o, FAMILY))
		mnl_attr_put_u8(nlh, CTRACK_A_FAMILY, o->family);
	err = talk(nlh, NULL, NULL);
	if (err)
		fail_errno("flushing the table", -err);
	fflush(stdout);
	fprintf(stderr, "ctrack v%s: connection tracking table has been emptied.\n",
		CTRACK_TOOLS_VERSION);
	return 0;
}

struct event_ctx {
	const struct opts *o;
	unsigned int n;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct event_ctx *ctx = data;
	struct entry e;

	parse_entry(nlh, &e);
	if (!entry_matches(ctx->o, &e))
		return MNL_CB_OK;
	print_entry(ctx->o, &e, true);
	fflush(stdout);
	ctx->n++;
	return MNL_CB_OK;
}

static void on_signal(int sig __attribute__((unused)))
{
	stop = 1;
}

/* -E: until SIGINT or SIGTERM; on overrun, warn and go on. */
static int cmd_events(const struct opts *o, const struct family_info *fi)
{
	static char buf[1 << 16];
	struct event_ctx ctx = { .o = o };
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int i;
	int n;

	for (i = 0; i < ARRAY_SIZE(fi->groups); i++) {
		uint32_t group = fi->groups[i];

		if (!(o->events & (1U << i)))
			continue;
		if (!group)
			fail("the ctrack module offers no event groups (too old?)");
		if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group,
					  sizeof(group)) < 0)
			fail_errno("joining the event groups", errno);
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fflush(stdout);
	while (!stop) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr,
					"ctrack: WARNING: events were lost (ENOBUFS): the socket buffer overflowed;\n"
					"ctrack: a larger one (-b, --buffer-size) loses fewer; listening on.\n");
				continue;
			}
			fail_errno("receiving events", errno);
		}
		if (mnl_cb_run2(buf, n, 0, 0, event_cb, &ctx, ctl_cbs,
				ARRAY_SIZE(ctl_cbs)) < 0 && errno != ENOENT)
			fail_errno("reading events", errno);
	}
	fflush(stdout);
	fprintf(stderr, "ctrack v%s: %u flow events have been shown.\n",
		CTRACK_TOOLS_VERSION, ctx.n);
	return 0;
}

/* Arguments --------------------------------------------------------------- */

static void set_cmd(struct opts *o, char c)
{
	if (o->cmd)
		usage_error("only one command at a time (-%c and -%c)", o->cmd, c);
	o->cmd = c;
}

/* A number up to @max, in @base (0: also 0x hexadecimal, for marks). */
static unsigned long number(const char *what, const char *s, unsigned long max,
			    int base)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, base);
	if (!*s || *end || errno || v > max || *s == '-')
		usage_error("bad %s: %s", what, s);
	return v;
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

static void set_family(struct opts *o, uint8_t family, const char *why)
{
	if (HAS(o, FAMILY) && o->family != family)
		usage_error("%s does not match the family (%s)", why,
			    family_name(o->family));
	o->family = family;
	o->has |= 1U << CTRACK_FA_FAMILY;
}

static void parse_address(struct opts *o, int slot, const char *arg)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint8_t family;
	unsigned int max;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(o->addr[slot], 0, sizeof(o->addr[slot]));
	if (inet_pton(AF_INET, buf, o->addr[slot]) == 1)
		family = NFPROTO_IPV4;
	else if (inet_pton(AF_INET6, buf, o->addr[slot]) == 1)
		family = NFPROTO_IPV6;
	else
		usage_error("bad address: %s", arg);
	max = family == NFPROTO_IPV4 ? 32 : 128;
	o->plen[slot] = slash ? (uint8_t)number("prefix length", slash, max, 10) : max;
	set_family(o, family, arg);
	o->has |= 1U << (CTRACK_FA_ORIG_SRC + 2 * slot);
}

static void parse_port(struct opts *o, int slot, const char *arg)
{
	o->port[slot] = (uint16_t)number("port", arg, 65535, 10);
	o->has |= 1U << (CTRACK_FA_ORIG_SPORT + slot);
}

static void parse_state(struct opts *o, const char *arg)
{
	unsigned int i;

	for (i = 0; i < __CTRACK_TCP_MAX; i++) {
		if (!strcasecmp(arg, tcp_states[i])) {
			o->tcp_state = (uint8_t)i;
			o->has |= 1U << CTRACK_FA_TCP_STATE;
			return;
		}
	}
	usage_error("unknown TCP state: %s", arg);
}

static void parse_status(struct opts *o, const char *arg)
{
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcasecmp(tok, "ASSURED")) {
			o->status |= CTRACK_S_ASSURED;
			o->status_mask |= CTRACK_S_ASSURED;
		} else if (!strcasecmp(tok, "SEEN_REPLY")) {
			o->status |= CTRACK_S_SEEN_REPLY;
			o->status_mask |= CTRACK_S_SEEN_REPLY;
		} else if (!strcasecmp(tok, "UNREPLIED")) {
			o->status_mask |= CTRACK_S_SEEN_REPLY;
			o->unreplied = true;
		} else {
			usage_error("unknown status: %s (ASSURED, SEEN_REPLY, UNREPLIED)", tok);
		}
	}
	if (o->unreplied && (o->status & CTRACK_S_SEEN_REPLY))
		usage_error("-u SEEN_REPLY and UNREPLIED contradict each other");
	o->set_status = o->status;
	o->has |= 1U << CTRACK_FA_STATUS;
}

static void parse_mark(struct opts *o, const char *arg)
{
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	o->mark = (uint32_t)number("mark", buf, UINT32_MAX, 0);
	o->mark_mask = slash ? (uint32_t)number("mark mask", slash, UINT32_MAX, 0) : UINT32_MAX;
	o->mark &= o->mark_mask;
	o->has |= 1U << CTRACK_FA_MARK;
}

static unsigned int parse_list(const char *what, const char *arg,
			       const char *const *names, unsigned int n)
{
	char buf[128], *tok, *save = NULL;
	unsigned int v = 0, i;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n; i++)
			if (!strcasecmp(tok, names[i]))
				break;
		if (i == n)
			usage_error("unknown %s: %s", what, tok);
		v |= 1U << i;
	}
	if (!v)
		usage_error("empty %s list", what);
	return v;
}

/* Options as bits of check_opts()'s @given, and their names. */
enum {
	G_F, G_P, G_S, G_D, G_R, G_Q, G_SPORT, G_DPORT, G_RSPORT, G_RDPORT,
	G_STATE, G_ICMP, G_M, G_U, G_T, G_Z, G_E, G_O, G_B, NGIVEN
};

static const char *const given_names[NGIVEN] = {
	"-f", "-p", "-s", "-d", "-r", "-q", "--sport", "--dport",
	"--reply-port-src", "--reply-port-dst", "--state", "--icmp-*", "-m",
	"-u", "-t", "-z", "-e", "-o", "-b",
};

#define B(x) (1U << G_##x)
#define TUPLE_OPTS (B(F) | B(P) | B(S) | B(D) | B(R) | B(Q) | B(SPORT) | \
		    B(DPORT) | B(RSPORT) | B(RDPORT) | B(STATE) | B(ICMP))

/* Which options each command takes; everything else is an error. */
static void check_opts(struct opts *o, unsigned int given)
{
	static const struct {
		char cmd;
		unsigned int allowed;
	} table[] = {
		{ 'L', TUPLE_OPTS | B(M) | B(U) | B(Z) | B(O) | B(B) },
		{ 'G', TUPLE_OPTS | B(Z) | B(O) | B(B) },
		{ 'D', TUPLE_OPTS | B(M) | B(U) | B(O) | B(B) },
		{ 'I', TUPLE_OPTS | B(M) | B(U) | B(T) | B(O) | B(B) },
		{ 'U', TUPLE_OPTS | B(M) | B(U) | B(T) | B(O) | B(B) },
		{ 'E', TUPLE_OPTS | B(M) | B(U) | B(E) | B(O) | B(B) },
		{ 'F', B(F) | B(B) },
		{ 'C', B(B) },
		{ 'S', B(O) | B(B) },
	};
	unsigned int i, b;
	int dir;

	for (i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].cmd == o->cmd)
			break;
	for (b = 0; b < NGIVEN; b++)
		if ((given & (1U << b)) && !(table[i].allowed & (1U << b)))
			usage_error("option %s does not go with -%c", given_names[b], o->cmd);

	if (o->has & ((1U << CTRACK_FA_ORIG_SPORT) | (1U << CTRACK_FA_ORIG_DPORT) |
		      (1U << CTRACK_FA_REPLY_SPORT) | (1U << CTRACK_FA_REPLY_DPORT)) &&
	    (!HAS(o, PROTO) || !has_ports(o->proto)))
		usage_error("ports need -p tcp, udp or udplite");
	if (HAS(o, TCP_STATE) && (!HAS(o, PROTO) || o->proto != IPPROTO_TCP))
		usage_error("--state needs -p tcp");
	if ((HAS(o, ICMP_TYPE) || HAS(o, ICMP_CODE) || HAS(o, ICMP_ID)) &&
	    (!HAS(o, PROTO) || !is_icmp(o->proto)))
		usage_error("ICMP fields need -p icmp or -p icmpv6");
	if (HAS(o, PROTO) && is_icmp(o->proto) && HAS(o, FAMILY) &&
	    o->family != (o->proto == IPPROTO_ICMP ? NFPROTO_IPV4 : NFPROTO_IPV6))
		usage_error("-p %s does not match the family (%s)", proto_name(o->proto),
			    family_name(o->family));

	switch (o->cmd) {
	case 'G':
		if (!full_tuple(o, &dir))
			usage_error("-G needs a full tuple: -s, -d, -p and its ports or ICMP fields (or -r, -q, ...)");
		break;
	case 'I':
		if (!full_tuple(o, &dir) || dir)
			usage_error("-I needs a full original tuple: -s, -d, -p and its ports or ICMP fields");
		if (!o->has_timeout)
			usage_error("-I needs a timeout (-t)");
		if (o->proto == IPPROTO_TCP && !HAS(o, TCP_STATE))
			usage_error("-I -p tcp needs a state (--state)");
		/* fallthrough */
	case 'U':
		if (o->unreplied)
			usage_error("-u UNREPLIED cannot be set; -%c sets ASSURED and SEEN_REPLY only",
				    o->cmd);
		if (HAS(o, MARK) && o->mark_mask != UINT32_MAX)
			usage_error("-%c sets a mark: no mask", o->cmd);
		if (o->cmd == 'U' && !o->has_timeout && !HAS(o, MARK) && !HAS(o, STATUS))
			usage_error("-U needs something to change: -t, -m or -u");
		break;
	case 'F':
		if (o->has & ~(1U << CTRACK_FA_FAMILY))
			usage_error("-F takes -f only");
		break;
	case 'S':
		if (o->out & ~OUT_PROMETHEUS)
			usage_error("-S prints -o prometheus only");
		break;
	}
	if (o->cmd != 'S' && (o->out & OUT_PROMETHEUS))
		usage_error("-o prometheus goes with -S");
	if ((o->out & OUT_XML) && (o->out & OUT_JSON))
		usage_error("-o xml and -o json exclude each other");
	if (o->cmd == 'E' && !o->events)
		o->events = 7;
}

int main(int argc, char **argv)
{
	enum {
		O_SPORT = 256, O_DPORT, O_RSPORT, O_RDPORT, O_STATE, O_ICMP_TYPE,
		O_ICMP_CODE, O_ICMP_ID,
	};
	static const struct option longopts[] = {
		{ "dump", no_argument, NULL, 'L' },
		{ "get", no_argument, NULL, 'G' },
		{ "delete", no_argument, NULL, 'D' },
		{ "create", no_argument, NULL, 'I' },
		{ "update", no_argument, NULL, 'U' },
		{ "event", no_argument, NULL, 'E' },
		{ "flush", no_argument, NULL, 'F' },
		{ "count", no_argument, NULL, 'C' },
		{ "stats", no_argument, NULL, 'S' },
		{ "family", required_argument, NULL, 'f' },
		{ "proto", required_argument, NULL, 'p' },
		{ "src", required_argument, NULL, 's' },
		{ "orig-src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "orig-dst", required_argument, NULL, 'd' },
		{ "reply-src", required_argument, NULL, 'r' },
		{ "reply-dst", required_argument, NULL, 'q' },
		{ "sport", required_argument, NULL, O_SPORT },
		{ "orig-port-src", required_argument, NULL, O_SPORT },
		{ "dport", required_argument, NULL, O_DPORT },
		{ "orig-port-dst", required_argument, NULL, O_DPORT },
		{ "reply-port-src", required_argument, NULL, O_RSPORT },
		{ "reply-port-dst", required_argument, NULL, O_RDPORT },
		{ "state", required_argument, NULL, O_STATE },
		{ "icmp-type", required_argument, NULL, O_ICMP_TYPE },
		{ "icmp-code", required_argument, NULL, O_ICMP_CODE },
		{ "icmp-id", required_argument, NULL, O_ICMP_ID },
		{ "mark", required_argument, NULL, 'm' },
		{ "status", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "zero", no_argument, NULL, 'z' },
		{ "event-mask", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "buffer-size", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	static const char *const outputs[] = {
		"extended", "id", "timestamp", "xml", "json", "prometheus",
	};
	static const char *const events[] = { "NEW", "UPDATE", "DESTROY" };
	struct family_info fi = {};
	struct opts o = {};
	unsigned int given = 0;
	int c, dir, rc = 2;

	opterr = 0;
	/*
	 * A listing into a file or a pipe: one write a 64 KiB, not one a
	 * few entries (events flush each line themselves).
	 */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while ((c = getopt_long(argc, argv, ":LGDIUEFCSf:p:s:d:r:q:m:u:t:ze:o:b:hV",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'L': case 'G': case 'D': case 'I': case 'U': case 'E':
		case 'F': case 'C': case 'S':
			set_cmd(&o, (char)c);
			break;
		case 'f':
			if (!strcmp(optarg, "ipv4"))
				set_family(&o, NFPROTO_IPV4, "-f ipv4");
			else if (!strcmp(optarg, "ipv6"))
				set_family(&o, NFPROTO_IPV6, "-f ipv6");
			else
				usage_error("unknown family: %s (ipv4 or ipv6)", optarg);
			given |= 1U << G_F;
			break;
		case 'p':
			o.proto = (uint8_t)parse_proto(optarg);
			o.has |= 1U << CTRACK_FA_PROTO;
			given |= 1U << G_P;
			break;
		case 's': parse_address(&o, ORIG_SRC, optarg); given |= 1U << G_S; break;
		case 'd': parse_address(&o, ORIG_DST, optarg); given |= 1U << G_D; break;
		case 'r': parse_address(&o, REPLY_SRC, optarg); given |= 1U << G_R; break;
		case 'q': parse_address(&o, REPLY_DST, optarg); given |= 1U << G_Q; break;
		case O_SPORT: parse_port(&o, ORIG_SRC, optarg); given |= 1U << G_SPORT; break;
		case O_DPORT: parse_port(&o, ORIG_DST, optarg); given |= 1U << G_DPORT; break;
		case O_RSPORT: parse_port(&o, REPLY_SRC, optarg); given |= 1U << G_RSPORT; break;
		case O_RDPORT: parse_port(&o, REPLY_DST, optarg); given |= 1U << G_RDPORT; break;
		case O_STATE: parse_state(&o, optarg); given |= 1U << G_STATE; break;
		case O_ICMP_TYPE:
			o.icmp_type = (uint8_t)number("ICMP type", optarg, 255, 10);
			o.has |= 1U << CTRACK_FA_ICMP_TYPE;
			given |= 1U << G_ICMP;
			break;
		case O_ICMP_CODE:
			o.icmp_code = (uint8_t)number("ICMP code", optarg, 255, 10);
			o.has |= 1U << CTRACK_FA_ICMP_CODE;
			given |= 1U << G_ICMP;
			break;
		case O_ICMP_ID:
			o.icmp_id = (uint16_t)number("ICMP id", optarg, 65535, 10);
			o.has |= 1U << CTRACK_FA_ICMP_ID;
			given |= 1U << G_ICMP;
			break;
		case 'm': parse_mark(&o, optarg); given |= 1U << G_M; break;
		case 'u': parse_status(&o, optarg); given |= 1U << G_U; break;
		case 't':
			o.timeout = (uint32_t)number("timeout", optarg, UINT32_MAX, 10);
			o.has_timeout = true;
			given |= 1U << G_T;
			break;
		case 'z': o.zero = true; given |= 1U << G_Z; break;
		case 'e':
			if (!strcasecmp(optarg, "ALL"))
				o.events = 7;
			else
				o.events = parse_list("event", optarg, events, ARRAY_SIZE(events));
			given |= 1U << G_E;
			break;
		case 'o':
			o.out |= parse_list("output format", optarg, outputs, ARRAY_SIZE(outputs));
			given |= 1U << G_O;
			break;
		case 'b':
			o.bufsize = (int)number("buffer size", optarg, 1U << 30, 10);
			given |= 1U << G_B;
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
		usage_error("no command given (-L, -G, -D, -I, -U, -E, -F, -C or -S)");
	check_opts(&o, given);

	open_family(&o, &fi);
	switch (o.cmd) {
	case 'C': return cmd_count();
	case 'S': return cmd_stats(&o);
	case 'F': return cmd_flush(&o);
	}
	/* The other commands print entries: one XML document (-o xml). */
	xml_begin(&o);
	switch (o.cmd) {
	case 'L': rc = cmd_list(&o); break;
	case 'G':
		full_tuple(&o, &dir);
		rc = cmd_get(&o, dir);
		break;
	case 'D': rc = cmd_delete(&o); break;
	case 'I': rc = cmd_create(&o); break;
	case 'U': rc = cmd_update(&o); break;
	case 'E': rc = cmd_events(&o, &fi); break;
	}
	xml_end(&o);
	return rc;
}
