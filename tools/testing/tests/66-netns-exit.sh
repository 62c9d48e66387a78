#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A namespace's exit against init_net's table size. N tracked namespaces
# are destroyed together; the kernel's function_graph tracer times
# ctrack's part of their exit (ctrack_net_pre_exit and
# ctrack_net_exit_batch, all calls summed). Three rounds with init_net's
# table empty, three with E entries in it (ctbulk), medians compared:
#
#   namespaces that hold no entry: their batches walk nothing (the
#   tracer counts ctrack_table_flush_exiting: 0), and the time is within
#   10% (+ 2 ms a namespace: rounds vary that much under TCG);
#   namespaces that hold one entry each (a ping on their loopback): the
#   figures only. Their batch walks the whole table once (as
#   nf_conntrack's does), so the cost a namespace grows with init_net's
#   entries, divided by how many namespaces exit together
#   (Documentation/design.md, "Namespace exit").
#
#   CAMPAIGN_SIZE=ci    N=20,  E=20,000
#   CAMPAIGN_SIZE=soak  N=200, E=100,000   (make campaign-exit KERNEL=6.1 SIZE=soak)
#
# Stock kernels only: KASAN's and lockdep's costs drown what is measured.
. ./lib.bash
plan 6

case "${CAMPAIGN_SIZE:-ci}" in
soak) n=200 e=100000 ;;
*) n=20 e=20000 ;;
esac

if [ "$KERNEL_FLAVOR" = debug ]; then
	skip "netns exit: timing needs a kernel without KASAN and lockdep"
	exit 0
fi
tr=/sys/kernel/tracing
mount -t tracefs nodev $tr 2>/dev/null
if ! grep -qw function_graph $tr/available_tracers 2>/dev/null; then
	skip "netns exit: no function_graph tracer in this kernel"
	exit 0
fi

cleanup() {
	echo 0 >$tr/tracing_on
	echo nop >$tr/current_tracer
	: >$tr/set_ftrace_filter
	for i in $(seq "$n"); do ip netns del ex$i 2>/dev/null; done
}
trap cleanup EXIT
check "insmod ctrack.ko" ctrack_load
# Only the two functions are patched (set_ftrace_filter first): turning
# the tracer on for every function stalls a TCG guest for minutes.
echo 0 >$tr/tracing_on
echo 'ctrack_net_pre_exit ctrack_net_exit_batch ctrack_table_flush_exiting' >$tr/set_ftrace_filter
# Depth 2: the walk shows inside the batch, whose time is then on the
# line "|  }" that closes it.
echo 2 >$tr/max_graph_depth
echo function_graph >$tr/current_tracer

# A batch starts on a line "ctrack_net_exit_batch() {" or is whole on
# "ctrack_net_exit_batch();"; a started one ends on "}", or on
# "} /* ctrack_net_exit_batch */" when other lines came between.
END_RE='ctrack_net_exit_batch.*\(\);|\|  }$|} /\* ctrack_net_exit_batch'
exit_done() {
	local pre starts ends
	pre=$(grep -c 'ctrack_net_pre_exit.*()' $tr/trace)
	starts=$(grep -c 'ctrack_net_exit_batch.*()' $tr/trace)
	ends=$(grep -cE "$END_RE" $tr/trace)
	[ "$pre" -ge "$n" ] && [ "$starts" -ge 1 ] && [ "$ends" = "$starts" ]
}

# round WITH_ENTRY: prints the microseconds ctrack spent in the exit of
# N namespaces, each holding one entry if WITH_ENTRY is 1.
round() {
	local i
	for i in $(seq "$n"); do
		ip netns add ex$i
		ip -n ex$i link set lo up
		[ "$1" = 1 ] && ip netns exec ex$i ping -q -c1 -W1 127.0.0.1 >/dev/null
	done
	: >$tr/trace
	echo 1 >$tr/tracing_on
	for i in $(seq "$n"); do
		ip netns del ex$i
	done
	# Every namespace passed pre_exit, and a batch ran after the last.
	# Every namespace passed pre_exit, and every batch that started
	# ended (on its own line, or on the "}" that closes it), twice in a
	# row a second apart: the last batch starts a grace period after
	# the last pre_exit. (Lines of other CPUs may come between.)
	if ! wait_for 60 eval 'exit_done && sleep 1 && exit_done'; then
		echo "# netns exit: round not seen through: pre_exit $(grep -c ctrack_net_pre_exit $tr/trace)," \
			"batches $(grep -c ctrack_net_exit_batch $tr/trace)," \
			"ended $(grep -cE "$END_RE" $tr/trace)" >&2
		tail -n 8 $tr/trace | sed 's/^/# /' >&2
		return 1
	fi
	echo 0 >$tr/tracing_on
	# The table walks of this round, beside the time.
	grep -c ctrack_table_flush_exiting $tr/trace >>/tmp/walks.$1
	RE="ctrack_net_pre_exit|$END_RE" awk '$0 ~ ENVIRON["RE"] {
		for (i = 1; i < NF; i++) if ($(i + 1) == "us") s += $i
	} END { printf "%d\n", s }' $tr/trace
}
rm -f /tmp/walks.0 /tmp/walks.1

median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
num() { [[ $1 =~ ^[0-9]+$ ]]; }

declare -A t
for r in 1 2 3; do
	t[bare.empty]+="$(round 0) "
	t[entry.empty]+="$(round 1) "
done
max=$(sysctl -n net.ctrack.max)
sysctl -qw net.ctrack.max=0
ctbulk create 1 "$e" >/dev/null
have=$(sysctl -n net.ctrack.count)
check "netns exit: init_net holds $have entries (want $e)" test "$have" -ge "$e"
for r in 1 2 3; do
	t[bare.full]+="$(round 0) "
	t[entry.full]+="$(round 1) "
done
ok=1
for k in "${!t[@]}"; do
	for v in ${t[$k]}; do num "$v" || ok=0; done
	[ "$(wc -w <<<"${t[$k]}")" = 3 ] || ok=0
done
check "netns exit: every round saw its $n namespaces through ctrack's exit" test "$ok" = 1
if [ "$ok" = 1 ]; then
	for kind in bare entry; do
		a=$(median3 ${t[$kind.empty]})
		b=$(median3 ${t[$kind.full]})
		echo "# netns exit: $n namespaces ($kind), ctrack's exit in us: ${t[$kind.empty]}with init_net empty, ${t[$kind.full]}with $e entries (medians $a, $b; $((a / n)) and $((b / n)) a namespace)"
	done
	w0=$(paste -sd+ /tmp/walks.0 | sed 's/^$/0/') w1=$(paste -sd+ /tmp/walks.1 | sed 's/^$/0/')
	echo "# netns exit: table walks, rounds without entries: $w0; with: $w1"
	check "netns exit: namespaces without entries exit without a walk of the table ($w0)" \
		test "$(( w0 ))" = 0
	check "netns exit: namespaces with entries walk it, once a batch ($w1)" \
		test "$(( w1 ))" -gt 0
	a=$(median3 ${t[bare.empty]})
	b=$(median3 ${t[bare.full]})
	check "netns exit: $n namespaces without entries exit in $b us with $e entries in init_net, $a us without (within 10% + 2 ms a namespace)" \
		test "$b" -le $((a + a / 10 + 2000 * n))
fi
ctrack -F >/dev/null
sysctl -qw net.ctrack.max="$max"
finish
