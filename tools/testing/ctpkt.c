// SPDX-License-Identifier: GPL-2.0
/*
 * ctpkt: a small packet crafter for ctrack's VM tests.
 *
 *   ctpkt tcp SRC DST SPORT DPORT FLAGS [SEQ [ACK [OPTION...]]]
 *	one raw TCP segment; FLAGS from S F R P A U, or "none"; an X among
 *	them sends a wrong checksum. OPTIONs: win=N (the window field,
 *	1024 if not given), len=N (N bytes of payload, zeros, at most
 *	1400: within a 1500-byte MTU whatever the headers), and TCP
 *	options in the order given: mss=N, ws=N, sackok, sack=L-R[,L-R...]
 *	(up to four blocks)
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
 *   ctpkt synflood IFNAME DSTMAC SRCNET DST DPORT COUNT SEED
 *	COUNT TCP SYNs out of IFNAME as Ethernet frames to DSTMAC, each from
 *	a random address of the IPv4 prefix SRCNET (a.b.c.d/len) and a
 *	random port, with a random sequence number (xorshift from SEED:
 *	the same seed, the same packets); batches of 64 a system call
 *   ctpkt tcpflows IFNAME DSTMAC CLIENT0 SERVER syn|synack|ack FLOWS COUNT
 *	COUNT segments of FLOWS TCP flows, CLIENT0 + i port 1000 to SERVER
 *	port 80, the flows in turn, as synflood sends: the client's SYN,
 *	the server's SYN/ACK, or the client's established ACK (its window
 *	65535 and 65534 in turn); prints "tcpflows: N segments in T us"
 *   ctpkt probe tcp|udp DST PORT
 *	an ASSURED flow that lives until SIGTERM: a round trip every 100 ms
 *	(TCP to a tcpecho server, UDP to a udpserve server from one source
 *	port); a UDP round trip is retried once a second for up to 15
 *	seconds, a TCP one waits 15 seconds (the kernel retransmits six
 *	times meanwhile: an overloaded input queue may drop a few). On
 *	SIGTERM prints
 *	"probe PROTO: N round trips, M lost, slowest T ms"; exit 1 if the
 *	flow broke (reset, closed, a wrong answer) or the last round trip
 *	was lost
 *   ctpkt inject IFNAME DSTMAC FILE SELECT
 *	send packets of a corpus (tools/testing/corpus/malformed.txt: lines
 *	"VERDICT FAMILY HEX[,HEX...]  # what") out of IFNAME as Ethernet
 *	frames to DSTMAC, exactly as written: SELECT is a VERDICT (every
 *	line of it) or a line number; prints "sent N datagrams (M frames)"
 *
 * Addresses are IPv4 or IPv6 (chosen by their form). Exit code 0 on
 * success, 1 on a failed operation, 2 on bad arguments.
 */
#define _GNU_SOURCE
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
#include <time.h>
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
		"usage: ctpkt tcp SRC DST SPORT DPORT FLAGS [SEQ [ACK [OPTION...]]]\n"
		"       ctpkt proto DST PROTO\n"
		"       ctpkt udpflood DST PORT COUNT\n"
		"       ctpkt tcpmany DST PORT COUNT\n"
		"       ctpkt tcpserve PORT | udpserve PORT | tcpecho PORT\n"
		"       ctpkt tcpreq DST PORT | udpreq DST PORT | tcphold DST PORT\n"
		"       ctpkt synflood IFNAME DSTMAC SRCNET DST DPORT COUNT SEED\n"
		"       ctpkt tcpflows IFNAME DSTMAC CLIENT0 SERVER syn|synack|ack FLOWS COUNT\n"
		"       ctpkt probe tcp|udp DST PORT\n"
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

/*
 * tcp_option: append the option WORD ("mss=N", "ws=N", "sackok",
 * "sack=L-R[,L-R...]" of up to four blocks) at opt[*len], NOP-padded to
 * a multiple of 4 later; exits 2 on a bad word or past 40 bytes.
 */
static void tcp_option(const char *word, uint8_t *opt, size_t *len)
{
	uint8_t o[40];
	size_t n = 0;

	if (!strncmp(word, "mss=", 4)) {
		uint16_t v = htons(num(word + 4, 65535));

		o[n++] = 2;
		o[n++] = 4;
		memcpy(&o[n], &v, 2);
		n += 2;
	} else if (!strncmp(word, "ws=", 3)) {
		o[n++] = 3;
		o[n++] = 3;
		o[n++] = num(word + 3, 255);
	} else if (!strcmp(word, "sackok")) {
		o[n++] = 4;
		o[n++] = 2;
	} else if (!strncmp(word, "sack=", 5)) {
		char *copy = strdup(word + 5), *blk, *save = NULL;

		if (!copy) {
			perror("ctpkt tcp");
			exit(1);
		}
		o[n++] = 5;
		o[n++] = 2;
		for (blk = strtok_r(copy, ",", &save); blk;
		     blk = strtok_r(NULL, ",", &save)) {
			char *dash = strchr(blk, '-');
			uint32_t edge[2];

			if (!dash || o[1] >= 2 + 4 * 8)
				goto bad;
			*dash = '\0';
			edge[0] = htonl(num(blk, 0xffffffffUL));
			edge[1] = htonl(num(dash + 1, 0xffffffffUL));
			memcpy(&o[n], edge, 8);
			n += 8;
			o[1] += 8;
		}
		free(copy);
		if (o[1] == 2)
			goto bad;
	} else {
		goto bad;
	}
	if (*len + n > 40)
		goto bad;
	memcpy(opt + *len, o, n);
	*len += n;
	return;
bad:
	fprintf(stderr, "ctpkt: bad TCP option '%s'\n", word);
	exit(2);
}

static int cmd_tcp(int argc, char **argv)
{
	uint8_t seg[60 + 1400] = { 0 };
	unsigned int win = 1024, hlen, payload = 0;
	uint8_t opt[40];
	size_t optlen = 0;
	struct addr src, dst;
	uint32_t seq, ack = 0, sum = 0;
	uint8_t flags = 0;
	int badsum = 0, i;
	const char *f;
	int fd;

	if (argc < 6)
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
	for (i = 8; i < argc; i++) {
		if (!strncmp(argv[i], "win=", 4))
			win = num(argv[i] + 4, 65535);
		else if (!strncmp(argv[i], "len=", 4))
			payload = num(argv[i] + 4, 1400);
		else
			tcp_option(argv[i], opt, &optlen);
	}
	while (optlen % 4)
		opt[optlen++] = 1;	/* NOP */
	hlen = 20 + optlen;

	*(uint16_t *)&seg[0] = htons(num(argv[3], 65535));
	*(uint16_t *)&seg[2] = htons(num(argv[4], 65535));
	*(uint32_t *)&seg[4] = htonl(seq);
	*(uint32_t *)&seg[8] = htonl(ack);
	seg[12] = (hlen / 4) << 4;
	seg[13] = flags;
	*(uint16_t *)&seg[14] = htons(win);
	memcpy(&seg[20], opt, optlen);

	/* Pseudo-header: addresses, protocol, length. */
	if (src.family == AF_INET) {
		sum = sum16(&((struct sockaddr_in *)&src.ss)->sin_addr, 4, sum);
		sum = sum16(&((struct sockaddr_in *)&dst.ss)->sin_addr, 4, sum);
	} else {
		sum = sum16(&((struct sockaddr_in6 *)&src.ss)->sin6_addr, 16, sum);
		sum = sum16(&((struct sockaddr_in6 *)&dst.ss)->sin6_addr, 16, sum);
	}
	sum += IPPROTO_TCP + hlen + payload;
	sum = sum16(seg, hlen + payload, sum);
	*(uint16_t *)&seg[16] = fold(sum) ^ (badsum ? 0x5555 : 0);

	fd = socket(src.family, SOCK_RAW, IPPROTO_TCP);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src.ss, src.len) ||
	    sendto(fd, seg, hlen + payload, 0, (struct sockaddr *)&dst.ss,
		   dst.len) != (ssize_t)(hlen + payload)) {
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
 * An AF_PACKET socket that sends Ethernet frames out of @ifname to
 * @dstmac: fills @sll and the first 12 bytes of @frame (destination and
 * the interface's own address). Exits 2 on a bad MAC, 1 on failure.
 */
static int packet_socket(const char *who, const char *ifname, const char *dstmac,
			 struct sockaddr_ll *sll, unsigned char *frame)
{
	struct ifreq ifr = { 0 };
	unsigned int mac[6];
	int fd, i;

	if (sscanf(dstmac, "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2],
		   &mac[3], &mac[4], &mac[5]) != 6)
		usage();
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror(who);
		exit(1);
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
		fprintf(stderr, "%s: %s: %s\n", who, ifname, strerror(errno));
		exit(1);
	}
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = ifr.ifr_ifindex;
	sll->sll_halen = 6;
	for (i = 0; i < 6; i++)
		frame[i] = sll->sll_addr[i] = mac[i];
	/* ifr_ifindex and ifr_hwaddr share a union: ask for the address now */
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "%s: %s: %s\n", who, ifname, strerror(errno));
		exit(1);
	}
	memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);
	return fd;
}

/*
 * The test decides what each packet should be; this only puts the bytes
 * on the wire, without the kernel's IP stack in between (AF_PACKET).
 */
static int cmd_inject(int argc, char **argv)
{
	unsigned char frame[9216];
	struct sockaddr_ll sll;
	unsigned int lineno = 0, want_line = 0, dgrams = 0, frames = 0;
	char *line = NULL, *end;
	size_t cap = 0;
	FILE *f;
	int fd;

	if (argc != 5)
		usage();
	fd = packet_socket("ctpkt inject", argv[1], argv[2], &sll, frame);
	want_line = strtoul(argv[4], &end, 10);
	if (*end)
		want_line = 0;
	f = fopen(argv[3], "r");
	if (!f) {
		perror("ctpkt inject");
		return 1;
	}

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

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

#define SYN_BATCH 64
#define SYN_LEN (14 + 20 + 20)

/* The fields of an option-less IPv4 TCP segment, host byte order. */
struct seg4 {
	uint32_t src, dst, seq, ack;
	uint16_t id, sport, dport, win;
	uint8_t flags;
};

/*
 * Fill one frame (Ethernet addresses already there) with @sg: IPv4
 * (DF, TTL 64) and TCP headers, checksums computed.
 */
static void seg4_frame(unsigned char *f, const struct seg4 *sg)
{
	unsigned char *ip = f + 14, *tcp = ip + 20;
	uint32_t sum;

	f[12] = 0x08;
	f[13] = 0x00;
	memset(ip, 0, 40);
	ip[0] = 0x45;
	*(uint16_t *)&ip[2] = htons(40);
	*(uint16_t *)&ip[4] = htons(sg->id);
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	*(uint32_t *)&ip[12] = htonl(sg->src);
	*(uint32_t *)&ip[16] = htonl(sg->dst);
	*(uint16_t *)&ip[10] = fold(sum16(ip, 20, 0));

	*(uint16_t *)&tcp[0] = htons(sg->sport);
	*(uint16_t *)&tcp[2] = htons(sg->dport);
	*(uint32_t *)&tcp[4] = htonl(sg->seq);
	*(uint32_t *)&tcp[8] = htonl(sg->ack);
	tcp[12] = 5 << 4;
	tcp[13] = sg->flags;
	*(uint16_t *)&tcp[14] = htons(sg->win);
	sum = sum16(&ip[12], 8, IPPROTO_TCP + 20);
	*(uint16_t *)&tcp[16] = fold(sum16(tcp, 20, sum));
}

/* Fill one SYN frame (Ethernet addresses already there) from @rnd. */
static void syn_frame(unsigned char *f, uint32_t net, uint32_t hostmask,
		      uint32_t dst, uint16_t dport, uint64_t *rnd)
{
	uint64_t r = xorshift(rnd);
	struct seg4 sg = {
		.src = net | ((uint32_t)r & hostmask), .dst = dst,
		.id = (uint16_t)(r >> 32),
		.sport = 1024 + (uint16_t)(r >> 48) % 64512, .dport = dport,
		.flags = 0x02,		/* SYN */
		.win = 64240,
	};

	sg.seq = (uint32_t)xorshift(rnd);
	seg4_frame(f, &sg);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One batch of frames of a flood, and what fills them. */
struct flood {
	unsigned char frames[SYN_BATCH][SYN_LEN];
	struct mmsghdr msg[SYN_BATCH];
	struct iovec iov[SYN_BATCH];
	struct sockaddr_ll sll;
	int fd;
};

static void flood_open(struct flood *fl, const char *who, const char *ifname,
		       const char *dstmac)
{
	unsigned int one = 1;
	int i;

	fl->fd = packet_socket(who, ifname, dstmac, &fl->sll, fl->frames[0]);
	setsockopt(fl->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	for (i = 0; i < SYN_BATCH; i++) {
		memcpy(fl->frames[i], fl->frames[0], 12);
		fl->iov[i].iov_base = fl->frames[i];
		fl->iov[i].iov_len = SYN_LEN;
		memset(&fl->msg[i], 0, sizeof(fl->msg[i]));
		fl->msg[i].msg_hdr.msg_iov = &fl->iov[i];
		fl->msg[i].msg_hdr.msg_iovlen = 1;
		fl->msg[i].msg_hdr.msg_name = &fl->sll;
		fl->msg[i].msg_hdr.msg_namelen = sizeof(fl->sll);
	}
}

/*
 * flood_send - send @count frames, @fill(frame, nth, ctx) writing each
 * past its Ethernet addresses; returns the seconds it took. sendmmsg()
 * batches past the qdisc; a full device queue (ENOBUFS) is retried with
 * the same frames, so @count frames leave: what the receiver drops is
 * the receiver's business.
 */
static double flood_send(struct flood *fl, const char *who, unsigned long count,
			 void (*fill)(unsigned char *f, unsigned long nth, void *ctx),
			 void *ctx)
{
	unsigned long sent = 0, filled = 0;
	double t0 = now_s();
	int i;

	while (sent < count) {
		unsigned int n = count - sent < SYN_BATCH ? count - sent : SYN_BATCH;
		int r;

		for (; filled < sent + n; filled++)
			fill(fl->frames[filled - sent], filled, ctx);
		r = sendmmsg(fl->fd, fl->msg, n, 0);
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN) {
			perror(who);
			exit(1);
		}
		if (r <= 0) {
			usleep(100);
			continue;
		}
		/* The frames not taken move to the front of the batch. */
		for (i = r; i < (int)n; i++)
			memcpy(fl->frames[i - r] + 12, fl->frames[i] + 12, SYN_LEN - 12);
		sent += r;
	}
	return now_s() - t0;
}

struct synflood_ctx {
	uint32_t net, hostmask, dst;
	uint16_t dport;
	uint64_t rnd;
};

static void synflood_fill(unsigned char *f, unsigned long nth, void *p)
{
	struct synflood_ctx *c = p;

	(void)nth;	/* random, not numbered */
	syn_frame(f, c->net, c->hostmask, c->dst, c->dport, &c->rnd);
}

/* A SYN flood as fast as one CPU can write it. */
static int cmd_synflood(int argc, char **argv)
{
	static struct flood fl;
	struct synflood_ctx c;
	unsigned int a, b, cc, d, len;
	unsigned long count;
	struct in_addr in;
	double t;

	if (argc != 8)
		usage();
	flood_open(&fl, "ctpkt synflood", argv[1], argv[2]);
	if (sscanf(argv[3], "%u.%u.%u.%u/%u", &a, &b, &cc, &d, &len) != 5 ||
	    a > 255 || b > 255 || cc > 255 || d > 255 || len < 8 || len > 32 ||
	    inet_pton(AF_INET, argv[4], &in) != 1) {
		fprintf(stderr, "ctpkt synflood: bad SRCNET or DST\n");
		return 2;
	}
	c.hostmask = len == 32 ? 0 : 0xffffffffU >> len;
	c.net = (a << 24 | b << 16 | cc << 8 | d) & ~c.hostmask;
	c.dst = ntohl(in.s_addr);
	c.dport = num(argv[5], 65535);
	count = num(argv[6], 1000000000UL);
	c.rnd = num(argv[7], 0xffffffffUL) * 0x9e3779b97f4a7c15ULL | 1;
	t = flood_send(&fl, "ctpkt synflood", count, synflood_fill, &c);
	printf("synflood: %lu SYNs in %.2f s (%.0f pps)\n", count, t, count / t);
	close(fl.fd);
	return 0;
}

/*
 * tcpflows: FLOWS handshaken TCP flows between CLIENT0 + i port 1000
 * and SERVER port 80, one step of them at a time: the client's SYN (seq
 * 1000), the server's SYN/ACK (seq 5000), then the client's ACKs (seq
 * 1001, ack 5001), the established segment both trackers check against
 * each side's window.
 */
struct tcpflows_ctx {
	uint32_t client0, server, flows;
	int step;	/* 0 SYN, 1 SYN/ACK, 2 ACK */
};

static void tcpflows_fill(unsigned char *f, unsigned long nth, void *p)
{
	const struct tcpflows_ctx *c = p;
	uint32_t client = c->client0 + nth % c->flows;
	int reply = c->step == 1;
	struct seg4 sg = {
		.src = reply ? c->server : client,
		.dst = reply ? client : c->server,
		.sport = reply ? 80 : 1000, .dport = reply ? 1000 : 80,
		.seq = reply ? 5000 : c->step ? 1001 : 1000,
		.ack = reply ? 1001 : c->step ? 5001 : 0,
		.flags = c->step == 0 ? 0x02 : c->step == 1 ? 0x12 : 0x10,
		/*
		 * The window alternates from one round of the flows to the
		 * next, so that a flow's consecutive ACKs differ: the same
		 * segment again would be a retransmission to both trackers,
		 * not established traffic.
		 */
		.win = 65535 - (nth / c->flows) % 2,
	};

	seg4_frame(f, &sg);
}

static int cmd_tcpflows(int argc, char **argv)
{
	static struct flood fl;
	struct tcpflows_ctx c;
	struct in_addr cl, sv;
	unsigned long count;
	double t;

	if (argc != 8)
		usage();
	flood_open(&fl, "ctpkt tcpflows", argv[1], argv[2]);
	if (inet_pton(AF_INET, argv[3], &cl) != 1 ||
	    inet_pton(AF_INET, argv[4], &sv) != 1) {
		fprintf(stderr, "ctpkt tcpflows: bad CLIENT0 or SERVER\n");
		return 2;
	}
	c.client0 = ntohl(cl.s_addr);
	c.server = ntohl(sv.s_addr);
	if (!strcmp(argv[5], "syn")) {
		c.step = 0;
	} else if (!strcmp(argv[5], "synack")) {
		c.step = 1;
	} else if (!strcmp(argv[5], "ack")) {
		c.step = 2;
	} else {
		fprintf(stderr, "ctpkt tcpflows: STEP is syn, synack or ack\n");
		return 2;
	}
	c.flows = num(argv[6], 16777216);
	count = num(argv[7], 1000000000UL);
	if (!c.flows)
		usage();
	t = flood_send(&fl, "ctpkt tcpflows", count, tcpflows_fill, &c);
	printf("tcpflows: %lu segments in %.0f us\n", count, t * 1e6);
	close(fl.fd);
	return 0;
}

/* TCP's retransmissions at 0.2, 0.6, 1.4, 3, 6.2 and 12.6 s fit in. */
#define PROBE_WAIT_S 15

static volatile sig_atomic_t probe_stop;

static void probe_sigterm(int sig)
{
	(void)sig;
	probe_stop = 1;
}

/*
 * One round trip of a probe: TCP sends a line once and reads its echo
 * (the kernel retransmits), UDP sends "ping" once a second until "pong"
 * comes back. Both give up after PROBE_WAIT_S: -1. -2 when the flow broke
 * (reset, closed, wrong answer), 1 when SIGTERM cut the round trip short,
 * 0 on success.
 */
static int probe_once(int fd, int udp)
{
	const char *want = udp ? "pong\n" : "ping\n";
	double t0 = now_s();
	size_t got = 0;
	char buf[8];

	if (!udp && write(fd, "ping\n", 5) != 5)
		return -2;
	while (now_s() - t0 < PROBE_WAIT_S) {
		ssize_t n;

		if (udp && write(fd, "ping\n", 5) != 5 && errno != ECONNREFUSED)
			return -2;
		n = read(fd, buf + got, udp ? sizeof(buf) : 5 - got);
		if (probe_stop)
			return 1;
		if (n < 0 && (errno == EAGAIN || errno == EINTR ||
			      (udp && errno == ECONNREFUSED)))
			continue;
		if (n <= 0)
			return -2;
		if (udp)
			return n == 5 && !memcmp(buf, want, 5) ? 0 : -2;
		got += n;
		if (got == 5)
			return memcmp(buf, want, 5) ? -2 : 0;
	}
	return -1;
}

static int cmd_probe(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 1 };
	struct sigaction sa = { .sa_handler = probe_sigterm };
	unsigned long trips = 0, lost = 0;
	int r = 0;
	double slowest = 0;
	struct addr dst;
	int fd, udp;

	if (argc != 4 || (strcmp(argv[1], "tcp") && strcmp(argv[1], "udp")))
		usage();
	udp = !strcmp(argv[1], "udp");
	parse_addr(argv[2], num(argv[3], 65535), &dst);
	sigaction(SIGTERM, &sa, NULL);
	fd = socket(dst.family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&dst.ss, dst.len)) {
		perror("ctpkt probe");
		return 1;
	}
	while (!probe_stop) {
		double t0 = now_s(), dt;

		r = probe_once(fd, udp);
		if (r > 0)
			break;	/* cut short by the stop: not a loss */
		if (r == -2) {
			perror("ctpkt probe: the flow broke");
			break;
		}
		if (r < 0) {
			lost++;
			fprintf(stderr, "ctpkt probe %s: round trip %lu lost\n",
				argv[1], trips + lost);
		} else {
			trips++;
		}
		dt = now_s() - t0;
		if (dt > slowest)
			slowest = dt;
		if (!probe_stop)
			usleep(100000);
	}
	printf("probe %s: %lu round trips, %lu lost, slowest %.0f ms\n",
	       argv[1], trips, lost, slowest * 1000);
	close(fd);
	/* Lost round trips are the network's; a broken flow is a failure. */
	return r == -2 || r == -1 || !trips ? 1 : 0;
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
	if (!strcmp(argv[1], "synflood"))
		return cmd_synflood(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tcpflows"))
		return cmd_tcpflows(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probe"))
		return cmd_probe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inject"))
		return cmd_inject(argc - 1, argv + 1);
	usage();
	return 2;
}
