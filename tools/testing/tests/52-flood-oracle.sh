#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Floods against nf_conntrack, events included: both trackers follow the
# same floods in rt, each with its own event listener (`ctrack -E` and
# `conntrack -E`, 16 MiB socket buffers; each stopped before its
# events are counted, since conntrack's output reaches its file in
# blocks), UDP and SYN-sent timeouts of 25 s for both. Before a flood, a
# canary flow (UDP from cl to sv, its own port) shows that both listeners
# hear; after it, a second one that ctrack's listener has heard (conntrack
# writes its file only on its way out).
#
#   cl (pktgen, ctpkt synflood) ---- rt (ctrack + nf_conntrack) ---- sv
#
# 1. Room for all: 2,000 IPv4 UDP flows (pktgen, sources 10.8.0.0 up,
#    one packet each), 1,500 IPv6 UDP flows (source ports of
#    fd00:8::1) and 1,500 SYNs (10.9.0.0/20), paced. Each tracker must
#    call every packet NEW, list and announce (NEW events) the same
#    number of flows of each kind, and, once the timeouts pass, announce
#    as many DESTROY events and list none of them.
# 2. A full table: max 1,000 for both (nf_conntrack_max, net.ctrack.max
#    in rt), timeouts of 120 s (every DESTROY event is an eviction), an
#    ASSURED TCP and UDP probe from cl, then 2,000 IPv4 and
#    2,000 IPv6 UDP flows. Both tables must stay within max (sampled
#    every 50 ms) and fill, both must keep the probes' entries and the
#    probes their round trips, and each tracker's events of the flood
#    must add up to what it lists of it: NEW - DESTROY. Which flows each
#    keeps differs (their buckets and eviction differ): printed, not
#    compared.
# sv drops the floods in its raw table. The debug kernel has no
# nf_conntrack events (CONFIG_NF_CONNTRACK_EVENTS): it skips this test.
. ./lib.bash
plan 14

TO=25
pids=() listeners=()
cleanup() {
	local p
	for p in "${pids[@]}" "${listeners[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	topo_down
}
trap cleanup EXIT

command -v conntrack >/dev/null || { fail "no conntrack(8) in the VM"; finish; }
modprobe nf_conntrack 2>/dev/null
modprobe nf_conntrack_netlink 2>/dev/null
modprobe pktgen || { fail "pktgen: the kernel has no pktgen module"; finish; }
ctrack_load
topo_up
rtmac=$(ip -n rt link show veth0 | awk '/link\/ether/ { print $2 }')
ip netns exec rt sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.veth0.rp_filter=0
ip netns exec sv iptables -t raw -A PREROUTING -s 10.8.0.0/15 -j DROP
ip netns exec sv ip6tables -t raw -A PREROUTING -s fd00:8::/64 -j DROP
# The floods' packets (not the canaries, nor sv's answers to them).
for ipt in iptables ip6tables; do
	src=10.8.0.0/15
	[ $ipt = ip6tables ] && src=fd00:8::/64
	ip netns exec rt $ipt -A FORWARD -s $src -m conntrack --ctstate NEW -m ctrack --ctstate NEW \
		-m comment --comment k:bothnew
	ip netns exec rt $ipt -A FORWARD -s $src -m comment --comment k:all
done
# timeouts TO: UDP's and SYN_SENT's, for both trackers in rt (ctrack's
# sysctls have nf_conntrack's names)
timeouts() {
	local k
	for k in udp_timeout udp_timeout_stream tcp_timeout_syn_sent; do
		ip netns exec rt sysctl -qw "net.ctrack.$k=$1" "net.netfilter.nf_conntrack_$k=$1"
	done
}
timeouts $TO
# Room for all, the same for both (a 1 GiB VM gives ctrack 4,096 by default).
sysctl -qw net.netfilter.nf_conntrack_max=20000
ip netns exec rt sysctl -qw net.ctrack.max=20000

pg() { ip netns exec cl bash -c 'echo "$1" >"/proc/net/pktgen/$2"' _ "$2" "$1"; }
# pgsend COUNT COMMAND...: COUNT packets of one pktgen thread from cl to
# rt, one every $PACE ns: conntrack -E on a TCG vCPU loses events at the
# top rate (ENOBUFS), and it is the oracle
PACE=400000
pgsend() {
	local n=$1 c
	shift
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device veth0"
	for c in "count $n" "delay $PACE" "clone_skb 0" "dst_mac $rtmac" "udp_dst_min 9" \
		 "udp_dst_max 9" "$@"; do
		pg veth0 "$c"
	done
	pg pgctrl start
}
flood_udp4() { pgsend "$1" "pkt_size 64" "dst 10.0.2.1" "src_min 10.8.$2.0" "src_max $3" \
	"udp_src_min 1000" "udp_src_max 1000"; }
flood_udp6() { pgsend "$1" "pkt_size 78" "dst6 fd00:2::1" "src6 fd00:8::$2" \
	"udp_src_min 1024" "udp_src_max $((1024 + $1))"; }

# Each kind of flood flow in a listing or among events.
KINDS="udp4 tcp4 udp6"
# shellcheck disable=SC2034 # read through ${!re}
{
	re_udp4='^.*udp .*src=10\.8\.'
	re_tcp4='^.*tcp .*src=10\.9\.'
	re_udp6='^.*udp .*src=fd00:8::'
}
# kinds FILE [TAG]: "udp4=N tcp4=N udp6=N" of the lines of FILE (with TAG)
kinds() {
	local k re out=
	for k in $KINDS; do
		re=re_$k
		out+="$k=$(grep -F -- "${2:-}" "$1" | grep -cE "${!re}") "
	done
	echo "${out% }"
}
listed() {
	ctlist rt >/tmp/list.ct
	ip netns exec rt cat /proc/net/nf_conntrack | v6compress >/tmp/list.nf
	echo "ctrack $(kinds /tmp/list.ct), nf_conntrack $(kinds /tmp/list.nf)"
}
# canary: a UDP datagram from cl to sv on a port of its own, $canary
canary=7000
canary() {
	canary=$((canary + 1))
	ip netns exec cl bash -c "echo canary >/dev/udp/10.0.2.1/$canary" 2>/dev/null
}
# listen NAME: a ctrack and a conntrack listener in rt for NEW and
# DESTROY events, to /tmp/NAME.ct and /tmp/NAME.nf; their pids in L.
# Returns once ctrack's has heard a canary's NEW event (conntrack's shows
# it in its file only later, and the comparisons find its absence).
listen() {
	local port
	L=()
	ip netns exec rt ctrack -E -e NEW,DESTROY -b 16777216 >"/tmp/$1.ct" 2>"/tmp/$1.ct.err" &
	L+=($!)
	ip netns exec rt conntrack -E -e NEW,DESTROY -b 16777216 >"/tmp/$1.nf" 2>"/tmp/$1.nf.err" &
	L+=($!)
	listeners+=("${L[@]}")
	sleep 1
	canary
	port=$canary
	wait_for 10 grep -q "NEW.* dport=$port " "/tmp/$1.ct"
	# conntrack subscribes as fast; give it the same second again.
	sleep 1
}
# unlisten NAME PID...: stop listeners once ctrack's has heard a last
# canary, and a second more for conntrack's to read its socket (it
# writes what it holds on its way out)
unlisten() {
	local name=$1 port
	shift
	canary
	port=$canary
	wait_for 10 grep -q "NEW.* dport=$port " "/tmp/$name.ct"
	sleep 2
	kill -TERM "$@"
	wait "$@" 2>/dev/null
}
# events NAME TAG: both listeners' counts of TAG events, by kind
events() { echo "ctrack $(kinds "/tmp/$1.ct" "$2"), nf_conntrack $(kinds "/tmp/$1.nf" "$2")"; }
# lost NAME: what a listener said of lost events (ctrack and conntrack
# both say WARNING)
lost() { grep -h WARNING "/tmp/$1.ct.err" "/tmp/$1.nf.err"; }
# same_counts LINE: the ctrack half of "ctrack K=N..., nf_conntrack K=N..." equals the nf half
same_counts() { [ "$(sed -E 's/^ctrack (.*), nf_conntrack .*/\1/' <<<"$1")" = "$(sed -E 's/.*, nf_conntrack //' <<<"$1")" ]; }
declare -A C	# chain_counters (lib.bash): packets of the rules k:NAME

# 1. Room for all.
listen new
newl=("${L[@]}")
listen gone
gonel=("${L[@]}")
flood_udp4 2000 0 10.8.7.207
flood_udp6 1500 1
# SYNs in bursts of 100 (10.9.N.0 up, port 1000, to sv port 80), paced too.
for i in $(seq 0 14); do
	ip netns exec cl ctpkt tcpflows veth0 "$rtmac" "10.9.$i.0" 10.0.2.1 syn 100 100 >/dev/null
	sleep 0.1
done
want="udp4=2000 tcp4=1500 udp6=1500"
wait_for 10 eval '[ "$(listed)" = "ctrack $want, nf_conntrack $want" ]'
l=$(listed)
if [ "$l" = "ctrack $want, nf_conntrack $want" ]; then
	pass "room for all: both list every flow ($l)"
else
	fail "room for all: listings ($l; want $want in both)"
fi
for ipt in iptables ip6tables; do
	wait_for 5 chain_counters $ipt FORWARD
	a=${C[all]:-0} b=${C[bothnew]:-0}
	if [ "$a" -gt 0 ] && [ "$a" = "$b" ]; then
		pass "room for all ($ipt): both trackers called all $a packets NEW"
	else
		fail "room for all ($ipt): $b of $a packets NEW in both"
	fi
done
unlisten new "${newl[@]}"
new=$(events new "[NEW]")
if [ "$new" = "ctrack $want, nf_conntrack $want" ]; then
	pass "room for all: a NEW event for each flow sent, in both ($new)"
else
	fail "room for all: NEW events $new, flows sent $want (listed $l)"
fi
# Expiry: $TO s, then each tracker's collector (a listing a second:
# the listener must not starve).
none="ctrack udp4=0 tcp4=0 udp6=0, nf_conntrack udp4=0 tcp4=0 udp6=0"
for i in $(seq 90); do
	l=$(listed)
	[ "$l" = "$none" ] && break
	sleep 1
done
unlisten gone "${gonel[@]}"
gone=$(events gone "[DESTROY]")
if [ "$l" = "$none" ] && [ "${gone%%, nf_conntrack*}" = "${new%%, nf_conntrack*}" ]; then
	pass "room for all: every flow expired in both; ctrack announced each one's end (${gone%%, nf_conntrack*})"
else
	fail "room for all: after the timeouts $l; DESTROY events $gone, NEW $new; $(lost gone)"
fi
# A collector kills its expired entries in bursts, and conntrack(8) on a
# TCG vCPU may not keep up with nf_conntrack's: it says so (ENOBUFS),
# and then nf_conntrack's DESTROY events cannot be compared.
if [ "$gone" = "$new" ]; then
	pass "room for all: DESTROY events alike in both ($gone)"
elif grep -q WARNING /tmp/gone.nf.err; then
	skip "room for all: conntrack -E lost nf_conntrack's DESTROY events (ENOBUFS): $gone"
else
	fail "room for all: DESTROY events $gone, NEW $new"
fi
w=$(lost new; grep -h WARNING /tmp/gone.ct.err)
if [ -z "$w" ]; then
	pass "room for all: no NEW event lost by either listener, no DESTROY event by ctrack's"
else
	fail "room for all: events lost: $w"
fi

# 2. A full table. Nothing expires meanwhile: every DESTROY event is an
# eviction.
timeouts 120
sysctl -qw net.netfilter.nf_conntrack_max=1000
ip netns exec rt sysctl -qw net.ctrack.max=1000
udp_server sv 5353
pids+=($!)
echo_server sv 9090
pids+=($!)
ip netns exec cl ctpkt probe tcp 10.0.2.1 9090 >/tmp/probe-tcp &
probe_tcp=$!
ip netns exec cl ctpkt probe udp 10.0.2.1 5353 >/tmp/probe-udp &
probe_udp=$!
assured() {
	[ "$(ip netns exec rt cat "$1" | grep -E 'src=10\.0\.1\.1 dst=10\.0\.2\.1 sport=[0-9]+ dport=(9090|5353) ' |
		grep -c ASSURED)" = 2 ]
}
check "full table: both probes ASSURED in both trackers" \
	wait_for 20 eval 'assured /proc/net/ctrack && assured /proc/net/nf_conntrack'
listen full
fulll=("${L[@]}")
rm -f /tmp/stop-sampler
ip netns exec rt bash -c 'mc=0 mn=0
	while [ ! -e /tmp/stop-sampler ]; do
		read -r c </proc/sys/net/ctrack/count
		read -r n </proc/sys/net/netfilter/nf_conntrack_count
		[ "$c" -gt "$mc" ] && mc=$c
		[ "$n" -gt "$mn" ] && mn=$n
		sleep 0.05
	done
	echo "$mc $mn"' >/tmp/maxseen &
sampler=$!
flood_udp4 2000 16 10.8.23.207
flood_udp6 2000 2
sleep 1
c1=$(ip netns exec rt cat /proc/sys/net/ctrack/count)
n1=$(ip netns exec rt cat /proc/sys/net/netfilter/nf_conntrack_count)
touch /tmp/stop-sampler
wait "$sampler"
read -r mc mn </tmp/maxseen
# nf_conntrack counts a new entry before it evicts one (its count may
# read max + 1 for a moment); ctrack evicts first.
if [ "$mc" -le 1000 ] && [ "$mn" -le 1001 ] && [ "$c1" -ge 990 ] && [ "$n1" -ge 990 ]; then
	pass "full table: both filled and stayed within max 1000 (most seen: ctrack $mc, nf_conntrack $mn; after: $c1, $n1)"
else
	fail "full table: most seen ctrack $mc, nf_conntrack $mn (max 1000); after the flood $c1, $n1"
fi
check "full table: both kept both probes' ASSURED entries" \
	eval 'assured /proc/net/ctrack && assured /proc/net/nf_conntrack'
sleep 1
kill -TERM "$probe_tcp" "$probe_udp"
ptcp=0 pudp=0
wait "$probe_tcp" || ptcp=$?
wait "$probe_udp" || pudp=$?
if [ "$ptcp" = 0 ] && [ "$pudp" = 0 ]; then
	pass "full table: the probes kept their round trips ($(cat /tmp/probe-tcp /tmp/probe-udp | tr '\n' ' '))"
else
	fail "full table: a probe broke (exit $ptcp, $pudp: $(cat /tmp/probe-tcp /tmp/probe-udp | tr '\n' ' '))"
fi
# Each tracker's events of the flood's flows add up to the flood's
# flows it lists once its listener stopped (other entries, canaries from
# phase 1, may expire meanwhile: they are not counted).
unlisten full "${fulll[@]}"
c2=$(ip netns exec rt cat /proc/sys/net/ctrack/count)
n2=$(ip netns exec rt cat /proc/sys/net/netfilter/nf_conntrack_count)
listed >/dev/null
# flood FILE [TAG]: the flood's flows among the lines of FILE (with TAG)
flood() { kinds "$@" | awk -F'[ =]' '{ print $2 + $4 + $6 }'; }
for t in ct nf; do
	en=$(flood /tmp/full.$t "[NEW]")
	ed=$(flood /tmp/full.$t "[DESTROY]")
	d=$(flood /tmp/list.$t)
	name=ctrack
	[ $t = nf ] && name=nf_conntrack
	if [ "$en" -gt 1000 ] && [ $((en - ed)) = "$d" ] &&
	   { [ $t = nf ] || ! grep -q WARNING /tmp/full.$t.err; }; then
		pass "full table: $name's events add up: $en NEW - $ed DESTROY = $d flood flows listed"
	elif [ $t = nf ] && grep -q WARNING /tmp/full.$t.err; then
		skip "full table: conntrack -E lost nf_conntrack's events (ENOBUFS): $en NEW, $ed DESTROY, $d listed"
	else
		fail "full table: $name: $en NEW, $ed DESTROY, $d flood flows listed; $(cat /tmp/full.$t.err)"
	fi
done
echo "# full table, flood flows listed: ctrack $(kinds /tmp/list.ct), nf_conntrack $(kinds /tmp/list.nf)"
check "full table: each tracker's table holds at most 1000 entries now" \
	eval '[ "$c2" -le 1000 ] && [ "$n2" -le 1000 ]'
finish
