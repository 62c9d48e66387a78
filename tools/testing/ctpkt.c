// SPDX-License-Identifier: GPL-2.0
/*
 * ctpkt: a small packet crafter for ctrack's VM tests.
 *
 *   ctpkt tcp SRC DST SPORT DPORT FLAGS [SEQ [ACK]]
 *	one raw TCP segment; FLAGS from S F R P A U, or "none"; an X among
 *	them sends a wrong checksum
 *   ctpkt proto DST PROTO
 *	one raw IP datagram of protocol number PROTO with 8 bytes of payload
 *   ctpkt udpflood DST PORT COUNT
 *	COUNT UDP datagrams, each from a new socket (a new source port)
 *   ctpkt tcpmany DST PORT COUNT
 *	COUNT TCP connections opened at once, each sends a line and closes
 *   ctpkt tcpserve PORT | udpserve PORT
 *	answer every TCP connection / UDP datagram with "pong" (IPv4 and IPv6)
 *   ctpkt tcpreq DST PORT | udpreq DST PORT
 *	one request; succeeds when "pong" comes back within 30 seconds (a
 *	refused request fails at once: RST or ICMP port unreachable)
 *   ctpkt tcpecho PORT
 *	echo every TCP connection's data back until the peer closes
 *	(IPv4 and IPv6, one process per connection)
 *   ctpkt tcphold DST PORT
 *	open a session, send a line and read its echo, then keep the session
 *	open, sending what comes on stdin and reading its echo, until stdin
 *	reaches EOF; then close it (FIN) and wait for the peer's FIN. The
 *	test decides how long a session lives, not a timer.
 *   ctpkt inject IFNAME DSTMAC FILE SELECT
 *	send packets of a corpus (tools/testing/corpus/malformed.txt: lines
 *	"VERDICT FAMILY HEX[,HEX...]  # what") out of IFNAME as Ethernet
 *	frames to DSTMAC, exactly as written: SELECT is a VERDICT (every
 *	line of it) or a line number; prints "sent N datagrams (M frames)"
 *
 * Addresses are IPv4 or IPv6 (chosen by their form). Exit code 0 on
 * success, 1 on a failed operation, 2 on bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

/* Long enough for a KASAN and lockdep kernel under TCG. */
#define CTPKT_TIMEOUT_S 30

struct addr {
	int family;
	struct sockaddr_storage ss;
	socklen_t len;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: ctpkt tcp SRC DST SPORT DPORT FLAGS [SEQ [ACK]]\n"
		"       ctpkt proto DST PROTO\n"
		"       ctpkt udpflood DST PORT COUNT\n"
		"       ctpkt tcpmany DST PORT COUNT\n"
		"       ctpkt tcpserve PORT | udpserve PORT | tcpecho PORT\n"
		"       ctpkt tcpreq DST PORT | udpreq DST PORT | tcphold DST PORT\n"
		"       ctpkt inject IFNAME DSTMAC FILE VERDICT|LINE\n");
	exit(2);
}

static void parse_addr(const char *s, unsigned int port, struct addr *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		a->family = sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		a->len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		a->family = sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		a->len = sizeof(*sin6);
	} else {
		fprintf(stderr, "ctpkt: bad address '%s'\n", s);
		exit(2);
	}
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v > max) {
		fprintf(stderr, "ctpkt: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	while (len > 1) {
		sum += (b[0] << 8) | b[1];
		b += 2;
		len -= 2;
	}
	if (len)
		sum += b[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static int cmd_tcp(int argc, char **argv)
{
	uint8_t seg[20] = { 0 };
	struct addr src, dst;
	uint32_t seq, ack = 0, sum = 0;
	uint8_t flags = 0;
	int badsum = 0;
	const char *f;
	int fd;

	if (argc < 6 || argc > 8)
		usage();
	parse_addr(argv[1], 0, &src);
	parse_addr(argv[2], 0, &dst);
	if (src.family != dst.family)
		usage();
	for (f = argv[5]; strcmp(argv[5], "none") && *f; f++) {
		const char *all = "FSRPAU";
		const char *p = strchr(all, *f);

		if (*f == 'X') {
			badsum = 1;
			continue;
		}
		if (!p) {
			fprintf(stderr, "ctpkt: bad flag '%c'\n", *f);
			return 2;
		}
		flags |= 1 << (p - all);
	}
	seq = argc > 6 ? num(argv[6], 0xffffffffUL) : 1000;
	ack = argc > 7 ? num(argv[7], 0xffffffffUL) : 0;

	*(uint16_t *)&seg[0] = htons(num(argv[3], 65535));
	*(uint16_t *)&seg[2] = htons(num(argv[4], 65535));
	*(uint32_t *)&seg[4] = htonl(seq);
	*(uint32_t *)&seg[8] = htonl(ack);
	seg[12] = 5 << 4;
	seg[13] = flags;
	*(uint16_t *)&seg[14] = htons(1024);

	/* Pseudo-header: addresses, protocol, length. */
	if (src.family == AF_INET) {
		sum = sum16(&((struct sockaddr_in *)&src.ss)->sin_addr, 4, sum);
		sum = sum16(&((struct sockaddr_in *)&dst.ss)->sin_addr, 4, sum);
	} else {
		sum = sum16(&((struct sockaddr_in6 *)&src.ss)->sin6_addr, 16, sum);
		sum = sum16(&((struct sockaddr_in6 *)&dst.ss)->sin6_addr, 16, sum);
	}
	sum += IPPROTO_TCP + sizeof(seg);
	sum = sum16(seg, sizeof(seg), sum);
	*(uint16_t *)&seg[16] = fold(sum) ^ (badsum ? 0x5555 : 0);

	fd = socket(src.family, SOCK_RAW, IPPROTO_TCP);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src.ss, src.len) ||
	    sendto(fd, seg, sizeof(seg), 0, (struct sockaddr *)&dst.ss,
		   dst.len) != sizeof(seg)) {
		perror("ctpkt tcp");
		return 1;
	}
	close(fd);
	return 0;
}

static int cmd_proto(int argc, char **argv)
{
	struct addr dst;
	int fd;

	if (argc != 3)
		usage();
	parse_addr(argv[1], 0, &dst);
	fd = socket(dst.family, SOCK_RAW, num(argv[2], 255));
	if (fd < 0 || sendto(fd, "ctrack!!", 8, 0, (struct sockaddr *)&dst.ss,
			     dst.len) != 8) {
		perror("ctpkt proto");
		return 1;
	}
	close(fd);
	return 0;
}

static int cmd_udpflood(int argc, char **argv)
{
	struct addr dst;
	unsigned long i, n;

	if (argc != 4)
		usage();
	parse_addr(argv[1], num(argv[2], 65535), &dst);
	n = num(argv[3], 10000000);
	for (i = 0; i < n; i++) {
		int fd = socket(dst.family, SOCK_DGRAM, 0);

		if (fd < 0) {
			perror("ctpkt udpflood");
			return 1;
		}
		/* A full table drops datagrams: that is what is being tested. */
		sendto(fd, "x", 1, 0, (struct sockaddr *)&dst.ss, dst.len);
		close(fd);
	}
	return 0;
}

static int cmd_tcpmany(int argc, char **argv)
{
	struct addr dst;
	unsigned long i, n, ok = 0;
	struct pollfd *p;

	if (argc != 4)
		usage();
	parse_addr(argv[1], num(argv[2], 65535), &dst);
	n = num(argv[3], 4096);
	p = calloc(n, sizeof(*p));
	if (!p)
		return 1;
	for (i = 0; i < n; i++) {
		p[i].fd = socket(dst.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		p[i].events = POLLOUT;
		if (p[i].fd < 0 ||
		    (connect(p[i].fd, (struct sockaddr *)&dst.ss, dst.len) &&
		     errno != EINPROGRESS)) {
			perror("ctpkt tcpmany");
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (poll(&p[i], 1, 10000) != 1 ||
		    getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
			continue;
		if (write(p[i].fd, "hello\n", 6) == 6)
			ok++;
	}
	for (i = 0; i < n; i++)
		close(p[i].fd);
	free(p);
	printf("%lu\n", ok);
	return ok == n ? 0 : 1;
}

static int serve_socket(int type, unsigned int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd = socket(AF_INET6, type, 0), off = 0, on = 1;

	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 1024))) {
		perror("ctpkt serve");
		exit(1);
	}
	return fd;
}

static int cmd_serve(int argc, char **argv, int type)
{
	char buf[512];
	int fd;

	if (argc != 2)
		usage();
	fd = serve_socket(type, num(argv[1], 65535));
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		ssize_t n;

		if (type == SOCK_DGRAM) {
			n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&peer, &len);
			if (n >= 0)
				sendto(fd, "pong\n", 5, 0,
				       (struct sockaddr *)&peer, len);
			continue;
		}
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		n = read(c, buf, sizeof(buf));
		if (n > 0 && write(c, "pong\n", 5) != 5)
			perror("ctpkt serve");
		close(c);
	}
	return 0;
}

/*
 * A socket of @type connected to DST PORT (argv[1], argv[2]) that sends
 * @line; reads time out after CTPKT_TIMEOUT_S. -1 on failure.
 */
static int connect_send(int argc, char **argv, int type, const char *line)
{
	struct timeval tv = { .tv_sec = CTPKT_TIMEOUT_S };
	size_t len = strlen(line);
	struct addr dst;
	int fd;

	if (argc != 3)
		usage();
	parse_addr(argv[1], num(argv[2], 65535), &dst);
	fd = socket(dst.family, type, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&dst.ss, dst.len) ||
	    write(fd, line, len) != (ssize_t)len)
		return -1;
	return fd;
}

static int cmd_req(int argc, char **argv, int type)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = connect_send(argc, argv, type, "ping\n");
	if (fd < 0) {
		perror("ctpkt req");
		return 1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n >= 4 && !memcmp(buf, "pong", 4) ? 0 : 1;
}

/* Echo one connection until EOF, then close it. */
static void echo_conn(int c)
{
	char buf[512];
	ssize_t n;

	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (write(c, buf, n) != n)
			break;
	close(c);
}

static int cmd_tcpecho(int argc, char **argv)
{
	int fd;

	if (argc != 2)
		usage();
	fd = serve_socket(SOCK_STREAM, num(argv[1], 65535));
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		if (fork() == 0) {
			close(fd);
			echo_conn(c);
			_exit(0);
		}
		close(c);
	}
	return 0;
}

static int cmd_tcphold(int argc, char **argv)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = connect_send(argc, argv, SOCK_STREAM, "hello\n");
	if (fd < 0 || read(fd, buf, sizeof(buf)) != 6) {
		perror("ctpkt tcphold");
		return 1;
	}
	/* Whatever comes on stdin goes to the peer, and comes back. */
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		ssize_t got = 0, r;

		if (write(fd, buf, n) != n) {
			perror("ctpkt tcphold");
			return 1;
		}
		while (got < n && (r = read(fd, buf, n - got)) > 0)
			got += r;
		if (got < n) {
			fprintf(stderr, "ctpkt tcphold: no echo\n");
			return 1;
		}
	}
	if (shutdown(fd, SHUT_WR)) {
		perror("ctpkt tcphold");
		return 1;
	}
	/* The echo server closes once it read our FIN. */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n == 0 ? 0 : 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One corpus frame: @hex (up to a ',' or a blank) after a 14-byte
 * Ethernet header already in @frame. Returns the frame's length, 0 on
 * bad hex.
 */
static size_t corpus_frame(const char **hex, unsigned char *frame, size_t max)
{
	size_t n = 14;
	const char *p = *hex;

	while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0 && n < max) {
		frame[n++] = hexval(p[0]) << 4 | hexval(p[1]);
		p += 2;
	}
	if (*p && *p != ',' && *p != ' ')
		return 0;
	*hex = *p == ',' ? p + 1 : p;
	return n;
}

/*
 * The test decides what each packet should be; this only puts the bytes
 * on the wire, without the kernel's IP stack in between (AF_PACKET).
 */
static int cmd_inject(int argc, char **argv)
{
	unsigned char frame[9216];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned int mac[6], lineno = 0, want_line = 0, dgrams = 0, frames = 0;
	struct ifreq ifr = { 0 };
	char *line = NULL, *end;
	size_t cap = 0;
	FILE *f;
	int fd, i;

	if (argc != 5 || sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1],
				&mac[2], &mac[3], &mac[4], &mac[5]) != 6)
		usage();
	want_line = strtoul(argv[4], &end, 10);
	if (*end)
		want_line = 0;
	f = fopen(argv[3], "r");
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (!f || fd < 0) {
		perror("ctpkt inject");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
		perror("ctpkt inject: interface");
		return 1;
	}
	sll.sll_ifindex = ifr.ifr_ifindex;
	sll.sll_halen = 6;
	for (i = 0; i < 6; i++)
		frame[i] = sll.sll_addr[i] = mac[i];
	/* ifr_ifindex and ifr_hwaddr share a union: ask for the address now */
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror("ctpkt inject: interface");
		return 1;
	}
	memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);

	while (getline(&line, &cap, f) > 0) {
		char verdict[16];
		const char *hex;
		int family, off;

		lineno++;
		if (sscanf(line, "%15s %d %n", verdict, &family, &off) != 2 ||
		    (family != 4 && family != 6)) {
			fprintf(stderr, "ctpkt inject: %s:%u: bad line\n", argv[3], lineno);
			return 2;
		}
		if (want_line ? lineno != want_line : strcmp(verdict, argv[4]))
			continue;
		frame[12] = family == 4 ? 0x08 : 0x86;
		frame[13] = family == 4 ? 0x00 : 0xdd;
		hex = line + off;
		while (*hex && *hex != ' ' && *hex != '\n') {
			size_t len = corpus_frame(&hex, frame, sizeof(frame));

			if (!len) {
				fprintf(stderr, "ctpkt inject: %s:%u: bad hex\n", argv[3], lineno);
				return 2;
			}
			if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
				fprintf(stderr, "ctpkt inject: %s:%u: %s\n", argv[3], lineno,
					strerror(errno));
				return 1;
			}
			frames++;
		}
		dgrams++;
	}
	printf("sent %u datagrams (%u frames)\n", dgrams, frames);
	free(line);
	fclose(f);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "tcp"))
		return cmd_tcp(argc - 1, argv + 1);
	if (!strcmp(argv[1], "proto"))
		return cmd_proto(argc - 1, argv + 1);
	if (!strcmp(argv[1], "udpflood"))
		return cmd_udpflood(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tcpmany"))
		return cmd_tcpmany(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tcpserve"))
		return cmd_serve(argc - 1, argv + 1, SOCK_STREAM);
	if (!strcmp(argv[1], "udpserve"))
		return cmd_serve(argc - 1, argv + 1, SOCK_DGRAM);
	if (!strcmp(argv[1], "tcpreq"))
		return cmd_req(argc - 1, argv + 1, SOCK_STREAM);
	if (!strcmp(argv[1], "udpreq"))
		return cmd_req(argc - 1, argv + 1, SOCK_DGRAM);
	if (!strcmp(argv[1], "tcpecho"))
		return cmd_tcpecho(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tcphold"))
		return cmd_tcphold(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inject"))
		return cmd_inject(argc - 1, argv + 1);
	usage();
	return 2;
}
