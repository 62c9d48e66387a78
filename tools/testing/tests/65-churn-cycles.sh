#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Churn (campaign 4): rmmod/insmod cycles and namespace
# create/destroy cycles while traffic crosses the router, and dumps,
# filtered deletes, flushes and event listeners run against it. Every
# cycle must complete (rmmod may wait for a dump in flight to let go of
# the module, never longer), tracking must resume after each load, and
# at the end, with the module unloaded, no entry may be left allocated
# (rmmod destroys the entry caches, which the kernel refuses, with a
# WARN, while one holds an object: an exact count), the slab must be
# back at its level before the first load (within 4 MiB of noise, plus
# KASAN's quarantine on the debug kernel: for memory other than entries)
# and kmemleak (on the debug kernel, checked by run-vm.sh) must report
# nothing.
#
#   CAMPAIGN_SIZE=ci    10 module cycles, 20 netns cycles (2 and 4 on
#                       the debug kernel, within make check's time)
#   CAMPAIGN_SIZE=soak  100 module cycles, 200 netns cycles
#
# (Topology: lib.bash; extra namespaces churn0.. hang off rt's veth2.)
. ./lib.bash
plan 5

case "${CAMPAIGN_SIZE:-ci}" in
soak) mods=100 nets=200 ;;
*) if [ "$KERNEL_FLAVOR" = debug ]; then mods=2 nets=4; else mods=10 nets=20; fi ;;
esac

trap load_down EXIT

slab() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
echo 3 >/proc/sys/vm/drop_caches
slab0=$(slab)

ctrack_load
topo_up
udp_server sv 5353
tcp_server sv 8080

# The load: traffic, and what admins run, each in a loop that survives
# the module going away (their commands then fail, and they go on).
loop() { while :; do "$@" >/dev/null 2>&1 || sleep 0.2; done; }
loop ip netns exec cl ctpkt udpreq 10.0.2.1 5353 & bg+=($!)
loop ip netns exec cl ctpkt tcpreq fd00:2::1 8080 & bg+=($!)
loop ip netns exec rt ctrack -L & bg+=($!)
loop ip netns exec rt ctrack -D -p udp --dport 5353 & bg+=($!)
loop ip netns exec rt ctrack -F -f ipv6 & bg+=($!)
loop ip netns exec rt timeout 2 ctrack -E & bg+=($!)
loop ip netns exec rt ctrack -S & bg+=($!)

wait_for 10 ctgrep rt "dport=5353"
ok=0
for i in $(seq "$mods"); do
	# A dump in flight holds the module for a moment: rmmod retries.
	wait_for 10 ctrack_unload || break
	ctrack_load || break
	wait_for 10 ctgrep rt "dport=" || break
	ok=$i
done
check "module cycles: $ok of $mods rmmod/insmod under traffic, dumps, deletes, flushes, listeners" \
	test "$ok" = "$mods"

ok=0
for i in $(seq "$nets"); do
	ns=churn$i
	ip netns add "$ns" || break
	ip link add veth0 netns "$ns" type veth peer name veth2 netns rt || break
	ip -n "$ns" addr add 10.0.3.1/24 dev veth0
	ip -n rt addr add 10.0.3.254/24 dev veth2
	ip -n "$ns" link set veth0 up
	ip -n rt link set veth2 up
	ip -n "$ns" route add default via 10.0.3.254
	ip netns exec "$ns" ctpkt udpreq 10.0.2.1 5353 >/dev/null 2>&1 || break
	ip netns exec "$ns" ctrack -L >/dev/null 2>&1 || break
	# Deleting the netns takes its veth, rt's peer and their entries.
	ip netns del "$ns" || break
	wait_for 10 eval '! ip -n rt link show veth2 >/dev/null 2>&1' || break
	ok=$i
done
check "netns cycles: $ok of $nets created, used (udp through rt), destroyed under the same load" \
	test "$ok" = "$nets"

stop_load
topo_down
dmesg0=$(dmesg | wc -l)
check "rmmod at the end" wait_for 10 ctrack_unload
# Entries are counted exactly, not in slab bytes: an entry still
# allocated when rmmod destroys its cache makes the kernel refuse the
# cache ("still has objects", a WARN that run-vm.sh also catches).
check "no entry left allocated at rmmod (ctrack's caches destroyed empty)" \
	eval '! dmesg | tail -n +$((dmesg0 + 1)) | grep -q "ctrack.*still has objects"'
echo 3 >/proc/sys/vm/drop_caches
# Freed objects reach the slab after an RCU grace period or two. KASAN
# holds freed objects in its quarantine (up to 1/32 of memory) before the
# slab gets them back: there the margin is that much more, and kmemleak
# is the exact check.
margin=4096
[ "$KERNEL_FLAVOR" = debug ] &&
	margin=$((4096 + $(awk '/^MemTotal:/ { print int($2 / 32) }' /proc/meminfo)))
wait_for 10 eval '[ $(( $(slab) - slab0 )) -le $margin ]'
slab1=$(slab)
echo "# slab: $slab0 kB before the first load, $slab1 kB after the last unload"
check "slab back at its baseline (${slab0} -> ${slab1} kB, within $((margin / 1024)) MiB)" \
	test $((slab1 - slab0)) -le "$margin"
finish
