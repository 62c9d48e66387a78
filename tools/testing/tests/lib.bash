# SPDX-License-Identifier: GPL-2.0
# Shared helpers for ctrack's VM tests (sourced, not run).
#
# Topology built by topo_up:
#
#   ns "cl"                 ns "rt"                     ns "sv"
#   veth0 10.0.1.1/24 ---- veth0 10.0.1.254  veth1 10.0.2.254 ---- veth0 10.0.2.1/24
#         fd00:1::1/64           fd00:1::fe         fd00:2::fe         fd00:2::1/64
#
# Results are lines "PASS: name" / "FAIL: name: why" / "SKIP: name: why".

fails=0

# ctrack's xtables plugin (run-vm.sh --bin libxt_ctrack.so) beside the system's.
export XTABLES_LIBDIR=/usr/lib/ctrack/xtables:/usr/lib/x86_64-linux-gnu/xtables

# plan N: this test runs at least N checks (PASS/FAIL/SKIP lines). The
# VM harness fails a test that printed fewer and no SKIP saying why, or
# that declared no plan: a loop that silently ran nothing is a failure.
plan() { echo "PLAN: $1"; }

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: $*"; }

# check NAME CMD...: PASS if CMD succeeds
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# Everything takes far longer on the debug kernel (KASAN, lockdep,
# kmemleak under TCG): waits stretch by this factor there. A wait ends as
# soon as its condition holds, so only a failing check pays for it.
SLOW=1
[ "$KERNEL_FLAVOR" = debug ] && SLOW=10
export SLOW

# wait_for SECONDS CMD...: poll CMD until it succeeds, for at most
# SECONDS (as on a stock kernel) of wall time, not of tries: a try may
# itself take a second on the debug kernel.
wait_for() {
	local end=$((SECONDS + $1 * SLOW))
	shift
	while :; do
		"$@" && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# insmod does not resolve dependencies: load what ctrack.ko links against
# (built in on the debug kernel, where modprobe has nothing to do).
# The tests read counters, which ctrack keeps only when asked (acct=1, as
# nf_conntrack); CTRACK_ACCT= (empty) loads with the module's default.
CTRACK_ACCT=${CTRACK_ACCT-1}
ctrack_load() {
	lsmod | grep -q '^ctrack ' && return 0
	modprobe -a nf_defrag_ipv4 nf_defrag_ipv6 x_tables 2>/dev/null
	insmod "$CTRACK_DIR/ctrack.ko" ${CTRACK_ACCT:+acct=$CTRACK_ACCT} "$@"
}

ctrack_unload() {
	local mm
	lsmod | grep -q '^ctrack ' || return 0
	# The counter goes with the module: read it while it is there.
	mm=$(cat /sys/module/ctrack/parameters/verdict_mismatch 2>/dev/null)
	[ "${mm:-0}" = 0 ] || fail "verdict_mismatch is $mm before rmmod (slots of another packet found)"
	rmmod ctrack
}

# ctstat NS FIELD: the per-CPU sum of one /proc/net/stat/ctrack column
# (for "entries", the count itself)
# in_ns NS CMD...: CMD in the netns NS, a name (ip netns) or a PID's
in_ns() {
	if [[ $1 =~ ^[0-9]+$ ]]; then
		nsenter -t "$1" -n "${@:2}"
	else
		ip netns exec "$@"
	fi
}

ctstat() {
	in_ns "$1" cat /proc/net/stat/ctrack | {
		local hdr line h v col=0 i=0 s=0 field=$2
		read -r hdr
		for h in $hdr; do
			i=$((i + 1))
			[ "$h" = "$2" ] && col=$i
		done
		[ "$col" -gt 0 ] || { echo "ctstat: no column $2" >&2; return 1; }
		while read -r line; do
			set -- $line
			eval "v=\${$col}"
			# "entries" is the netns's count, repeated on each CPU's line.
			if [ "$field" = entries ]; then
				s=$((0x$v))
			else
				s=$((s + 0x$v))
			fi
		done
		echo "$s"
	}
}

# ctlist NS: the namespace's /proc/net/ctrack
ctlist() { ip netns exec "$1" cat /proc/net/ctrack; }

# ctgrep NS PATTERN...: every pattern (grep -E) matches one same line
ctgrep() {
	local ns=$1 out
	shift
	out=$(ctlist "$ns")
	for p in "$@"; do
		out=$(printf '%s\n' "$out" | grep -E -- "$p") || return 1
	done
	[ -n "$out" ]
}

topo_up() {
	local ns
	for ns in cl rt sv; do
		ip netns add $ns
		ip -n $ns link set lo up
	done
	ip link add veth0 netns cl type veth peer name veth0 netns rt
	ip link add veth0 netns sv type veth peer name veth1 netns rt
	ip -n cl addr add 10.0.1.1/24 dev veth0
	ip -n cl addr add fd00:1::1/64 dev veth0 nodad
	ip -n rt addr add 10.0.1.254/24 dev veth0
	ip -n rt addr add fd00:1::fe/64 dev veth0 nodad
	ip -n rt addr add 10.0.2.254/24 dev veth1
	ip -n rt addr add fd00:2::fe/64 dev veth1 nodad
	ip -n sv addr add 10.0.2.1/24 dev veth0
	ip -n sv addr add fd00:2::1/64 dev veth0 nodad
	for ns in cl rt sv; do
		ip -n $ns link set veth0 up
	done
	ip -n rt link set veth1 up
	ip -n cl route add default via 10.0.1.254
	ip -n cl -6 route add default via fd00:1::fe
	ip -n sv route add default via 10.0.2.254
	ip -n sv -6 route add default via fd00:2::fe
	ip netns exec rt sysctl -qw net.ipv4.ip_forward=1
	ip netns exec rt sysctl -qw net.ipv6.conf.all.forwarding=1
	wait_for 10 ip netns exec cl ping -c1 -W1 10.0.2.1 >/dev/null
	wait_for 10 ip netns exec cl ping6 -c1 -W1 fd00:2::1 >/dev/null
}

topo_down() {
	local ns
	for ns in cl rt sv; do
		ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del $ns 2>/dev/null
	done
	return 0
}

# A test's background load: it adds each loop's pid to bg (bg+=($!));
# stop_load kills and reaps those only (a bare "wait" would wait for the
# servers too). load_down, for "trap load_down EXIT": the load, then the
# topology.
bg=()
stop_load() {
	local p
	for p in "${bg[@]}"; do kill "$p" 2>/dev/null; done
	[ "${#bg[@]}" = 0 ] || wait "${bg[@]}" 2>/dev/null
	bg=()
}
load_down() {
	stop_load
	topo_down
}

# Servers answering "pong" on PORT over IPv4 and IPv6 (see ctpkt.c).
tcp_server() { ip netns exec "$1" ctpkt tcpserve "$2" & }
udp_server() { ip netns exec "$1" ctpkt udpserve "$2" & }

# listening NS PORT: a TCP socket of NS listens on PORT (v4 or v6)
listening() {
	ip netns exec "$1" cat /proc/net/tcp /proc/net/tcp6 |
		grep -qE ":$(printf %04X "$2") [0-9A-F]+:0000 0A "
}

# echo_server NS PORT: wait until it listens
echo_server() {
	ip netns exec "$1" ctpkt tcpecho "$2" &
	wait_for 10 listening "$1" "$2"
}

# servers_up: sv serves "pong" over TCP 8080 and UDP 5353, echoes on TCP 9090
servers_up() {
	tcp_server sv 8080
	udp_server sv 5353
	echo_server sv 9090
	wait_for 5 listening sv 8080
}

# hold_open NS DST PORT: open a TCP session (data both ways: ASSURED)
# that lasts until hold_close; $hold_pid is its client.
hold_open() {
	rm -f /tmp/hold
	mkfifo /tmp/hold
	ip netns exec "$1" ctpkt tcphold "$2" "$3" </tmp/hold &
	hold_pid=$!
	exec 9>/tmp/hold
}

# hold_close: end that session (FIN both ways); fails if the client did
hold_close() {
	exec 9>&-
	rm -f /tmp/hold
	wait "$hold_pid"
}

# chain_counters IPT CHAIN: fill the caller's associative array C with the
# packet counts of rt's CHAIN, each rule named by a comment "k:NAME", from
# a listing that a second one repeats (no packet was in flight between).
chain_counters() {
	local a b line re='/\* k:([A-Za-z0-9_./]+) \*/'
	a=$(ip netns exec rt "$1" -L "$2" -v -x -n) || return 1
	b=$(ip netns exec rt "$1" -L "$2" -v -x -n) || return 1
	[ "$a" = "$b" ] || return 1
	C=()
	while read -r line; do
		[[ $line =~ $re ]] && C[${BASH_REMATCH[1]}]=${line%% *}
	done <<<"$b"
	return 0
}

# Side by side with nf_conntrack, in rt. The comparable part of an
# entry: no timeout, no use count, no zone, and no mark (nf_conntrack
# prints it only with CONFIG_NF_CONNTRACK_MARK, which the debug kernel
# lacks; nothing sets a mark here).
norm_ct() {
	grep -E -- "$1" | sed -E 's/^([a-z]+) +([0-9]+) [0-9]+ /\1 \2 /; s/ (use|mark)=[0-9]+//g'
}
norm_nf() {
	v6compress | grep -E -- "$1" | sed -E 's/^ipv[46] +[0-9]+ //; s/^([a-z]+) +([0-9]+) [0-9]+ /\1 \2 /; s/ (zone|secctx)=[^ ]+//g; s/ (use|mark)=[0-9]+//g'
}
same() {
	local ct nf
	ct=$(ip netns exec rt cat /proc/net/ctrack | norm_ct "$1")
	nf=$(ip netns exec rt cat /proc/net/nf_conntrack | norm_nf "$1")
	printf 'ctrack:       %s\nnf_conntrack: %s\n' "$ct" "$nf" >/tmp/same
	[ -n "$ct" ] && [ "$ct" = "$nf" ]
}

# agree NAME PATTERN: both trackers list the same entry (they may take a
# moment to see the last packet alike)
agree() {
	if wait_for 3 same "$2"; then
		pass "$1"
	else
		cat /tmp/same
		fail "$1"
	fi
}

finish() {
	exit "$fails"
}

# Tests pass these to "bash -c" strings too. (busybox sh would run its
# own ip applet instead of iproute2's: never use sh -c in tests.)
export -f wait_for in_ns ctstat ctlist ctgrep listening

# /proc/net/nf_conntrack prints IPv6 addresses in full; conntrack -L and
# ctrack print them compressed. Compress (enough for the test addresses).
v6compress() {
	sed -E 's/([=:])0{1,3}([0-9a-f])/\1\2/g; s/=0(:0)+:/=::/g; s/(:0){2,}:/::/g'
}
export -f v6compress
