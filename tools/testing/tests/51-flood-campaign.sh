#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SYN and UDP floods (campaign 1). A generator namespace "fl"
# hangs off rt's veth2 and floods through rt towards sv with random
# source addresses and ports, both floods at once: UDP from pktgen (in
# the kernel: the fastest the VM allows; sources in 10.8.0.0/16) and TCP
# SYNs from `ctpkt synflood` (AF_PACKET batches; 10.9.0.0/16). sv drops
# them in its raw table, unanswered. rt filters with a stateful ruleset:
# FORWARD policy DROP, ESTABLISHED,RELATED accepted, NEW only for the
# flood's interface and for the probes' first SYNs.
#
# Before the flood, 3 TCP and 3 UDP probes (`ctpkt probe`) from cl to sv
# become ASSURED; each makes a round trip every 100 ms all through the
# flood. With net.ctrack.max at 1024 and at its default (sized from
# memory: 4096 in a 1 GiB VM), the flood's figures are printed and:
#  - the table never holds more than max (sampled every 50 ms) and fills;
#  - the probes keep their entries (the same ids) and pass traffic during
#    the flood, and no probe packet reaches the ruleset's final drop: the
#    tracker never took one for anything but ESTABLISHED. (Round trips
#    that the overloaded input queues delay or lose, before any hook, are
#    figures: the probe's "lost" and "slowest", and the backlog drops.)
#  - every flood packet is accounted for: packets that reached the
#    tracker (raw PREROUTING) minus packets forwarded (mangle FORWARD) =
#    drop; new = insert + insert_failed; the table's growth =
#    insert - early_drop - expired;
#  - once the flood stops, the table drains back to its idle size within
#    the timeouts (udp_timeout and tcp_timeout_syn_sent: 10 s at CI
#    size, the defaults, 30 s and 120 s, at soak size) plus 10 s.
#
#   CAMPAIGN_SIZE=ci    200,000 UDP + 100,000 SYN a round (20,000 + 10,000
#                       on the debug kernel)
#   CAMPAIGN_SIZE=soak  3,000,000 UDP + 1,000,000 SYN a round
. ./lib.bash
plan 28

case "${CAMPAIGN_SIZE:-ci}" in
soak) udp_n=3000000 syn_n=1000000 timeout= ;;
*) if [ "$KERNEL_FLAVOR" = debug ]; then udp_n=20000 syn_n=10000; else udp_n=200000 syn_n=100000; fi
   timeout=10 ;;
esac

probes=()
cleanup() {
	local p
	for p in "${probes[@]}" "$sampler"; do kill "$p" 2>/dev/null; done
	ip netns del fl 2>/dev/null
	topo_down
}
trap cleanup EXIT

ipt() { ip netns exec rt iptables "$@"; }
# counter TABLE CHAIN NAME: packets of the rule with comment k:NAME
counter() {
	ipt -t "$1" -L "$2" -v -x -n | awk -v k="k:$3" '$0 ~ "/\\* " k " \\*/" { print $1 }'
}
rtsys() { ip netns exec rt cat "/proc/sys/net/ctrack/$1"; }
# The probes' entries: their original direction, from cl to sv's ports
# (a flood flow's reply direction may carry those ports too).
probe_re='src=10\.0\.1\.1 dst=10\.0\.2\.1 sport=[0-9]+ dport=(9090|5353) '

# probe_state: "ID PACKETS" of each probe's entry in rt, both ways summed
probe_state() {
	local line w id p
	ip netns exec rt ctrack -L -o id 2>/tmp/probe-state.err | grep -E "$probe_re" |
		while read -r line; do
			id=${line##*id=} p=0
			for w in $line; do
				case $w in packets=*) p=$((p + ${w#packets=})) ;; esac
			done
			echo "$id $p"
		done | sort
}
# probes_moved BEFORE AFTER: the same entries, each with more packets;
# prints the smallest growth
probes_moved() {
	local -A was=()
	local id p least=
	while read -r id p; do was[$id]=$p; done <<<"$1"
	while read -r id p; do
		[ -n "${was[$id]}" ] && [ "$p" -gt "${was[$id]}" ] || return 1
		[ -z "$least" ] || [ $((p - was[$id])) -lt "$least" ] && least=$((p - was[$id]))
		unset "was[$id]"
	done <<<"$2"
	[ "${#was[@]}" = 0 ] && echo "$least"
}
pg() {	# pg FILE COMMAND: one pktgen command in fl
	ip netns exec fl bash -c 'echo "$1" >"/proc/net/pktgen/$2"' _ "$2" "$1"
}

ctrack_load
modprobe pktgen || { fail "pktgen: the kernel has no pktgen module"; finish; }
topo_up
# IPv4 only in rt: nothing of its own (IPv6 neighbour discovery) may
# take a place in the table or a refusal in the counters.
ip netns exec rt sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns add fl
ip link add veth0 netns fl type veth peer name veth2 netns rt
ip -n fl link set veth0 up
ip -n rt link set veth2 up
ip -n rt addr add 10.0.3.254/24 dev veth2
ip -n rt route add 10.8.0.0/15 dev veth2
ip netns exec rt sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.veth2.rp_filter=0
rtmac=$(ip -n rt link show veth2 | awk '/link\/ether/ { print $2 }')
ip netns exec sv iptables -t raw -A PREROUTING -s 10.8.0.0/15 -j DROP

ipt -t raw -A PREROUTING -s 10.8.0.0/15 -m comment --comment k:in
ipt -t mangle -A FORWARD -s 10.8.0.0/15 -m comment --comment k:fwd
ipt -P FORWARD DROP
ipt -A FORWARD -m ctrack --ctstate ESTABLISHED,RELATED -j ACCEPT
ipt -A FORWARD -i veth2 -m ctrack --ctstate NEW -j ACCEPT
ipt -A FORWARD -i veth0 -p tcp --syn --dport 9090 -m ctrack --ctstate NEW -j ACCEPT
ipt -A FORWARD -i veth0 -p udp --dport 5353 -m ctrack --ctstate NEW -j ACCEPT
ipt -A FORWARD -s 10.0.1.1 -m comment --comment k:lost -j DROP
ipt -A FORWARD -d 10.0.1.1 -m comment --comment k:lost_reply -j DROP

udp_server sv 5353
echo_server sv 9090
for i in 1 2 3; do
	ip netns exec cl ctpkt probe tcp 10.0.2.1 9090 >"/tmp/probe-tcp$i" &
	probes+=($!)
	ip netns exec cl ctpkt probe udp 10.0.2.1 5353 >"/tmp/probe-udp$i" &
	probes+=($!)
done
assured() {
	[ "$(ctlist rt | grep -E "src=10\.0\.1\.1 dst=10\.0\.2\.1 sport=[0-9]+ dport=$1 " |
		grep -c ASSURED)" = 3 ]
}
check "3 TCP probes ASSURED before the flood" wait_for 20 assured 9090
check "3 UDP probes ASSURED before the flood" wait_for 20 assured 5353
# From now on a probe packet that is not ESTABLISHED is lost.
ipt -D FORWARD -i veth0 -p udp --dport 5353 -m ctrack --ctstate NEW -j ACCEPT
ipt -D FORWARD -i veth0 -p tcp --syn --dport 9090 -m ctrack --ctstate NEW -j ACCEPT

default_max=$(rtsys max)
if [ -n "$timeout" ]; then
	ip netns exec rt sysctl -qw net.ctrack.udp_timeout="$timeout" \
		net.ctrack.tcp_timeout_syn_sent="$timeout"
fi
udp_to=$(rtsys udp_timeout)
syn_to=$(rtsys tcp_timeout_syn_sent)
drain_limit=$(( (udp_to > syn_to ? udp_to : syn_to) + 10 ))

# snapshot PREFIX: rt's /proc/net/stat/ctrack summed over the CPUs, as
# variables PREFIX_FIELD (PREFIX_entries: the count), from two reads in
# a row that are the same (no entry expired between them); and the flood's
# rule counters, PREFIX_in and PREFIX_fwd.
snapshot() {
	local txt h v i n
	txt=$(ip netns exec rt bash -c 'for i in 1 2 3 4 5 6 7 8 9 10; do
		a=$(cat /proc/net/stat/ctrack); b=$(cat /proc/net/stat/ctrack)
		[ "$a" = "$b" ] && break
	done; echo "$b"')
	{
		read -r -a h
		for i in "${!h[@]}"; do printf -v "$1_${h[$i]}" %d 0; done
		while read -r -a v; do
			for i in "${!h[@]}"; do
				n=$1_${h[$i]}
				# "entries" is the count, the same on each CPU's line
				[ "${h[$i]}" = entries ] && printf -v "$n" %d 0
				printf -v "$n" %d $((${!n} + 0x${v[$i]}))
			done
		done
	} <<<"$txt"
	printf -v "$1_in" %d "$(counter raw PREROUTING in)"
	printf -v "$1_fwd" %d "$(counter mangle FORWARD fwd)"
}
# softnet_dropped: packets the CPUs' input backlogs dropped (overload)
softnet_dropped() {
	local d s=0
	for d in $(awk '{ print $2 }' /proc/net/softnet_stat); do s=$((s + 0x$d)); done
	echo "$s"
}

round() {	# round NAME MAX
	local name=$1 max=$2 seed=$RANDOM pgpid synpid t0 drained backlog0 probes0 probes1 least
	ip netns exec rt sysctl -qw net.ctrack.max="$max"
	idle=$(rtsys count)
	snapshot a
	backlog0=$(softnet_dropped)
	probes0=$(probe_state)
	rm -f /tmp/stop-sampler
	ip netns exec rt bash -c 'm=0
		while [ ! -e /tmp/stop-sampler ]; do
			read -r c </proc/sys/net/ctrack/count
			[ "$c" -gt "$m" ] && m=$c
			sleep 0.05
		done
		echo "$m"' >/tmp/maxseen &
	sampler=$!

	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device veth0"
	for c in "count $udp_n" "delay 0" "clone_skb 0" "pkt_size 64" \
		 "dst 10.0.2.1" "dst_mac $rtmac" "src_min 10.8.0.0" "src_max 10.8.255.255" \
		 "flag IPSRC_RND" "udp_src_min 1024" "udp_src_max 65535" "flag UDPSRC_RND" \
		 "udp_dst_min 9" "udp_dst_max 9"; do
		pg veth0 "$c"
	done
	t0=$SECONDS
	pg pgctrl start &
	pgpid=$!
	ip netns exec fl ctpkt synflood veth0 "$rtmac" 10.9.0.0/16 10.0.2.1 80 "$syn_n" "$seed" \
		>/tmp/synflood &
	synpid=$!
	wait "$pgpid" "$synpid"
	echo "# $name: flood took $((SECONDS - t0)) s; pktgen:" \
		"$(ip netns exec fl grep -o '[0-9]*pps' /proc/net/pktgen/veth0 | head -n1);" \
		"$(cat /tmp/synflood); input backlogs dropped $(($(softnet_dropped) - backlog0))" \
		"packets (overload, before any hook)"
	sleep 1		# the last packets through rt
	snapshot b
	touch /tmp/stop-sampler
	wait "$sampler"
	sampler=
	local seen in fwd drop
	seen=$(cat /tmp/maxseen)
	in=$((b_in - a_in)) fwd=$((b_fwd - a_fwd)) drop=$((b_drop - a_drop))
	echo "# $name: max $max, largest count seen $seen; flood packets at the" \
		"tracker $in, forwarded $fwd; new $((b_new - a_new)), insert" \
		"$((b_insert - a_insert)), insert_failed $((b_insert_failed - a_insert_failed))," \
		"drop $drop, early_drop $((b_early_drop - a_early_drop)), expired $((b_expired - a_expired))"
	check "$name: the table never held more than max ($seen <= $max)" test "$seen" -le "$max"
	check "$name: the flood filled the table ($seen >= $((max * 9 / 10)))" \
		test "$seen" -ge $((max * 9 / 10))
	check "$name: the flood overflowed the table ($((b_new - a_new + drop)) new flows > $max)" \
		test $((b_new - a_new + drop)) -gt "$max"
	check "$name: no packet classified INVALID" test "$b_invalid" = "$a_invalid"
	check "$name: every flood packet not forwarded was refused and counted ($in - $fwd = drop $drop)" \
		test $((in - fwd)) = "$drop"
	check "$name: every new entry was inserted or failed to be" \
		test $((b_new - a_new)) = $((b_insert - a_insert + b_insert_failed - a_insert_failed))
	check "$name: the table's growth is insert - early_drop - expired" \
		test $((b_entries - a_entries)) = \
		$((b_insert - a_insert - (b_early_drop - a_early_drop) - (b_expired - a_expired)))
	check "$name: no probe packet dropped by the ruleset" \
		test "$(counter filter FORWARD lost)/$(counter filter FORWARD lost_reply)" = 0/0
	probes1=$(probe_state)
	least=$(probes_moved "$probes0" "$probes1")
	check "$name: the 6 probes kept their entries and passed traffic during the flood (${least:-no} packets at least)" \
		test -n "$least" -a "$(wc -l <<<"$probes1")" = 6
	if [ -z "$least" ]; then
		printf '# before: %s\n# after: %s\n' "$probes0" "$probes1"
		cat /tmp/probe-state.err
		ip netns exec rt ctrack -L -o id | grep -E "$probe_re"
	fi

	t0=$SECONDS
	drained() { [ "$(rtsys count)" -le "$idle" ]; }
	wait_for "$drain_limit" drained
	drained=$((SECONDS - t0))
	echo "# $name: drained from $b_entries to $(rtsys count) entries in ${drained} s (limit $drain_limit s)"
	check "$name: the table drained to its idle size ($idle) within the timeouts" drained
}

round "max 1024" 1024
round "default max" "$default_max"

for p in "${probes[@]}"; do kill -TERM "$p"; done
for i in "${!probes[@]}"; do
	check "probe $((i + 1)): its flow still works after both rounds" wait "${probes[$i]}"
done
probes=()
cat /tmp/probe-tcp? /tmp/probe-udp? | sed 's/^/# /'
finish
