#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ctrack against nf_conntrack and against no tracking, in one VM boot
# (tools/testing/bench.sh boots the VM and makes the table).
#
#   ns "gen"  veth0 198.18.0.1 ---- veth0 198.18.0.254  "fw"  veth1 198.19.0.254 ---- veth0 "sink"
#
# pktgen in gen sends 64-byte UDP packets through fw (the forwarder, the
# only namespace where a tracker works) to 198.19.0.2, a neighbour with a
# MAC nobody has: sink's veth counts each frame and drops it before IP.
# pktgen and fw's forwarding share a CPU (veth hands the packet over on
# the sending CPU), so the cost of a packet is 1 / (packets per second
# at the sink), and a tracker's is that minus the no-tracker cost.
#
# Each configuration is loaded fresh for each measurement and activated
# by an equivalent rule in fw's FORWARD chain:
#   none    -j ACCEPT (no tracker module loaded)
#   nfct    -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
#   ctrack  -m ctrack --ctstate NEW,ESTABLISHED -j ACCEPT
# both trackers with BENCH_BUCKETS buckets, room for every entry, UDP
# timeouts of an hour. The configurations take turns measurement by
# measurement, in an order that turns each repetition.
#
# Prints one line per measurement: "BENCH {json}".
. ./lib.bash
plan 1

# Both trackers as they come: without per-entry counters (nf_conntrack's
# acct and ctrack's are off by default).
CTRACK_ACCT=
reps=${BENCH_REPS:-5}
# Configured as for a table of a million entries, one bucket an entry
# (ctrack's default max is its bucket count), the same for both trackers.
buckets=${BENCH_BUCKETS:-1048576}
est_pkts=${BENCH_EST_PACKETS:-500000}
new_pkts=${BENCH_NEW_PACKETS:-200000}
threads=${BENCH_THREADS:-$NR_CPUS}
scale=${BENCH_SCALE:-1000 100000 200000 1000000}
dump_sizes=${BENCH_DUMP:-200000 1000000}
read -r -a configs <<<"${BENCH_CONFIGS:-none nfct ctrack}"
# BENCH_TESTS: a subset of "established new evict scale events" for a quick look
tests=${BENCH_TESTS:-established new evict scale events}
# BENCH_KINDS: the established passes' kinds of flow, of "udp udp6 tcp"
kinds=${BENCH_KINDS:-udp udp6 tcp}
want() { case " $tests " in *" $1 "*) return 0 ;; esac; return 1; }

# ipt ARGS...: the same rule for IPv4 and IPv6 (nf_conntrack tracks a
# family only once a rule of that family asks for it)
ipt() { ip netns exec fw iptables "$@" && ip netns exec fw ip6tables "$@"; }

topo() {
	local ns
	for ns in gen fw sink; do
		ip netns add $ns
		ip -n $ns link set lo up
	done
	ip link add veth0 netns gen type veth peer name veth0 netns fw
	ip link add veth1 netns fw type veth peer name veth0 netns sink
	ip -n gen addr add 198.18.0.1/24 dev veth0
	ip -n fw addr add 198.18.0.254/24 dev veth0
	ip -n fw addr add 198.19.0.254/24 dev veth1
	for ns in gen fw sink; do ip -n $ns link set veth0 up; done
	ip -n fw link set veth1 up
	ip -n fw neigh add 198.19.0.2 lladdr 02:00:00:00:00:99 dev veth1 nud permanent
	# The sources' replies (TCP's SYN/ACKs) go back to gen, which drops
	# them: no neighbour to resolve for each of a million sources.
	ip -n fw route add 10.0.0.0/8 via 198.18.0.1 dev veth0
	ip netns exec fw sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.veth0.rp_filter=0 net.ipv6.conf.all.forwarding=1
	# IPv6 the same way: gen's sources 2001:db8:18::100 and up, the
	# neighbour nobody has at 2001:db8:19::2.
	ip -n gen addr add 2001:db8:18::1/64 dev veth0 nodad
	ip -n fw addr add 2001:db8:18::fe/64 dev veth0 nodad
	ip -n fw addr add 2001:db8:19::fe/64 dev veth1 nodad
	ip -n fw neigh add 2001:db8:19::2 lladdr 02:00:00:00:00:99 dev veth1 nud permanent
	fwmac=$(ip -n fw link show veth0 | awk '/link\/ether/ { print $2 }')
	fwmac1=$(ip -n fw link show veth1 | awk '/link\/ether/ { print $2 }')
	modprobe pktgen
}

cfg_up() {
	case $1 in
	none) ipt -A FORWARD -j ACCEPT ;;
	nfct)
		modprobe nf_conntrack hashsize="$buckets"
		sysctl -qw net.netfilter.nf_conntrack_max=4000000
		ip netns exec fw sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 \
			net.netfilter.nf_conntrack_udp_timeout_stream=3600
		ipt -A FORWARD -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
		;;
	ctrack)
		ctrack_load hashsize="$buckets"
		sysctl -qw net.ctrack.max=0
		ip netns exec fw sysctl -qw net.ctrack.max=0 net.ctrack.udp_timeout=3600 \
			net.ctrack.udp_timeout_stream=3600
		ipt -A FORWARD -m ctrack --ctstate NEW,ESTABLISHED -j ACCEPT
		;;
	esac
	# nf_conntrack's collector makes its first pass over every bucket a
	# second after the module loads: let it (and anything else a load
	# starts) finish before a measurement rather than inside one. Later
	# passes, both trackers', fall where they fall.
	sleep 2
}

cfg_down() {
	ipt -F FORWARD
	case $1 in
	nfct)
		for m in nf_conntrack_netlink xt_conntrack nf_conntrack; do
			rmmod "$m" 2>/dev/null
		done
		# Entries of a dying netns or a grace period can hold it a moment.
		wait_for 10 bash -c '! lsmod | grep -q "^nf_conntrack "'
		;;
	ctrack) wait_for 10 ctrack_unload ;;
	esac
}

# count CFG: entries in fw's table
count() {
	case $1 in
	nfct) ip netns exec fw cat /proc/sys/net/netfilter/nf_conntrack_count ;;
	ctrack) ip netns exec fw cat /proc/sys/net/ctrack/count ;;
	*) echo 0 ;;
	esac
}

pg() { ip netns exec gen bash -c 'echo "$1" >"/proc/net/pktgen/$2"' _ "$2" "$1"; }
rx() { ip netns exec sink cat /sys/class/net/veth0/statistics/rx_packets; }

ip2n() { local IFS=.; set -- $1; echo $(($1 << 24 | $2 << 16 | $3 << 8 | $4)); }
n2ip() { echo "$(($1 >> 24 & 255)).$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"; }

# send COUNT SRC_MIN SRC_MAX SPORT_MIN SPORT_MAX: COUNT packets, sources
# and source ports each counting up and wrapping (pktgen's sequential
# mode): the flows are the pairs. One pktgen thread a vCPU, each with
# its share of the packets and of the sources. send6 COUNT FLOWS is the
# IPv6 form (pktgen has no IPv6 source range): each thread its own
# source address (one for all when FLOWS is fewer than the threads) and
# its share of FLOWS as pairs of ports (pktgen's udp_*_max are
# exclusive, its src_max not).
# Sets sent_us (the slowest thread's time), sent_rx (what the sink
# counted) and sent_rate: the threads' rates added up, scaled by the
# share of packets that reached the sink. The rate is what the CPUs forward while they all work; a
# thread that the host stalls for a while lowers its own rate only,
# where packets over the slowest thread's time would charge the stall to
# every thread (the other ones wait idle for it at the end).
send() {
	local t lo hi span
	span=$(($(ip2n "$3") - $(ip2n "$2") + 1))
	per=$(($1 / threads > 0 ? $1 / threads : 1))
	pg_reset
	for t in $(seq 0 $((threads - 1))); do
		lo=$(($(ip2n "$2") + span * t / threads))
		hi=$(($(ip2n "$2") + span * (t + 1) / threads - 1))
		[ "$hi" -lt "$lo" ] && hi=$lo
		pg_thread "$t" "pkt_size 64" "dst 198.19.0.2" "src_min $(n2ip "$lo")" \
			"src_max $(n2ip "$hi")" "udp_src_min $4" "udp_src_max $5"
	done
	pg_run
}

send6() {
	local t src=0 flows a b
	per=$(($1 / threads > 0 ? $1 / threads : 1))
	flows=$(($2 / threads > 0 ? $2 / threads : 1))
	# FLOWS = A x B, B a power of 2 and A odd: source ports A, destination
	# ports B, both counting up every packet, give A x B different pairs.
	b=1
	while [ $((flows % (b * 2))) = 0 ]; do b=$((b * 2)); done
	a=$((flows / b))
	if [ "$a" -gt 64511 ] || [ "$b" -gt 64511 ]; then
		fail "send6: $flows flows a thread are not A x B ports"
		finish
	fi
	pg_reset
	for t in $(seq 0 $((threads - 1))); do
		[ "$2" -ge "$threads" ] && src=$t
		pg_thread "$t" "pkt_size 78" "dst6 2001:db8:19::2" \
			"src6 2001:db8:18::$(printf %x $((0x100 + src)))" \
			"udp_src_min 1024" "udp_src_max $((1024 + a))" \
			"udp_dst_min 1024" "udp_dst_max $((1024 + b))"
	done
	pg_run
}

pg_reset() {
	local t
	for t in $(seq 0 $((threads - 1))); do
		pg "kpktgend_$t" rem_device_all
	done
}

# pg_thread T COMMAND...: thread T's device, $per packets of what the
# commands say, to fw's MAC and UDP port 9
pg_thread() {
	local t=$1 dev=veth0@$1 c
	shift
	pg "kpktgend_$t" "add_device $dev"
	# At least one packet a thread: pktgen takes a count of 0 for "forever".
	for c in "count $per" "delay 0" "clone_skb 0" "dst_mac $fwmac" \
		 "udp_dst_min 9" "udp_dst_max 9" "$@"; do
		pg "$dev" "$c"
	done
}

# pg_run: start the threads and wait for them; sets sent_us, sent_rx
# and sent_rate (see send)
pg_run() {
	local r0 t us all=
	r0=$(rx)
	pg pgctrl start
	sent_us=0
	for t in $(seq 0 $((threads - 1))); do
		us=$(ip netns exec gen sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p' "/proc/net/pktgen/veth0@$t")
		[ "$us" -gt "$sent_us" ] && sent_us=$us
		all+=" $us"
	done
	sent_rx=$(($(rx) - r0))
	rate "$all"
}

# rate "US...": sent_rate from the senders' times, $per packets each
rate() {
	sent_rate=$(awk -v per="$per" -v rx="$sent_rx" '{
		for (i = 1; i <= NF; i++)
			r += per * 1e6 / $i
		printf "%d", r * rx / (per * NF) }' <<<"$1")
}

# emit KEY=VALUE...: one BENCH line, numbers as numbers
emit() {
	local kv out= k v
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		[[ $v =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || v="\"$v\""
		out+="${out:+, }\"$k\": $v"
	done
	echo "BENCH {$out}"
}

# addr N: the Nth address after 10.64.0.0
addr() { echo "10.$((64 + $1 / 65536)).$(($1 / 256 % 256)).$(($1 % 256))"; }

# Established flows: FLOWS sources, one port; a pass to create them, then
# the measured pass. KIND udp (IPv4), udp6 (FLOWS source address and
# port pairs) or tcp (IPv4: the handshake of each flow, then the
# client's ACKs, window-checked by both trackers; tcp_flows sends them).
# For tcp, the memory a TCP entry takes too: the growth of the
# unreclaimable slabs since before the tracker was loaded (report.py
# takes off the no-tracker pass's own growth), over the entries.
established() {
	local cfg=$1 rep=$2 flows=$3 kind=$4
	case $kind in
	udp) send $((flows * 2)) 10.64.0.0 "$(addr $((flows - 1)))" 1000 1000 ;;
	udp6) send6 $((flows * 2)) "$flows" ;;
	tcp)
		tcp_flows gen "$fwmac" syn "$flows" "$flows"
		tcp_flows sink "$fwmac1" synack "$flows" "$flows"
		tcp_flows gen "$fwmac" ack "$flows" "$flows"
		;;
	esac
	# What the handshakes left: a flow short of ESTABLISHED here would be
	# picked up mid-stream in the measured pass (the row says so).
	setup=
	[ "$kind" = tcp ] && setup=$(in_state "$cfg" ESTABLISHED)
	# BENCH_TRACE (bench/trace.py): where each module's functions are
	[ -n "$BENCH_SYMS" ] && sed -n '/\[/s/^/KSYM /p' /proc/kallsyms
	case $kind in
	udp) send "$est_pkts" 10.64.0.0 "$(addr $((flows - 1)))" 1000 1000 ;;
	udp6) send6 "$est_pkts" "$flows" ;;
	tcp) tcp_flows gen "$fwmac" ack "$flows" "$est_pkts" ;;
	esac
	emit test=established kind="$kind" cfg="$cfg" rep="$rep" flows="$flows" packets="$est_pkts" \
		rx="$sent_rx" us="$sent_us" rate="$sent_rate" entries="$(count "$cfg")" \
		setup_established="$setup" sunreclaim_kb=$(($(meminfo SUnreclaim) - slab0))
}

# in_state CFG STATE: the entries of fw's table in STATE (for none: 0)
in_state() {
	case $1 in
	nfct) ip netns exec fw grep -c " $2 " /proc/net/nf_conntrack ;;
	ctrack) ip netns exec fw grep -c " $2 " /proc/net/ctrack ;;
	*) echo 0 ;;
	esac
}

# tcp_flows NS DSTMAC STEP FLOWS COUNT: COUNT segments of `ctpkt
# tcpflows` (STEP syn, synack or ack) from NS, one sender a vCPU, each
# pinned to its vCPU with its share of the flows (the sources from
# 10.64.0.0 on) and of the segments; sets sent_* as send does.
tcp_flows() {
	local ns=$1 mac=$2 step=$3 flows=$4 t r0 all= share first us pids=()
	per=$(($5 / threads > 0 ? $5 / threads : 1))
	share=$((flows / threads > 0 ? flows / threads : 1))
	r0=$(rx)
	for t in $(seq 0 $((threads - 1))); do
		first=$((flows >= threads ? share * t : 0))
		ip netns exec "$ns" taskset -c "$t" ctpkt tcpflows veth0 "$mac" "$(addr "$first")" \
			198.19.0.2 "$step" "$share" "$per" >"/tmp/tcpflows.$t" &
		pids+=($!)
	done
	for t in "${pids[@]}"; do
		wait "$t" || { fail "ctpkt tcpflows $step failed"; finish; }
	done
	for t in $(seq 0 $((threads - 1))); do
		us=$(sed -n 's/.* in \([0-9]*\) us$/\1/p' "/tmp/tcpflows.$t")
		[ "${us:-0}" -gt 0 ] || { fail "ctpkt tcpflows $step: no time in $(cat "/tmp/tcpflows.$t")"; finish; }
		all+=" $us"
	done
	sent_us=$(tr ' ' '\n' <<<"$all" | sort -n | tail -n1)
	sent_rx=$(($(rx) - r0))
	rate "$all"
}

# New flows: every packet a new pair (2^20 sources x 60,000 ports), into
# an empty table with room; then with max set to what the table holds,
# the same again: every new flow must evict one (or be refused).
new_flows() {
	local cfg=$1 rep=$2 n0 n1
	n0=$(count "$cfg")
	send "$new_pkts" 10.64.0.0 10.79.255.255 1024 61023
	n1=$(count "$cfg")
	emit test=new cfg="$cfg" rep="$rep" packets="$new_pkts" rx="$sent_rx" us="$sent_us" rate="$sent_rate" \
		inserted=$((n1 - n0))
	want evict || return 0
	case $cfg in
	nfct) sysctl -qw net.netfilter.nf_conntrack_max="$n1" ;;
	ctrack) sysctl -qw net.ctrack.max="$n1"; ip netns exec fw sysctl -qw net.ctrack.max="$n1" ;;
	esac
	send "$new_pkts" 10.80.0.0 10.95.255.255 1024 61023
	emit test=evict cfg="$cfg" rep="$rep" packets="$new_pkts" rx="$sent_rx" us="$sent_us" rate="$sent_rate" \
		entries="$(count "$cfg")"
}

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# used_kb: memory in use, page cache and buffers aside
used_kb() {
	awk '/^MemTotal:/ { t = $2 } /^MemFree:/ { f = $2 } /^Buffers:/ { b = $2 }
	     /^Cached:/ { c = $2 } END { print t - f - b - c }' /proc/meminfo
}

buckets() {
	case $1 in
	nfct) cat /proc/sys/net/netfilter/nf_conntrack_buckets ;;
	ctrack) cat /proc/sys/net/ctrack/buckets ;;
	esac
}
# objsize CFG: the size of an object of the tracker's entry cache
objsize() {
	local c=ctrack_entry
	[ "$1" = nfct ] && c=nf_conntrack
	awk -v c="$c" '$1 == c { print $4 }' /proc/slabinfo
}

# Scale: the table filled to SIZE entries with new flows, one source
# each, in order, then every one of them measured in that order (whole
# sweeps, at least est_pkts packets): each age of entry as often as
# another, so that neither the order a chain keeps (ctrack appends a new
# entry, nf_conntrack puts it first) nor the age of the measured flows
# favours a tracker. And the memory the tracker holds at that size,
# counted from before its module was loaded: the growth of all slabs
# (entries and whatever they carry) and of vmalloc, the bucket count (8
# bytes each, wherever kvcalloc put them) and the object size of the
# entry cache. Sizes divisible by the vCPUs give each pktgen thread
# whole sweeps of its share.
scale() {
	local cfg=$1 rep=$2 size=$3 n
	if [ "$filled" -lt "$size" ]; then
		send $((size - filled)) "$(addr $((1048576 + filled)))" "$(addr $((1048576 + size - 1)))" 1024 1024
		filled=$size
	fi
	n=$(((est_pkts + size - 1) / size * size))
	send "$n" "$(addr 1048576)" "$(addr $((1048576 + size - 1)))" 1024 1024
	emit test=scale cfg="$cfg" rep="$rep" size="$size" entries="$(count "$cfg")" \
		rx="$sent_rx" us="$sent_us" rate="$sent_rate" used_kb=$(($(used_kb) - used0)) \
		slab_kb=$(($(meminfo Slab) - slab0)) vmalloc_kb=$(($(meminfo VmallocUsed) - vm0)) \
		buckets="$(buckets "$cfg")" objsize="$(objsize "$cfg")"
}

# dump CFG REP: `ctrack -L` or `conntrack -L` of fw's table to /dev/null:
# wall time and peak RSS of the command (runstat), and the most memory in
# use meanwhile, above what was in use before, less that RSS (the kernel's
# share: dump buffers)
dump() {
	local cfg=$1 rep=$2 cmd line before peak
	case $cfg in
	nfct) cmd=(conntrack -L) ;;
	ctrack) cmd=(ctrack -L) ;;
	esac
	rm -f /tmp/dump-stop
	before=$(used_kb)
	(
		peak=0
		while [ ! -e /tmp/dump-stop ]; do
			u=$(used_kb)
			[ "$u" -gt "$peak" ] && peak=$u
			sleep 0.02
		done
		echo "$peak" >/tmp/dump-peak
	) &
	line=$(ip netns exec fw runstat "${cmd[@]}" 2>&1 >/dev/null | grep -o 'wall_us=.*')
	touch /tmp/dump-stop
	wait $!
	peak=$(cat /tmp/dump-peak)
	# shellcheck disable=SC2086
	emit test=dump cfg="$cfg" rep="$rep" entries="$(count "$cfg")" $line \
		kernel_kb=$((peak - before - $(sed 's/.*maxrss_kb=\([0-9]*\).*/\1/' <<<"$line")))
}

# events CFG REP: a listener for NEW events in fw while new flows come in
# at the top rate: events delivered a second, and lost
events() {
	local cfg=$1 rep=$2 lpid n0 n1
	case $cfg in
	nfct) ip netns exec fw conntrack -E -e NEW >/tmp/events 2>/dev/null & ;;
	ctrack) ip netns exec fw ctrack -E -e NEW >/tmp/events 2>/dev/null & ;;
	esac
	lpid=$!
	sleep 1
	n0=$(count "$cfg")
	send "$new_pkts" 10.64.0.0 10.79.255.255 1024 61023
	n1=$(count "$cfg")
	sleep 2		# what is queued reaches the listener
	kill -TERM "$lpid"
	wait "$lpid"
	emit test=events cfg="$cfg" rep="$rep" packets="$new_pkts" us="$sent_us" \
		created=$((n1 - n0)) delivered="$(grep -c NEW /tmp/events)"
}

# profile: where the packet path spends its time in each tracker: perf
# samples every CPU every 100,003 ns (the cpu-clock software event, at a
# period no packet loop divides, for BENCH_ICOUNT=1; there is no PMU under
# TCG) while the measured pass runs. BENCH_PROFILE=established: with
# BENCH_PROFILE_FLOWS flows in the table; =new: new flows into an empty
# table; =evict: new flows into a full one.
profile() {
	local cfg flows=${BENCH_PROFILE_FLOWS:-100000} ppid n
	for cfg in nfct ctrack; do
		cfg_up "$cfg"
		case $BENCH_PROFILE in
		established) send $((flows * 2)) 10.64.0.0 "$(addr $((flows - 1)))" 1000 1000 ;;
		evict)
			send "$new_pkts" 10.64.0.0 10.79.255.255 1024 61023
			n=$(count "$cfg")
			case $cfg in
			nfct) sysctl -qw net.netfilter.nf_conntrack_max="$n" ;;
			ctrack) sysctl -qw net.ctrack.max="$n"; ip netns exec fw sysctl -qw net.ctrack.max="$n" ;;
			esac
			;;
		esac
		perf record -q -e cpu-clock -c 100003 -a -g -o "/tmp/perf.$cfg" &
		ppid=$!
		case $BENCH_PROFILE in
		established) send "$est_pkts" 10.64.0.0 "$(addr $((flows - 1)))" 1000 1000 ;;
		*) send "$new_pkts" 10.80.0.0 10.95.255.255 1024 61023 ;;
		esac
		kill -INT "$ppid"
		wait "$ppid"
		echo "PROFILE $cfg: $BENCH_PROFILE, $((sent_rx * 1000000 / sent_us)) pps"
		perf report -i "/tmp/perf.$cfg" --stdio --no-children --sort sym -g none \
			--percent-limit 0.25 2>/dev/null | grep -v '^#' | grep -v '^$' | sed "s/^/PROFILE $cfg /"
		cfg_down "$cfg"
	done
}

topo
if [ -n "$BENCH_PROFILE" ]; then
	profile
	pass "profile ran"
	finish
	exit 0
fi
echo "bench: $NR_CPUS vCPUs, $threads pktgen threads, $reps repetitions, $buckets buckets"
# The first pass of a boot runs at half speed or less (TCG translating the
# forwarding path for the first time): it is sent once, unmeasured,
# before any configuration is.
if want established || want new || want evict; then
	cfg_up none
	send "$est_pkts" 10.64.0.0 10.64.0.0 1000 1000
	cfg_down none
fi
# The configurations take turns measurement by measurement, so that the
# passes compared are seconds apart rather than minutes (the host's pace
# drifts over minutes), and the order turns each repetition, so that no
# configuration always comes first after another's unload.
for rep in $(seq "$reps"); do
	turn=$(((rep - 1) % ${#configs[@]}))
	order=("${configs[@]:turn}" "${configs[@]:0:turn}")
	for kind in $kinds; do
		for flows in ${BENCH_FLOWS:-1 1000 100000}; do
			want established || break
			# Each thread its equal share (send6, tcp_flows).
			if [ "$flows" -gt 1 ] && [ $((flows % threads)) != 0 ]; then
				echo "bench: $flows flows do not split over $threads threads: skipped"
				continue
			fi
			for cfg in "${order[@]}"; do
				slab0=$(meminfo SUnreclaim)
				cfg_up "$cfg"
				established "$cfg" "$rep" "$flows" "$kind"
				cfg_down "$cfg"
			done
		done
	done
	if want new || want evict; then
		for cfg in "${order[@]}"; do
			cfg_up "$cfg"
			new_flows "$cfg" "$rep"
			cfg_down "$cfg"
		done
	fi
	for cfg in "${order[@]}"; do
		[ "$cfg" = none ] && continue
		if want scale; then
			echo 3 >/proc/sys/vm/drop_caches
			slab0=$(meminfo Slab) vm0=$(meminfo VmallocUsed) used0=$(used_kb) filled=0
			cfg_up "$cfg"
			for size in $scale; do
				scale "$cfg" "$rep" "$size"
				case " $dump_sizes " in *" $size "*) dump "$cfg" "$rep" ;; esac
			done
			cfg_down "$cfg"
		fi
		if want events; then
			cfg_up "$cfg"
			events "$cfg" "$rep"
			cfg_down "$cfg"
		fi
	done
done
pass "benchmark ran ($reps repetitions)"
finish
