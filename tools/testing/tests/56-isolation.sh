#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Isolation outside netlink (campaign 6; 85-netlink-neg.sh holds
# the netlink side): /proc/net/ctrack and the net.ctrack sysctls follow
# the rule of the netlink family. An unprivileged user reads no entry and
# changes no knob; a tenant (an unprivileged user's user namespace)
# reads and changes nothing of the initial netns but reads and tunes its
# own netns, whose table holds only its own flows, and cannot raise its
# max above the initial one.
# Entry ids are keyed hashes: a thousand entries, allocated together
# (neighbours in one slab), get ids with no shared structure.
. ./lib.bash
plan 19

check "insmod ctrack.ko" ctrack_load
asuser() { su -s /bin/bash nobody -c "$*" 2>&1; }
matches() { [[ $1 =~ $2 ]]; }
has() { grep -qx -- "$2" <<<"$1"; }	# has TEXT LINE: TEXT has this line

# Something to hide: one entry in the initial netns.
ip link set lo up
ping -c1 -W2 127.0.0.1 >/dev/null
check "root reads its entries in /proc/net/ctrack" grep -q '^icmp ' /proc/net/ctrack

out=$(asuser cat /proc/net/ctrack)
check "unprivileged user cannot read /proc/net/ctrack ($out)" \
	matches "$out" "Permission denied"
out=$(asuser cat /proc/net/stat/ctrack)
check "unprivileged user reads the counters, /proc/net/stat/ctrack (as nf_conntrack's)" \
	matches "$out" "^entries"
for knob in max tcp_loose udp_timeout checksum; do
	before=$(sysctl -n net.ctrack.$knob)
	out=$(asuser "echo 1 >/proc/sys/net/ctrack/$knob")
	check "unprivileged user cannot write net.ctrack.$knob ($out)" \
		test "$(sysctl -n net.ctrack.$knob)" = "$before" -a -n "$out"
done

# The child user namespace is made by an unprivileged user, as a tenant
# would: its root is nobody outside. (One made by root maps its root to
# uid 0, which file permissions treat as root for every sysctl, ctrack's
# and the kernel's alike.)
if ! asuser unshare -U -r true >/dev/null; then
	skip "user namespaces: an unprivileged unshare -U -r does not work here ($(asuser unshare -U -r true))"
else
	max=$(sysctl -n net.ctrack.max)
	cat >/tmp/userns-init.sh <<'EOF'
echo 7 >/proc/sys/net/ctrack/udp_timeout
EOF
	cat >/tmp/userns-own.sh <<'EOF'
ip link set lo up
ping -c1 -W2 127.0.0.2 >/dev/null
echo "lines=$(grep -c . /proc/net/ctrack)"
echo "icmp2=$(grep -c "src=127.0.0.2" /proc/net/ctrack)"
echo "icmp1=$(grep -c "src=127.0.0.1 dst=127.0.0.1" /proc/net/ctrack)"
echo 7 >/proc/sys/net/ctrack/udp_timeout && echo "udp=$(cat /proc/sys/net/ctrack/udp_timeout)"
echo "$1" >/proc/sys/net/ctrack/max 2>/dev/null
echo "max=$(cat /proc/sys/net/ctrack/max)"
EOF
	chmod 0644 /tmp/userns-init.sh /tmp/userns-own.sh
	out=$(asuser unshare -U -r bash /tmp/userns-init.sh)
	check "a tenant's userns root cannot write the initial netns's sysctls ($out)" \
		test "$(sysctl -n net.ctrack.udp_timeout)" != 7 -a -n "$out"
	out=$(asuser unshare -U -r cat /proc/net/ctrack)
	check "... nor read the initial netns's /proc/net/ctrack ($out)" \
		matches "$out" "Permission denied"
	# The netns comes after the user namespace has its map (unshare -U -r,
	# then unshare -n), as container runtimes do: /proc/net/ctrack takes
	# its owner when the netns is made. (A netns made in the same call as
	# its user namespace, before any map, stays root's; so does
	# nf_conntrack's /proc/net/nf_conntrack.)
	out=$(asuser unshare -U -r unshare -n bash /tmp/userns-own.sh $((max + 1000)))
	echo "$out" | sed 's/^/# /'
	check "in its own netns, it reads /proc/net/ctrack: its ping only" has "$out" "lines=1"
	check "... which is its own flow" has "$out" "icmp2=1"
	check "... and not the initial netns's" has "$out" "icmp1=0"
	check "... it tunes its own net.ctrack.udp_timeout" has "$out" "udp=7"
	check "... the initial netns keeps its own" test "$(sysctl -n net.ctrack.udp_timeout)" != 7
	got=$(sed -n 's/^max=//p' <<<"$out")
	check "... it cannot raise its max ($got) above the initial netns's ($max)" \
		test -n "$got" -a "${got:-0}" -le "$max"
fi

# Ids: 1000 entries created back to back (ctbulk: neighbours in one
# slab), then their 64-bit ids. A leaked address would show as ids that
# share their high bits or differ by the entry size; keyed hashes share
# nothing: no two ids agree in their top 32 bits (by chance: 1000^2/2 /
# 2^32, about 1e-4) and about half their bits are set.
ip netns add ids
ip netns exec ids ctbulk create 9 1000 >/dev/null
hex=$(ip netns exec ids ctrack -L -o id 2>/dev/null | sed -n 's/.* id=\([0-9]*\).*/\1/p' |
	while read -r id; do printf '%016x\n' $((id)); done)
n=$(grep -c . <<<"$hex")
check "ids: 1000 entries listed with an id ($n)" test "$n" = 1000
dups=$(cut -c1-8 <<<"$hex" | sort | uniq -d | wc -l)
check "ids: no two of $n share their top 32 bits ($dups pairs do)" test "$dups" = 0
ones=$(awk '{ for (i = 1; i <= 16; i++) t += substr("0112122312232334", index("0123456789abcdef", substr($1, i, 1)), 1) }
	END { print t + 0 }' <<<"$hex")
total=$((n * 64))
check "ids: $ones of $total bits set, 45 to 55 %" \
	test $((ones * 100)) -ge $((total * 45)) -a $((ones * 100)) -le $((total * 55))
ip netns del ids
finish
