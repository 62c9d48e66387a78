#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tenants' limits (56-isolation.sh holds who may read and write what). A
# tenant is the root of a user namespace that an unprivileged user made
# (unshare -U -r, then unshare -n, as container runtimes do). It may
# lower its namespace's knobs, never raise them past the host's; together
# with the other tenants it stays under the host's net.ctrack.tenant_max;
# and its entries are charged to the memory cgroup of whoever created its
# namespace. Nothing it does changes init_net.
#
#   tenant T1 (cgroup /tenant)              host "src" (root cgroup)
#   netns of unshare -Ur unshare -n          veth0 10.9.0.1 ---- veth1 10.9.0.2
#   lo: pings 127.0.0.x                      SYNs from 10.64.0.0/16 into T1
. ./lib.bash
plan 27

check "insmod ctrack.ko" ctrack_load
asuser() { su -s /bin/bash nobody -c "$*" 2>&1; }
has() { grep -qx -- "$2" <<<"$1"; }
k=/proc/sys/net/ctrack

if ! asuser unshare -U -r true >/dev/null; then
	skip "tenants: an unprivileged unshare -U -r does not work here"
	finish
fi

host_before=$(sysctl -a 2>/dev/null | grep '^net.ctrack\.' | grep -v -e count -e tenant_count)
hmax=$(cat $k/max)

check "init_net refuses a timeout past 20 days (tcp_timeout_established=1728001)" \
	eval '! sysctl -qw net.ctrack.tcp_timeout_established=1728001 2>/dev/null'
check "init_net takes 20 days (tcp_timeout_established=1728000)" \
	sysctl -qw net.ctrack.tcp_timeout_established=1728000
sysctl -qw net.ctrack.tcp_timeout_established=432000
check "init_net refuses a negative max" eval '! sysctl -qw net.ctrack.max=-1 2>/dev/null'
check "init_net refuses tcp_max_retrans 256" eval '! sysctl -qw net.ctrack.tcp_max_retrans=256 2>/dev/null'

# What a tenant tries on its own namespace's knobs, then a limit of 3
# reached with pings on its loopback (8 flows: each past the third
# evicts a neighbour of its own or is dropped and counted; the count
# never passes 3).
cat >/tmp/tenant-knobs.sh <<'EOF'
k=/proc/sys/net/ctrack
w() { if echo "$2" >"$k/$1" 2>/dev/null; then echo "$1=$2 ok"; else echo "$1=$2 refused"; fi; }
echo "start max=$(cat $k/max) udp=$(cat $k/udp_timeout) est=$(cat $k/tcp_timeout_established)"
w max 0
w max -1
w max $(($(cat $k/max) + 1))
w udp_timeout $(($(cat $k/udp_timeout) + 1))
w tcp_timeout_established 1728000
w tenant_max 1
echo "sees tenant_count=$([ -e $k/tenant_count ] && echo yes || echo no)"
w udp_timeout 5
w max 3
echo "now max=$(cat $k/max) udp=$(cat $k/udp_timeout)"
ip link set lo up
for i in 1 2 3 4 5 6 7 8; do ping -q -c1 -W1 127.0.0.$i >/dev/null; done
echo "count=$(cat $k/count)"
echo "listed=$(grep -c . /proc/net/ctrack)"
EOF
chmod 0644 /tmp/tenant-knobs.sh
out=$(asuser unshare -U -r unshare -n bash /tmp/tenant-knobs.sh)
echo "$out" | sed 's/^/# /'
check "tenant: starts at the host's max ($hmax) and timeouts" \
	has "$out" "start max=$hmax udp=$(cat $k/udp_timeout) est=$(cat $k/tcp_timeout_established)"
check "tenant: max=0 (no limit) refused" has "$out" "max=0 refused"
check "tenant: max=-1 refused" has "$out" "max=-1 refused"
check "tenant: max above the host's refused" has "$out" "max=$((hmax + 1)) refused"
check "tenant: udp_timeout above the host's refused" \
	has "$out" "udp_timeout=$(($(cat $k/udp_timeout) + 1)) refused"
check "tenant: tcp_timeout_established above the host's refused" \
	has "$out" "tcp_timeout_established=1728000 refused"
check "tenant: tenant_max is the host's (not in a tenant's namespace)" has "$out" "tenant_max=1 refused"
check "tenant: nor is tenant_count (the other tenants' flows are not its business)" \
	has "$out" "sees tenant_count=no"
check "tenant: lowering works (udp_timeout 5, max 3)" has "$out" "now max=3 udp=5"
check "tenant: 8 flows against max 3 leave 3 entries" has "$out" "count=3"
check "tenant: ... all of them listed" has "$out" "listed=3"
host_after=$(sysctl -a 2>/dev/null | grep '^net.ctrack\.' | grep -v -e count -e tenant_count)
check "tenant: init_net's knobs are as they were" test "$host_before" = "$host_after"

# The host-wide ceiling: tenant_max 4, two tenants with 3 flows each
# (pings on their loopbacks). The first keeps its 3; the second gets the
# one place left, and each further flow of its own is dropped (or evicts
# one of its own entries), never one of the other tenant's. The host,
# bounded by its own max only, still opens flows.
cat >/tmp/tenant-hold.sh <<'EOF'
ip link set lo up
for i in 1 2 3; do ping -q -c1 -W1 127.0.0.$i >/dev/null; done
echo "count=$(cat /proc/sys/net/ctrack/count)"
while [ -e /tmp/tenants-up ]; do sleep 0.2; done
EOF
chmod 0644 /tmp/tenant-hold.sh
# The first part's tenant namespace goes asynchronously: wait until its
# entries are gone. A tenant cannot raise its ICMP timeout (30 s here),
# so init_net's is raised for the part, lest a slow VM expire them.
check "the first tenant's entries left with its namespace" \
	wait_for 20 eval '[ "$(cat $k/tenant_count)" = 0 ]'
icmp0=$(cat $k/icmp_timeout)
sysctl -qw net.ctrack.icmp_timeout=600
sysctl -qw net.ctrack.tenant_max=4
touch /tmp/tenants-up
asuser unshare -U -r unshare -n bash /tmp/tenant-hold.sh >/tmp/t1.out &
t1=$!
wait_for 20 grep -q count= /tmp/t1.out
check "ceiling: the first tenant holds its 3 entries" grep -qx count=3 /tmp/t1.out
asuser unshare -U -r unshare -n bash /tmp/tenant-hold.sh >/tmp/t2.out &
t2=$!
wait_for 20 grep -q count= /tmp/t2.out
check "ceiling: the second tenant gets the 1 place left ($(grep count= /tmp/t2.out))" grep -qx count=1 /tmp/t2.out
check "ceiling: tenant_count is 4 (at net.ctrack.tenant_max)" test "$(cat $k/tenant_count)" = 4
# Counted by address: the host's other entries may expire meanwhile.
ip link set lo up
for i in 1 2 3 4 5; do ping -q -c1 -W1 127.0.1.$i >/dev/null; done
hn=$(grep -c 'dst=127\.0\.1\.[1-5] ' /proc/net/ctrack)
check "ceiling: the host still opens its flows ($hn of 5 tracked)" test "$hn" = 5
rm -f /tmp/tenants-up
wait "$t1" "$t2" 2>/dev/null
check "ceiling: the tenants' entries left with their namespaces" \
	wait_for 20 eval '[ "$(cat $k/tenant_count)" = 0 ]'
sysctl -qw net.ctrack.tenant_max=$((2 * $(cat $k/buckets)))
sysctl -qw net.ctrack.icmp_timeout="$icmp0"

# Memory: a tenant namespace made from the cgroup "tenant" pays for its
# entries, also for those made in softirq by packets from outside (SYNs
# from a host namespace through a veth; its RSTs are dropped in the raw
# table, before ctrack sees them, so that the entries stay in SYN_SENT). The cgroup's slab grows by at least 3/4 of what the
# entries weigh (per-CPU charge caches hold back a few pages).
cg=/sys/fs/cgroup
if ! grep -qw memory $cg/cgroup.controllers 2>/dev/null; then
	skip "memcg: no memory controller in this kernel"
	finish
fi
echo +memory >$cg/cgroup.subtree_control
mkdir -p $cg/tenant
cat >/tmp/tenant-sink.sh <<'EOF'
ip link set lo up
iptables -t raw -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
echo "ready $$"
while [ -e /tmp/tenants-up ]; do sleep 0.2; done
EOF
chmod 0644 /tmp/tenant-sink.sh
touch /tmp/tenants-up
bash -c "echo \$\$ >$cg/tenant/cgroup.procs; exec su -s /bin/bash nobody -c 'unshare -U -r unshare -n bash /tmp/tenant-sink.sh'" >/tmp/t3.out 2>&1 &
wait_for 20 grep -q ready /tmp/t3.out
t3=$(sed -n 's/^ready //p' /tmp/t3.out)
check "memcg: the tenant's namespace is up" test -n "$t3"
ip netns add src
ip link add veth0 netns src type veth peer name veth1 netns "$t3"
ip -n src addr add 10.9.0.1/24 dev veth0
ip -n src link set veth0 up
nsenter -t "$t3" -n ip addr add 10.9.0.2/24 dev veth1
nsenter -t "$t3" -n ip link set veth1 up
mac=$(nsenter -t "$t3" -n ip link show veth1 | awk '/link\/ether/ { print $2 }')
ip -n src route add 10.64.0.0/16 dev veth0
slab() { awk '$1 == "slab" { print $2 }' $cg/tenant/memory.stat; }
# The module's load line: "N buckets, X bytes per entry (Y with TCP state)"
objsize=$(dmesg | sed -n 's/.*(\([0-9]*\) with TCP state).*/\1/p' | tail -n1)
before=$(slab)
n=2000
ip netns exec src ctpkt synflood veth0 "$mac" 10.64.0.0/16 10.9.0.2 9 $n 7 >/dev/null
wait_for 20 eval '[ "$(ctstat $t3 entries)" -ge $((n * 9 / 10)) ]'
got=$(ctstat "$t3" entries)
grown=$(( $(slab) - before ))
want=$((got * objsize * 3 / 4))
echo "# memcg: $got entries of $objsize bytes, the tenant cgroup's slab grew by $grown bytes"
check "memcg: the TCP entry's size is known ($objsize)" test -n "$objsize"
: "${objsize:=0}"
check "memcg: $got of $n SYNs made entries in the tenant's namespace" test "$got" -ge $((n * 9 / 10))
check "memcg: the tenant's cgroup paid for them ($grown bytes >= $want)" test "$grown" -ge "$want"
rm -f /tmp/tenants-up
ip netns del src
rmdir $cg/tenant 2>/dev/null
finish
