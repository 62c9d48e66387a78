#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write the malformed-packet corpus (campaign 2).

    python3 tools/testing/corpus/gen-malformed.py > tools/testing/corpus/malformed.txt

(the line SENTINEL is the test's end-of-group marker, not a case)

One packet a line, as it leaves the client's veth for the router, which
ctrack classifies at PREROUTING:

    VERDICT FAMILY HEX[,HEX...]  # what it is

VERDICT is what the router's `-m ctrack --ctstate` counters must see:
NEW, RELATED, INVALID, UNTRACKED, or DROP (the kernel drops it before
netfilter's PREROUTING hooks run, or defragmentation holds it: no
counter may move). Several HEX frames make one datagram (fragments);
it counts once. Each line has its own ports (or ICMP id) so that no
packet finds another's entry, except the RELATED errors, which quote
the NEW flows "rel-N" created earlier in the file (the test injects
the NEW lines first).

Deterministic: the same script writes the same file, byte for byte.
Addresses follow tools/testing/tests/lib.bash: client 10.0.1.1 /
fd00:1::1, server 10.0.2.1 / fd00:2::1.
"""
import struct
import sys

C4, S4 = bytes([10, 0, 1, 1]), bytes([10, 0, 2, 1])
C6 = bytes.fromhex("fd000001000000000000000000000001")
S6 = bytes.fromhex("fd000002000000000000000000000001")

TCP, UDP, ICMP, ICMP6, UDPLITE, SCTP = 6, 17, 1, 58, 136, 132
HOP, ROUTING, FRAG, DEST, NONE_HDR = 0, 43, 44, 60, 59
F_FIN, F_SYN, F_RST, F_PSH, F_ACK, F_URG, F_ECE, F_CWR = 1, 2, 4, 8, 16, 32, 64, 128

out = []
port = [20000]
ident = [1]


def nextport():
    port[0] += 1
    return port[0]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def pseudo(fam, src, dst, proto, length):
    if fam == 4:
        return src + dst + struct.pack("!BBH", 0, proto, length)
    return src + dst + struct.pack("!IxxxB", length, proto)


def l4sum(fam, src, dst, proto, seg, off):
    """Put the right checksum at offset off of seg."""
    seg = bytearray(seg)
    seg[off:off + 2] = b"\0\0"
    c = csum(pseudo(fam, src, dst, proto, len(seg)) + bytes(seg))
    if proto == UDP and c == 0:
        c = 0xFFFF
    seg[off:off + 2] = struct.pack("!H", c)
    return bytes(seg)


def ip4(payload, proto, src=C4, dst=S4, ihl=5, opts=b"", tot=None, frag=0,
        ttl=64, ident_=None, version=4, bad_csum=False):
    if ident_ is None:
        ident[0] += 1
        ident_ = ident[0]
    hlen = 20 + len(opts)
    if tot is None:
        tot = hlen + len(payload)
    h = bytearray(struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, 0, tot,
                              ident_, frag, ttl, proto, 0, src, dst) + opts)
    c = csum(bytes(h))
    if bad_csum:
        c ^= 0x5555
    h[10:12] = struct.pack("!H", c)
    return bytes(h) + payload


def ip6(payload, nh, src=C6, dst=S6, plen=None, version=6):
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB16s16s", version << 28, plen, nh, 64, src, dst) + payload


def tcp(fam, flags, sport=None, dport=80, seq=1000, ack=0, win=64240,
        opts=b"", doff=None, payload=b"", bad_csum=False, src=None, dst=None):
    sport = sport or nextport()
    if doff is None:
        doff = (20 + len(opts)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags,
                      win, 0, 0) + opts + payload
    src = src or (C4 if fam == 4 else C6)
    dst = dst or (S4 if fam == 4 else S6)
    seg = l4sum(fam, src, dst, TCP, seg, 16)
    if bad_csum:
        seg = seg[:16] + bytes([seg[16] ^ 0xFF]) + seg[17:]
    return seg


def udp(fam, sport=None, dport=9, payload=b"ping", ulen=None, proto=UDP,
        bad_csum=False, zero_csum=False, src=None, dst=None):
    sport = sport or nextport()
    if ulen is None:
        ulen = 8 + len(payload)
    seg = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    src = src or (C4 if fam == 4 else C6)
    dst = dst or (S4 if fam == 4 else S6)
    if not zero_csum and proto == UDPLITE and 8 <= ulen < len(seg):
        # UDP-Lite sums the pseudo-header (whole length) and the covered part
        c = csum(pseudo(fam, src, dst, proto, len(seg)) + seg[:6] + b"\0\0" + seg[8:ulen])
        seg = seg[:6] + struct.pack("!H", c or 0xFFFF) + seg[8:]
    elif not zero_csum:
        seg = l4sum(fam, src, dst, proto, seg, 6)
    if bad_csum:
        seg = seg[:6] + bytes([seg[6] ^ 0xFF]) + seg[7:]
    return seg


def icmp4(typ, code, rest=b"\0\0\0\0", body=b"", bad_csum=False):
    m = bytearray(struct.pack("!BBH", typ, code, 0) + rest + body)
    c = csum(bytes(m))
    if bad_csum:
        c ^= 0x00FF
    m[2:4] = struct.pack("!H", c)
    return bytes(m)


def icmp6(typ, code, rest=b"\0\0\0\0", body=b"", src=C6, dst=S6, bad_csum=False):
    m = struct.pack("!BBH", typ, code, 0) + rest + body
    m = l4sum(6, src, dst, ICMP6, m, 2)
    if bad_csum:
        m = m[:2] + bytes([m[2] ^ 0xFF]) + m[3:]
    return m


def echo_id():
    ident[0] += 1
    return struct.pack("!HH", ident[0] & 0xFFFF, 1)


def add(verdict, fam, frames, what):
    if isinstance(frames, bytes):
        frames = [frames]
    out.append("%s %d %s  # %s" % (verdict, fam, ",".join(f.hex() for f in frames), what))


def v4tcp(flags, **kw):
    return ip4(tcp(4, flags, **kw), TCP)


def v6tcp(flags, **kw):
    return ip6(tcp(6, flags, **kw), TCP)


def flagname(f):
    names = [("FIN", F_FIN), ("SYN", F_SYN), ("RST", F_RST), ("PSH", F_PSH),
             ("ACK", F_ACK), ("URG", F_URG), ("ECE", F_ECE), ("CWR", F_CWR)]
    return "|".join(n for n, b in names if f & b) or "none"


# --- TCP flags: every combination of the six classic bits, both families.
# Without an entry only a SYN (URG allowed) or, with tcp_loose, a bare ACK
# (URG allowed) starts a flow; PSH, ECE and CWR say nothing of the state.
# Combinations a real stack never sends are INVALID; so are valid ones
# that cannot start a flow (SYN|ACK, RST, FIN|ACK with no entry).
for fam in (4, 6):
    for f in range(64):
        core = f & (F_FIN | F_SYN | F_RST | F_ACK | F_URG)
        if core in (F_SYN, F_SYN | F_URG, F_ACK, F_ACK | F_URG):
            v = "NEW"
        else:
            v = "INVALID"
        ack = 5000 if f & F_ACK else 0
        pkt = v4tcp(f, ack=ack) if fam == 4 else v6tcp(f, ack=ack)
        add(v, fam, pkt, "tcp flags %s, no entry" % flagname(f))
    for extra in (F_ECE | F_CWR, F_PSH | F_ECE):
        pkt = v4tcp(F_SYN | extra) if fam == 4 else v6tcp(F_SYN | extra)
        add("NEW", fam, pkt, "tcp SYN|%s (ECN bits say nothing)" % flagname(extra))

# --- TCP header lengths, windows, options, checksums.
for fam in (4, 6):
    wrap = (lambda seg: ip4(seg, TCP)) if fam == 4 else (lambda seg: ip6(seg, TCP))
    for doff in (0, 1, 4):
        add("INVALID", fam, wrap(tcp(fam, F_SYN, doff=doff)), "tcp data offset %d (< 5)" % doff)
    for doff in (6, 10, 15):
        add("INVALID", fam, wrap(tcp(fam, F_SYN, doff=doff)),
            "tcp data offset %d beyond the 20-byte segment" % doff)
    add("NEW", fam, wrap(tcp(fam, F_SYN, opts=b"\x01" * 40, doff=15)),
        "tcp data offset 15, 40 bytes of NOP options")
    add("NEW", fam, wrap(tcp(fam, F_SYN, opts=b"\x02\x04\x05\xb4\x03\x03\x0e\x00")),
        "tcp SYN, MSS and window scale 14")
    add("NEW", fam, wrap(tcp(fam, F_SYN, opts=b"\x03\x03\xff\x00")),
        "tcp SYN, window scale 255 (clamped)")
    add("NEW", fam, wrap(tcp(fam, F_SYN, opts=b"\x02\x00\x00\x00")),
        "tcp SYN, option of length 0 (garbage options are not our business)")
    add("NEW", fam, wrap(tcp(fam, F_SYN, opts=b"\x08\x0a" + b"\xff" * 2)),
        "tcp SYN, truncated timestamp option")
    add("NEW", fam, wrap(tcp(fam, F_SYN, win=0)), "tcp SYN, window 0")
    add("NEW", fam, wrap(tcp(fam, F_SYN, win=65535)), "tcp SYN, window 65535")
    add("NEW", fam, wrap(tcp(fam, F_SYN, seq=0xFFFFFFFF)), "tcp SYN, seq 2^32-1")
    add("NEW", fam, wrap(tcp(fam, F_SYN, payload=b"x" * 100)), "tcp SYN with 100 bytes of data")
    add("NEW", fam, wrap(tcp(fam, F_ACK, ack=1, win=0)), "tcp bare ACK, window 0 (picked up)")
    add("INVALID", fam, wrap(tcp(fam, F_SYN, bad_csum=True)), "tcp SYN, bad checksum")
    add("INVALID", fam, wrap(tcp(fam, F_ACK, ack=9, bad_csum=True)), "tcp ACK, bad checksum")
    add("INVALID", fam, wrap(tcp(fam, F_SYN)[:12]), "tcp header cut at 12 bytes")
    add("INVALID", fam, wrap(tcp(fam, F_SYN)[:19]), "tcp header cut at 19 bytes")
    add("INVALID", fam, wrap(b""), "tcp, no header at all")
    add("NEW", fam, wrap(tcp(fam, F_SYN, sport=0, dport=0)), "tcp SYN, ports 0 -> 0")

# --- UDP and UDP-Lite.
for fam in (4, 6):
    wrap = (lambda seg, p=UDP: ip4(seg, p)) if fam == 4 else (lambda seg, p=UDP: ip6(seg, p))
    add("NEW", fam, wrap(udp(fam)), "udp, 4 bytes")
    add("NEW", fam, wrap(udp(fam, payload=b"")), "udp, empty")
    add("NEW", fam, wrap(udp(fam, payload=b"z" * 1200)), "udp, 1200 bytes")
    add("NEW", fam, wrap(udp(fam, sport=0, dport=0)), "udp, ports 0 -> 0")
    for ulen in (0, 7):
        add("INVALID", fam, wrap(udp(fam, ulen=ulen)), "udp length %d (< 8)" % ulen)
    add("INVALID", fam, wrap(udp(fam, ulen=13)), "udp length 13 beyond the datagram")
    add("INVALID", fam, wrap(udp(fam, ulen=4000)), "udp length 4000 beyond the datagram")
    add("INVALID", fam, wrap(udp(fam, bad_csum=True)), "udp, bad checksum")
    add("INVALID", fam, wrap(udp(fam)[:6]), "udp header cut at 6 bytes")
    add("INVALID", fam, wrap(b""), "udp, no header at all")
    if fam == 4:
        add("NEW", fam, wrap(udp(fam, zero_csum=True)), "udp, checksum 0 (none, allowed in IPv4)")
    else:
        # RFC 6935: tunnels may; the router leaves it to the receiver.
        add("NEW", fam, wrap(udp(fam, zero_csum=True)), "udp, checksum 0 (IPv6: tunnels only)")
    # nf_conntrack sums UDP-Lite with UDP's protocol number in the pseudo
    # header (nf_conntrack_proto_udp.c, udplite_error()): every UDP-Lite
    # packet with a right checksum fails there while checksums are checked.
    add("NEW", fam, wrap(udp(fam, ulen=0, proto=UDPLITE), UDPLITE),
        "udp-lite, coverage 0 (all) nfct=INVALID")
    add("NEW", fam, wrap(udp(fam, ulen=8, proto=UDPLITE), UDPLITE), "udp-lite, coverage 8 nfct=INVALID")
    add("INVALID", fam, wrap(udp(fam, ulen=5, proto=UDPLITE), UDPLITE), "udp-lite, coverage 5 (< 8)")
    add("INVALID", fam, wrap(udp(fam, ulen=999, proto=UDPLITE), UDPLITE),
        "udp-lite, coverage beyond the datagram")

# --- Other protocols (generic tracking).
for fam in (4, 6):
    for proto in (SCTP, 47, 50, 253):
        p = ip4(b"\0" * 16, proto) if fam == 4 else ip6(b"\0" * 16, proto)
        # nf_conntrack has an SCTP tracker, which refuses a packet
        # without a valid chunk; ctrack tracks SCTP by ports alone.
        add("NEW", fam, p, "protocol %d, tracked generically%s"
            % (proto, " nfct=INVALID" if proto == SCTP else ""))
    p = ip4(b"", 253) if fam == 4 else ip6(b"", 253)
    add("NEW", fam, p, "protocol 253 with no payload")

# --- ICMP queries.
for typ, v, what in ((8, "NEW", "echo request"), (13, "NEW", "timestamp request"),
                     (0, "INVALID", "echo reply, no entry"),
                     (14, "INVALID", "timestamp reply, no entry"),
                     (200, "INVALID", "unknown type 200"), (42, "INVALID", "type 42")):
    add(v, 4, ip4(icmp4(typ, 0, echo_id()), ICMP), "icmp " + what)
add("INVALID", 4, ip4(icmp4(8, 0, echo_id(), bad_csum=True), ICMP), "icmp echo request, bad checksum")
add("INVALID", 4, ip4(icmp4(8, 0, echo_id())[:6], ICMP), "icmp echo request cut at 6 bytes")
add("INVALID", 4, ip4(icmp4(8, 0, echo_id())[:3], ICMP), "icmp cut at 3 bytes")
add("NEW", 4, ip4(icmp4(8, 0, echo_id(), b"x" * 1000), ICMP), "icmp echo request, 1000 bytes")
# The other family's ICMP: nf_conntrack's ICMP trackers refuse it too.
add("INVALID", 4, ip4(icmp6(128, 0, echo_id(), src=C6, dst=S6), ICMP6),
    "icmpv6 echo inside IPv4 (protocol 58 over IPv4)")
add("INVALID", 6, ip6(icmp4(8, 0, echo_id()), ICMP), "icmpv4 echo inside IPv6 (protocol 1 over IPv6)")

for typ, v, what in ((128, "NEW", "echo request"), (129, "INVALID", "echo reply, no entry"),
                     (139, "NEW", "node information query"),
                     (200, "INVALID", "unknown type 200")):
    add(v, 6, ip6(icmp6(typ, 0, echo_id()), ICMP6), "icmpv6 " + what)
for typ, what in ((133, "router solicitation"), (134, "router advertisement"),
                  (135, "neighbour solicitation"), (136, "neighbour advertisement"),
                  (130, "MLD query"), (131, "MLD report"), (132, "MLD done"),
                  (143, "MLDv2 report")):
    add("UNTRACKED", 6, ip6(icmp6(typ, 0, b"\0" * 4, b"\0" * 20), ICMP6), "icmpv6 " + what)
add("INVALID", 6, ip6(icmp6(128, 0, echo_id(), bad_csum=True), ICMP6), "icmpv6 echo request, bad checksum")
add("INVALID", 6, ip6(icmp6(128, 0, echo_id())[:5], ICMP6), "icmpv6 echo request cut at 5 bytes")

# --- ICMP errors. The RELATED ones belong to UDP flows "rel-N" that the
# NEW lines just below open (client -> server). An error names a flow by
# the packet it quotes: here the flow's reply packet (server -> client),
# as the client would answer it, travelling client -> server like every
# injected packet.
rel = []
for fam in (4, 6):
    for i in range(6):
        sp = nextport()
        u = udp(fam, sport=sp, dport=7000 + i)
        add("NEW", fam, ip4(u, UDP) if fam == 4 else ip6(u, UDP), "udp rel-%d, for the errors below" % len(rel))
        rel.append((fam, sp, 7000 + i))


def quoted(fam, sport, dport, src, dst, full=False):
    """The reply-way packet of a flow (server -> client), as an error quotes it."""
    u = udp(fam, sport=sport, dport=dport, src=src, dst=dst)
    if fam == 4:
        p = ip4(u, UDP, src=src, dst=dst)
    else:
        p = ip6(u, UDP, src=src, dst=dst)
    return p if full else p[:(20 if fam == 4 else 40) + 8]


for n, (fam, sp, dp) in enumerate(rel):
    src, dst = (S4, C4) if fam == 4 else (S6, C6)
    q = quoted(fam, dp, sp, src, dst, full=(n % 2 == 1))
    if fam == 4:
        for typ, code in ((3, 3), (3, 4), (11, 0))[n % 3:n % 3 + 1]:
            add("RELATED", 4, ip4(icmp4(typ, code, b"\0\0\0\0", q), ICMP),
                "icmp error %d/%d quoting rel-%d's reply packet" % (typ, code, n))
    else:
        for typ, code in ((1, 4), (2, 0), (3, 0))[n % 3:n % 3 + 1]:
            rest = struct.pack("!I", 1280) if typ == 2 else b"\0\0\0\0"
            add("RELATED", 6, ip6(icmp6(typ, code, rest, q), ICMP6),
                "icmpv6 error %d/%d quoting rel-%d's reply packet" % (typ, code, n))

for fam in (4, 6):
    if fam == 4:
        err = lambda body, **kw: ip4(icmp4(3, 1, b"\0\0\0\0", body, **kw), ICMP)
        q = quoted(4, 7000, 30001, S4, C4)
        nested = ip4(icmp4(3, 1, b"\0\0\0\0", q), ICMP, src=S4, dst=C4)
        hl = 20
    else:
        err = lambda body, **kw: ip6(icmp6(1, 0, b"\0\0\0\0", body, **kw), ICMP6)
        q = quoted(6, 7000, 30001, S6, C6)
        nested = ip6(icmp6(1, 0, b"\0\0\0\0", q, src=S6, dst=C6), ICMP6, src=S6, dst=C6)
        hl = 40
    add("INVALID", fam, err(q), "icmp error quoting a flow nobody opened")
    add("INVALID", fam, err(b""), "icmp error quoting nothing")
    add("INVALID", fam, err(b"\x00" * 28), "icmp error quoting 28 zero bytes")
    add("INVALID", fam, err(b"\xff" * 48), "icmp error quoting 48 bytes of 0xff")
    add("INVALID", fam, err(q[:hl - 4]), "icmp error quoting a cut IP header")
    add("INVALID", fam, err(q[:hl + 2]), "icmp error quoting 2 bytes of the UDP header")
    add("INVALID", fam, err(nested[:hl + 8 + hl + 8]), "icmp error quoting an icmp error (nested)")
    add("INVALID", fam, err(bytes([0x60 if fam == 4 else 0x45]) + q[1:]),
        "icmp error quoting a header of the other IP version")
    sp, dp = rel[0 if fam == 4 else 6][1:]
    src, dst = (S4, C4) if fam == 4 else (S6, C6)
    good = quoted(fam, dp, sp, src, dst)
    if fam == 4:
        add("INVALID", 4, ip4(icmp4(3, 3, b"\0\0\0\0", good, bad_csum=True), ICMP),
            "icmp error quoting rel-0, bad checksum")
    else:
        add("INVALID", 6, ip6(icmp6(1, 4, b"\0\0\0\0", good, bad_csum=True), ICMP6),
            "icmpv6 error quoting rel-6, bad checksum")
    # The error quotes an ICMP echo: id and type must name a query.
    if fam == 4:
        eq = ip4(icmp4(0, 0, echo_id()), ICMP, src=S4, dst=C4)[:28]
        add("INVALID", 4, ip4(icmp4(3, 1, b"\0\0\0\0", eq), ICMP), "icmp error quoting an unknown echo")
    else:
        eq = ip6(icmp6(129, 0, echo_id(), src=S6, dst=C6), ICMP6, src=S6, dst=C6)[:48]
        add("INVALID", 6, ip6(icmp6(1, 0, b"\0\0\0\0", eq), ICMP6), "icmpv6 error quoting an unknown echo")

# --- IPv4 headers.
u = lambda: udp(4)
add("NEW", 4, ip4(u(), UDP, ihl=15, opts=b"\x01" * 40), "ipv4 IHL 15, 40 bytes of NOP options")
add("NEW", 4, ip4(u(), UDP, ihl=6, opts=b"\x00" * 4), "ipv4 IHL 6, end-of-options")
# IP options are checked after PREROUTING (ip_rcv_finish): ctrack sees
# the packet and, as nf_conntrack, does not judge its options.
add("NEW", 4, ip4(u(), UDP, ihl=6, opts=b"\x07\x00\x00\x00"),
    "ipv4 option of length 0 (record route; the stack drops it after PREROUTING)")
add("NEW", 4, ip4(u(), UDP, ihl=7, opts=b"\x44\x20\x05\x00" + b"\0" * 4),
    "ipv4 timestamp option longer than the header (dropped after PREROUTING)")
for ihl in (0, 1, 4):
    add("DROP", 4, ip4(u(), UDP, ihl=ihl), "ipv4 IHL %d (< 5)" % ihl)
add("DROP", 4, ip4(u(), UDP, ihl=15), "ipv4 IHL 15 beyond the packet's header")
add("DROP", 4, ip4(u(), UDP, tot=1500), "ipv4 total length beyond the frame")
add("DROP", 4, ip4(u(), UDP, tot=19), "ipv4 total length 19 (< header)")
add("DROP", 4, ip4(u(), UDP, bad_csum=True), "ipv4 bad header checksum")
add("DROP", 4, ip4(u(), UDP, version=5), "ipv4 frame with version 5")
add("DROP", 4, ip4(u(), UDP, version=6), "ipv4 frame with version 6")
add("NEW", 4, ip4(u(), UDP) + b"\0" * 30, "ipv4 with 30 bytes of trailing padding")
add("NEW", 4, ip4(u(), UDP, frag=0x4000), "ipv4 DF set")
add("NEW", 4, ip4(u(), UDP, ttl=0), "ipv4 TTL 0 (forwarding drops it, after PREROUTING)")
lo = bytes([127, 0, 0, 1])
add("NEW", 4, ip4(udp(4, src=lo), UDP, src=lo),
    "ipv4 from 127.0.0.1 (martian: routing drops it, after PREROUTING)")

# --- Fragments (reassembled by nf_defrag_ipv4/6 before ctrack).
def pieces(payload, cuts, overlap=0):
    """A fragment id, then (offset, data, more) of each fragment of one
    datagram cut at the 8-byte-multiple offsets in cuts; with overlap,
    each fragment after the first starts that many bytes early."""
    ident[0] += 1
    bounds = [0] + cuts + [len(payload)]
    res = []
    for i in range(len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        if i and overlap:
            a -= overlap
        res.append((a, payload[a:b], i < len(bounds) - 2))
    return ident[0], res


def frags4(payload, proto, cuts, overlap=0):
    fid, res = pieces(payload, cuts, overlap)
    return [ip4(data, proto, frag=(0x2000 if more else 0) | (a // 8), ident_=fid)
            for a, data, more in res]


big = udp(4, payload=b"f" * 64)
add("NEW", 4, frags4(big, UDP, [8, 16, 24, 32, 40, 48, 56, 64]), "ipv4 udp in 9 tiny (8-byte) fragments")
add("NEW", 4, frags4(udp(4, payload=b"f" * 64), UDP, [32])[::-1], "ipv4 udp in 2 fragments, last first")
add("NEW", 4, frags4(tcp(4, F_SYN, payload=b"q" * 40), TCP, [8]), "ipv4 tcp SYN, first fragment 8 bytes (ports only)")
add("DROP", 4, frags4(udp(4, payload=b"o" * 64), UDP, [32], overlap=8), "ipv4 overlapping fragments")
add("DROP", 4, frags4(udp(4, payload=b"l" * 64), UDP, [32])[:1], "ipv4 first fragment alone (held, never completed)")
add("DROP", 4, frags4(udp(4, payload=b"m" * 64), UDP, [32])[1:], "ipv4 last fragment alone")
# Held by defrag; with NOTRACK in a raw table that runs before defrag
# (iptable_raw raw_before_defrag=1) it reaches ctrack alone, and its
# coverage (the whole datagram) runs past it: INVALID (55-malformed.sh).
add("DROP", 4, frags4(udp(4, payload=b"v" * 64, ulen=72, proto=UDPLITE), UDPLITE, [32])[:1],
    "ipv4 udp-lite first fragment alone, coverage past it (held)")


# --- IPv6 extension headers.
def ext(nh, body_len8=0, fill=b"\x01\x00"):
    """An extension header of (1 + body_len8) * 8 bytes: PadN-filled."""
    n = 8 * (body_len8 + 1)
    opts = b"\x01" + bytes([n - 4]) + b"\0" * (n - 4)
    return bytes([nh, body_len8]) + opts


def chain(hdrs, last_nh, payload):
    """hdrs: list of header types, outermost first."""
    data = payload
    nh = last_nh
    for h in reversed(hdrs):
        if h == FRAG:
            data = struct.pack("!BBHI", nh, 0, 0, 77) + data
        elif h == ROUTING:
            data = struct.pack("!BBBB", nh, 0, 0, 0) + b"\0" * 4 + data
        else:
            data = ext(nh) + data
        nh = h
    return nh, data


for n in (1, 8, 15):
    nh, data = chain([DEST] * n, UDP, udp(6))
    add("NEW", 6, ip6(data, nh), "ipv6 %d destination-options headers, then udp" % n)
nh, data = chain([DEST] * 16, UDP, udp(6))
add("NEW", 6, ip6(data, nh), "ipv6 16 destination-options headers (the most ctrack walks), then udp")
for n in (17, 40):
    nh, data = chain([DEST] * n, UDP, udp(6))
    # nf_conntrack walks any number; ctrack bounds its cost per packet.
    add("INVALID", 6, ip6(data, nh),
        "ipv6 %d destination-options headers (more than ctrack walks) nfct=NEW" % n)
nh, data = chain([DEST] * 3, DEST, b"")
add("INVALID", 6, ip6(data, nh), "ipv6 destination options pointing to more destination options past the end")
nh, data = chain([HOP, DEST, ROUTING, DEST], UDP, udp(6))
add("NEW", 6, ip6(data, nh), "ipv6 hop-by-hop, dest, routing (type 0, 0 left), dest, then udp")
nh, data = chain([HOP], TCP, tcp(6, F_SYN))
add("NEW", 6, ip6(data, nh), "ipv6 hop-by-hop (PadN), then tcp SYN")
nh, data = chain([DEST], NONE_HDR, b"")
add("INVALID", 6, ip6(data, nh), "ipv6 destination options then no next header (no protocol)")
add("INVALID", 6, ip6(b"", NONE_HDR), "ipv6 no next header, empty")
nh, data = chain([DEST], UDP, udp(6))
add("INVALID", 6, ip6(data[:6], nh), "ipv6 destination options header cut at 6 bytes")
add("INVALID", 6, ip6(bytes([UDP, 200]) + b"\0" * 6 + udp(6), DEST), "ipv6 destination options claiming 1608 bytes")
add("DROP", 6, ip6(bytes([UDP, 0, 0x80, 4]) + b"\0" * 4 + udp(6), HOP),
    "ipv6 hop-by-hop with unknown option type 0x80 (discard and report)")
add("DROP", 6, ip6(bytes([UDP, 0, 0x40, 4]) + b"\0" * 4 + udp(6), HOP),
    "ipv6 hop-by-hop with unknown option type 0x40 (discard)")
nh, data = chain([DEST, HOP], UDP, udp(6))
add("NEW", 6, ip6(data, nh),
    "ipv6 hop-by-hop after another header (only a first one is parsed on receive)")
add("DROP", 6, ip6(udp(6), UDP, plen=1000), "ipv6 payload length beyond the frame")
add("DROP", 6, ip6(udp(6), UDP, version=4), "ipv6 frame with version 4")
add("NEW", 6, ip6(udp(6), UDP) + b"\0" * 20, "ipv6 with 20 bytes of trailing padding")
nh, data = chain([FRAG], UDP, udp(6))
add("NEW", 6, ip6(data, nh), "ipv6 atomic fragment (offset 0, no more fragments)")


def frags6(payload, nh, cuts):
    fid, res = pieces(payload, cuts)
    return [ip6(struct.pack("!BBHI", nh, 0, (a // 8) << 3 | more, fid) + data, FRAG)
            for a, data, more in res]


add("NEW", 6, frags6(udp(6, payload=b"s" * 64), UDP, [8, 16, 24, 32, 40, 48, 56, 64]),
    "ipv6 udp in 9 tiny fragments")
add("NEW", 6, frags6(udp(6, payload=b"t" * 64), UDP, [32])[::-1], "ipv6 udp in 2 fragments, last first")
add("DROP", 6, frags6(udp(6, payload=b"u" * 64), UDP, [32])[:1], "ipv6 first fragment alone (held)")
add("DROP", 6, frags6(udp(6, payload=b"w" * 64, ulen=72, proto=UDPLITE), UDPLITE, [32])[:1],
    "ipv6 udp-lite first fragment alone, coverage past it (held)")

# ICMP errors whose quoted packet carries IPv4 options, or an IPv6
# extension header before its UDP header: the tuple is found past them.
sp, dp = rel[2][1:]
q = ip4(udp(4, sport=dp, dport=sp, src=S4, dst=C4), UDP, src=S4, dst=C4, ihl=6,
        opts=b"\x01\x01\x01\x00")[:24 + 8]
add("RELATED", 4, ip4(icmp4(3, 3, b"\0\0\0\0", q), ICMP),
    "icmp error quoting rel-2's reply packet, which has IP options")
sp, dp = rel[8][1:]
nh, data = chain([DEST], UDP, udp(6, sport=dp, dport=sp, src=S6, dst=C6))
q = ip6(data, nh, src=S6, dst=C6)[:40 + 8 + 8]
add("RELATED", 6, ip6(icmp6(1, 4, b"\0\0\0\0", q), ICMP6),
    "icmpv6 error quoting rel-8's reply packet, after a destination-options header")

# The test's end-of-group marker, not a case: a generic datagram that
# is NEW every time (nobody answers protocol 253 in kind).
print("SENTINEL 4 %s  # end of a group" % ip4(b"sentinel", 253, ident_=0).hex())
for line in out:
    print(line)
print("%d packets" % len(out), file=sys.stderr)
