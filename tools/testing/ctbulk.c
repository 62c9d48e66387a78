// SPDX-License-Identifier: GPL-2.0
/*
 * ctbulk: fill ctrack's table through its netlink family, fast, for the
 * dump tests (packets could not make 200,000 distinct flows quickly).
 *
 *   ctbulk create NET N
 *	create N UDP entries 10.NET.x.y:1000 -> 10.255.0.1:4000 (timeout
 *	one hour), many requests per write; fails on the first error
 *   ctbulk churn NET N
 *	until SIGTERM: create N entries as above, then delete them, again
 *	and again; prints the number of entries created and deleted
 *
 * NET is the second byte of the source addresses (1..254), so that sets
 * never overlap. Exit code 0 on success, 1 on an error, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netfilter.h>
#include <linux/ctrack.h>

#define BATCH 64	/* requests per write */

static struct mnl_socket *nl;
static uint16_t family_id;
static unsigned int seq;
static volatile sig_atomic_t stop;

static void die(const char *what)
{
	fprintf(stderr, "ctbulk: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct nlmsghdr *put_msg(char *buf, uint16_t type, uint8_t cmd, uint16_t flags)
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

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			family_id = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* Read replies until every request of the batch is acked (or one fails). */
static void wait_acks(unsigned int first, unsigned int last)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	int n;

	while (first <= last) {
		struct nlmsghdr *nlh;

		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			die("receiving");
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_pid != portid || nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error) {
				errno = -e->error;
				die("request");
			}
			if (nlh->nlmsg_seq >= first)
				first = nlh->nlmsg_seq + 1;
		}
	}
}

static void put_tuple(struct nlmsghdr *nlh, int net, unsigned int i)
{
	uint32_t src = htonl(0x0a000000 | (net << 16) | (i & 0xffff));
	uint32_t dst = htonl(0x0aff0001);
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, CTRACK_A_TUPLE_ORIG);
	mnl_attr_put_u8(nlh, CTRACK_TA_FAMILY, NFPROTO_IPV4);
	mnl_attr_put_u8(nlh, CTRACK_TA_PROTO, IPPROTO_UDP);
	mnl_attr_put(nlh, CTRACK_TA_SRC, 4, &src);
	mnl_attr_put(nlh, CTRACK_TA_DST, 4, &dst);
	/* 65,536 sources, then the next source port */
	mnl_attr_put_u16(nlh, CTRACK_TA_SPORT, htons(1000 + (i >> 16)));
	mnl_attr_put_u16(nlh, CTRACK_TA_DPORT, htons(4000));
	mnl_attr_nest_end(nlh, nest);
}

/* NEW (or DELETE) of entries [0, n) of set @net. */
static void run(int net, unsigned int n, uint8_t cmd)
{
	static char buf[BATCH * 256];
	unsigned int i = 0;

	while (i < n) {
		unsigned int first = seq + 1, len = 0, k;

		for (k = 0; k < BATCH && i < n; k++, i++) {
			struct nlmsghdr *nlh = put_msg(buf + len, family_id, cmd, NLM_F_ACK);

			put_tuple(nlh, net, i);
			if (cmd == CTRACK_CMD_NEW)
				mnl_attr_put_u32(nlh, CTRACK_A_TIMEOUT, 3600);
			len += nlh->nlmsg_len;
		}
		if (mnl_socket_sendto(nl, buf, len) < 0)
			die("sending");
		wait_acks(first, seq);
	}
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned long rounds = 0;
	struct nlmsghdr *nlh;
	unsigned int n;
	int net, len;

	if (argc != 4 || (strcmp(argv[1], "create") && strcmp(argv[1], "churn"))) {
		fprintf(stderr, "usage: ctbulk create|churn NET N\n");
		return 2;
	}
	net = atoi(argv[2]);
	n = (unsigned int)strtoul(argv[3], NULL, 10);
	if (net < 1 || net > 254 || !n || n > 16 * 65536) {
		fprintf(stderr, "ctbulk: NET 1..254, N 1..1048576\n");
		return 2;
	}
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket");
	nlh = put_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTRACK_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("sending");
	len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (len < 0 || mnl_cb_run(buf, len, seq, mnl_socket_get_portid(nl), family_cb, NULL) < 0)
		die("looking up the ctrack family");

	if (!strcmp(argv[1], "create")) {
		run(net, n, CTRACK_CMD_NEW);
		return 0;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop) {
		run(net, n, CTRACK_CMD_NEW);
		run(net, n, CTRACK_CMD_DELETE);
		rounds++;
	}
	printf("churn: %lu entries created and deleted\n", rounds * n);
	return 0;
}
