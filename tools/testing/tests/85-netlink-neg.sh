#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink family against hand-built requests (ctnl): missing
# attributes, wrong types and lengths, nested garbage, unknown commands,
# semantic errors, each with its exact errno and, where the kernel gives
# one, its extended ack message (and the missing attribute it names);
# successful controls; privileges: an unprivileged user, the root of
# another user namespace, and that root in its own network namespace.
#
#   ns "ng": the entries of this test (no traffic, no topology)
#   init netns: the privilege and user namespace checks
#
# The module stays loaded (later tests load it themselves if needed);
# deleting ns ng frees its entries, and on the debug kernel the harness's
# kmemleak scan then sees anything the error paths leaked.
#
# Attribute numbers are those of include/uapi/linux/ctrack.h (ABI).
#
# ctnl's items are literal words: "}" closes a nest, "=" is part of an
# item and the numbers in them never need quotes. Functions run through
# check and trap; ctrack_load takes no argument here.
# shellcheck disable=SC1083,SC2191,SC2206,SC2317,SC2119
. ./lib.bash
plan 176

cleanup() {
	ip netns del ng 2>/dev/null
	return 0
}
trap cleanup EXIT

EPERM=1 ENOENT=2 EEXIST=17 EINVAL=22 ERANGE=34 ENOSPC=28 EOPNOTSUPP=95

# Top level (CTRACK_A_*).
A_ORIG=2 A_REPLY=3 A_STATUS=4 A_TIMEOUT=5 A_MARK=6 A_PROTOINFO=9 A_ID=10
A_FAMILY=13 A_FILTER=18
# Tuple (CTRACK_TA_*), protocol state (CTRACK_PA_*), filter (CTRACK_FA_*).
TA_FAMILY=1 TA_PROTO=2 TA_SRC=3 TA_DST=4 TA_SPORT=5 TA_DPORT=6
TA_ICMP_ID=7 TA_ICMP_TYPE=8 TA_ICMP_CODE=9
PA_TCP_STATE=1
FA_FAMILY=1 FA_PROTO=2 FA_ORIG_SRC=3 FA_ORIG_SRC_PLEN=4 FA_ORIG_DPORT=12
FA_STATUS=19 FA_STATUS_MASK=20

# Tuple contents: UDP 10.9.0.1:1000 -> 10.9.0.2:53, its reply, and others.
UDP=(u8:$TA_FAMILY=2 u8:$TA_PROTO=17 ip:$TA_SRC=10.9.0.1 ip:$TA_DST=10.9.0.2
     be16:$TA_SPORT=1000 be16:$TA_DPORT=53)
UDP_R=(u8:$TA_FAMILY=2 u8:$TA_PROTO=17 ip:$TA_SRC=10.9.0.2 ip:$TA_DST=10.9.0.1
       be16:$TA_SPORT=53 be16:$TA_DPORT=1000)
UDP6=(u8:$TA_FAMILY=10 u8:$TA_PROTO=17 ip:$TA_SRC=fd00:9::1 ip:$TA_DST=fd00:9::2
      be16:$TA_SPORT=1000 be16:$TA_DPORT=53)
TCP=(u8:$TA_FAMILY=2 u8:$TA_PROTO=6 ip:$TA_SRC=10.9.0.1 ip:$TA_DST=10.9.0.2
     be16:$TA_SPORT=2000 be16:$TA_DPORT=80)
ICMP=(u8:$TA_FAMILY=2 u8:$TA_PROTO=1 ip:$TA_SRC=10.9.0.1 ip:$TA_DST=10.9.0.2
      be16:$TA_ICMP_ID=7 u8:$TA_ICMP_TYPE=8 u8:$TA_ICMP_CODE=0)
NOTFOUND=(u8:$TA_FAMILY=2 u8:$TA_PROTO=17 ip:$TA_SRC=10.9.9.9 ip:$TA_DST=10.9.9.8
	  be16:$TA_SPORT=9 be16:$TA_DPORT=9)

# without KIND:TYPE ARRAY: T=the items of ARRAY but that attribute (e.g.
# "u8:1 UDP": the UDP tuple without its family)
without() {
	local -n arr=$2
	local i
	T=()
	for i in "${arr[@]}"; do
		[ "${i%%=*}" = "$1" ] || T+=("$i")
	done
}

matches() { [[ $1 =~ $2 ]]; }

# nl CTNL-ARGS...: ctnl in ns ng
nl() { ip netns exec ng ctnl "$@" 2>&1; }

# expect NAME ERRNO ERE CTNL-ARGS...: ctnl (in ng) answers errno=ERRNO
# and its line matches ERE (any line when ERE is empty)
expect() {
	local name=$1 errno=$2 re=$3 out
	shift 3
	out=$(nl "$@")
	check "$name: errno=$errno${re:+ ~ /$re/} ($out)" \
		matches "$out" "^errno=$errno( |\$).*${re}"
}


# expect_start NAME ERRNO ERE CTNL-ARGS...: as expect, for a dump that
# ctrack refuses when it starts. The refusal comes in NLMSG_DONE (ctrack
# checks the request in its first dump call, because 6.1 gives ->start()
# no extack), whose extended ack has the message but no offset.
expect_start() {
	local name=$1 errno=$2 re=$3
	shift 3
	expect "$name" "$errno" "${re#offs=\[0-9\]+ }" "$@"
}

ctrack_load
ip netns add ng
ip -n ng link set lo up
expect "the family answers in ns ng" 0 "entries=0" --dump get

# --- successful controls -------------------------------------------------
expect "NEW UDP entry" 0 "" new "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=300
check "... it is in /proc/net/ctrack" ctgrep ng "^udp .*src=10.9.0.1 dst=10.9.0.2 sport=1000 dport=53 "
expect "GET it" 0 "" get "nest:$A_ORIG{" "${UDP[@]}" }
expect "GET it by its reply tuple" 0 "" get "nest:$A_REPLY{" "${UDP_R[@]}" }
expect "ZERO it" 0 "" zero "nest:$A_ORIG{" "${UDP[@]}" }
expect "UPDATE its mark, timeout and status" 0 "" update "nest:$A_ORIG{" "${UDP[@]}" } \
	u32:$A_MARK=7 u32:$A_TIMEOUT=200 u32:$A_STATUS=6
check "... /proc/net/ctrack shows them" ctgrep ng "sport=1000 dport=53 .*ASSURED.* mark=7 "
expect "a dump lists it" 0 "entries=1" --dump get
expect "a dump filtered on UDP lists it" 0 "entries=1" --dump get \
	"nest:$A_FILTER{" u8:$FA_FAMILY=2 u8:$FA_PROTO=17 ip:$FA_ORIG_SRC=10.9.0.0 \
	u8:$FA_ORIG_SRC_PLEN=24 be16:$FA_ORIG_DPORT=53 }
expect "a dump filtered on TCP does not" 0 "entries=0" --dump get \
	"nest:$A_FILTER{" u8:$FA_PROTO=6 }
expect "NEW TCP ESTABLISHED entry" 0 "" new "nest:$A_ORIG{" "${TCP[@]}" } \
	u32:$A_TIMEOUT=300 "nest:$A_PROTOINFO{" u8:$PA_TCP_STATE=3 }
expect "NEW UDP/IPv6 entry with its reply tuple" 0 "" new "nest:$A_ORIG{" "${UDP6[@]}" } \
	"nest:$A_REPLY{" u8:$TA_FAMILY=10 u8:$TA_PROTO=17 ip:$TA_SRC=fd00:9::2 \
	ip:$TA_DST=fd00:9::1 be16:$TA_SPORT=53 be16:$TA_DPORT=1000 } u32:$A_TIMEOUT=300
expect "NEW ICMP echo request entry" 0 "" new "nest:$A_ORIG{" "${ICMP[@]}" } u32:$A_TIMEOUT=30
expect "COUNT" 0 "" count
expect "STATS" 0 "" stats
expect "a dump lists the 4 entries" 0 "entries=4" --dump get
expect "FLUSH of IPv6" 0 "" flush u8:$A_FAMILY=10
expect "... leaves 3 entries" 0 "entries=3" --dump get
expect "a ZERO dump reports the 3" 0 "entries=3" --dump zero
expect "DELETE the UDP entry" 0 "" delete "nest:$A_ORIG{" "${UDP[@]}" }
expect "... GET it: ENOENT" $ENOENT "msg=no entry" get "nest:$A_ORIG{" "${UDP[@]}" }
expect "a DELETE dump of TCP reports the one it deletes" 0 "entries=1" --dump delete \
	"nest:$A_FILTER{" u8:$FA_PROTO=6 }
expect "... leaves 1 entry" 0 "entries=1" --dump get
expect "FLUSH" 0 "" flush
expect "... leaves none" 0 "entries=0" --dump get

# --- missing attributes --------------------------------------------------
expect "GET without a tuple" $EINVAL "msg=.*TUPLE_ORIG" get
expect "GET with an empty tuple nest" $EINVAL "miss=$TA_FAMILY miss_nest=[0-9]+ msg=" \
	get "nest:$A_ORIG{" }
for a in u8:$TA_FAMILY:family u8:$TA_PROTO:protocol ip:$TA_SRC:source \
	 ip:$TA_DST:destination be16:$TA_SPORT:'source port' \
	 be16:$TA_DPORT:'destination port'; do
	IFS=: read -r kind type word <<<"$a"
	without "$kind:$type" UDP
	expect "GET, UDP tuple without its $word" $EINVAL "miss=$type miss_nest=[0-9]+ msg=.*$word" \
		get "nest:$A_ORIG{" "${T[@]}" }
done
for a in be16:$TA_ICMP_ID:id u8:$TA_ICMP_TYPE:type u8:$TA_ICMP_CODE:code; do
	IFS=: read -r kind type word <<<"$a"
	without "$kind:$type" ICMP
	expect "GET, ICMP tuple without its $word" $EINVAL "miss=$type miss_nest=[0-9]+ msg=.*ICMP $word" \
		get "nest:$A_ORIG{" "${T[@]}" }
done
expect "NEW without the original tuple (only the reply)" $EINVAL "miss=$A_ORIG msg=.*original" \
	new "nest:$A_REPLY{" "${UDP_R[@]}" } u32:$A_TIMEOUT=30
expect "NEW without a timeout" $EINVAL "miss=$A_TIMEOUT msg=.*timeout" \
	new "nest:$A_ORIG{" "${UDP[@]}" }
# The missing attribute is the protoinfo nest itself: CTRACK_A_PROTOINFO
# at the top level (or CTRACK_PA_TCP_STATE with a miss_nest), never type
# 1 at the top level (that would be CTRACK_A_PAD).
expect "NEW TCP without protoinfo names what is missing" $EINVAL \
	"miss=($A_PROTOINFO|$PA_TCP_STATE miss_nest=[0-9]+) msg=.*TCP state" \
	new "nest:$A_ORIG{" "${TCP[@]}" } u32:$A_TIMEOUT=30
expect "NEW TCP with an empty protoinfo" $EINVAL "miss=$PA_TCP_STATE miss_nest=[0-9]+ .*TCP state" \
	new "nest:$A_ORIG{" "${TCP[@]}" } u32:$A_TIMEOUT=30 "nest:$A_PROTOINFO{" }
expect "UPDATE with nothing to update" $EINVAL "msg=nothing to update" \
	update "nest:$A_ORIG{" "${UDP[@]}" }
check "... none of them made an entry" matches "$(nl --dump get)" "^errno=0 entries=0$"

# --- wrong types and lengths ---------------------------------------------
# Strict validation: an integer of the wrong size is EINVAL.
without u8:$TA_FAMILY UDP
expect "u32 family in a tuple (u8)" $EINVAL "offs=[0-9]+ msg=invalid attribute length" \
	get "nest:$A_ORIG{" u32:$TA_FAMILY=2 "${T[@]}" }
without be16:$TA_SPORT UDP
expect "u32 port in a tuple (be16)" $EINVAL "offs=[0-9]+ msg=invalid attribute length" \
	get "nest:$A_ORIG{" be32:$TA_SPORT=1000 "${T[@]}" }
expect "u8 timeout (u32)" $EINVAL "offs=[0-9]+ msg=invalid attribute length" \
	new "nest:$A_ORIG{" "${UDP[@]}" } u8:$A_TIMEOUT=30
expect "u32 FLUSH family (u8)" $EINVAL "offs=[0-9]+ msg=invalid attribute length" \
	flush u32:$A_FAMILY=2
without ip:$TA_SRC UDP
expect "5-byte IPv4 address" $EINVAL "offs=[0-9]+ msg=address length does not match" \
	get "nest:$A_ORIG{" bin:$TA_SRC=0a09000100 "${T[@]}" }
expect "16-byte address in an IPv4 tuple" $EINVAL "msg=address length does not match" \
	get "nest:$A_ORIG{" ip:$TA_SRC=::1 "${T[@]}" }
expect "17-byte address (policy: at most 16)" $ERANGE "offs=[0-9]+ msg=Attribute failed policy" \
	get "nest:$A_ORIG{" bin:$TA_SRC=0102030405060708090a0b0c0d0e0f1011 "${T[@]}" }
expect_start "filter address without a family" $EINVAL "offs=[0-9]+ msg=.*FA_FAMILY" \
	--dump get "nest:$A_FILTER{" ip:$FA_ORIG_SRC=10.9.0.1 }
expect_start "filter IPv6 address with family IPv4" $EINVAL "msg=address length does not match" \
	--dump get "nest:$A_FILTER{" u8:$FA_FAMILY=2 ip:$FA_ORIG_SRC=fd00:9::1 }
expect_start "filter prefix 33 on an IPv4 address" $EINVAL "offs=[0-9]+ msg=prefix longer" \
	--dump get "nest:$A_FILTER{" u8:$FA_FAMILY=2 ip:$FA_ORIG_SRC=10.9.0.0 u8:$FA_ORIG_SRC_PLEN=33 }
expect "filter prefix 129 (policy: at most 128)" $ERANGE "offs=[0-9]+ msg=" \
	--dump get "nest:$A_FILTER{" u8:$FA_FAMILY=10 ip:$FA_ORIG_SRC=fd00:: u8:$FA_ORIG_SRC_PLEN=129 }
expect_start "filter prefix without its address" $EINVAL "msg=.*needs its address" \
	--dump get "nest:$A_FILTER{" u8:$FA_FAMILY=2 u8:$FA_ORIG_SRC_PLEN=8 }
expect_start "filter port without a protocol" $EINVAL "msg=ports need" \
	--dump get "nest:$A_FILTER{" be16:$FA_ORIG_DPORT=53 }
expect_start "filter status mask without a status" $EINVAL "msg=a status mask needs" \
	--dump get "nest:$A_FILTER{" u32:$FA_STATUS_MASK=4 }
without u8:$TA_FAMILY UDP
for fam in 0 11 255; do
	expect "tuple family $fam (policy range 2..10)" $ERANGE "offs=[0-9]+ msg=" \
		get "nest:$A_ORIG{" u8:$TA_FAMILY=$fam "${T[@]}" }
done
# 7 (NFPROTO_BRIDGE) is inside the policy's range but not a family a
# tuple can have: EINVAL or ERANGE, never an entry.
without u8:$TA_FAMILY UDP6
t6=("${T[@]}")
out=$(nl get "nest:$A_ORIG{" u8:$TA_FAMILY=7 "${t6[@]}" })
check "GET of a family 7 tuple: EINVAL or ERANGE ($out)" matches "$out" "^errno=($EINVAL|$ERANGE) "
out=$(nl new "nest:$A_ORIG{" u8:$TA_FAMILY=7 "${t6[@]}" } u32:$A_TIMEOUT=30)
check "NEW of a family 7 tuple: EINVAL or ERANGE ($out)" matches "$out" "^errno=($EINVAL|$ERANGE) "
out=$(nl --dump get "nest:$A_FILTER{" u8:$FA_FAMILY=7 })
check "filter on family 7: EINVAL or ERANGE ($out)" matches "$out" "^errno=($EINVAL|$ERANGE) "
expect "FLUSH of family 7" $EINVAL "offs=[0-9]+ msg=family must be" flush u8:$A_FAMILY=7
ip netns exec ng ctnl flush >/dev/null
for st in 0 10 42; do
	expect "NEW TCP in state $st (policy range 1..9)" $ERANGE "offs=[0-9]+ msg=" \
		new "nest:$A_ORIG{" "${TCP[@]}" } u32:$A_TIMEOUT=30 "nest:$A_PROTOINFO{" u8:$PA_TCP_STATE=$st }
done
expect "NEW with a TCP state for a UDP entry" $EINVAL "msg=.*not TCP" \
	new "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=30 "nest:$A_PROTOINFO{" u8:$PA_TCP_STATE=3 }
expect "NEW with a window scale (not settable)" $EINVAL "offs=[0-9]+ msg=Unsupported attribute" \
	new "nest:$A_ORIG{" "${TCP[@]}" } u32:$A_TIMEOUT=30 "nest:$A_PROTOINFO{" u8:$PA_TCP_STATE=3 u8:2=7 }
for st in 1 8 16 0x80000000; do
	expect "NEW with status $st (only SEEN_REPLY|ASSURED)" $EINVAL "offs=[0-9]+ msg=only SEEN_REPLY and ASSURED" \
		new "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=30 u32:$A_STATUS=$st
done
expect "UPDATE with status 8 (CONFIRMED)" $EINVAL "msg=only SEEN_REPLY and ASSURED" \
	update "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_STATUS=8
for to in 8589934 4294967295; do
	expect "NEW with timeout $to s (above S32_MAX jiffies)" $ERANGE "offs=[0-9]+ msg=timeout longer" \
		new "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=$to
done
expect "UPDATE with timeout 4294967295 s" $ERANGE "msg=timeout longer" \
	update "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=4294967295
expect "NEW with timeout 0 (expired at once)" $ERANGE "offs=[0-9]+ msg=a timeout of 0" \
	new "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=0
# NLM_F_CREATE (0x400), NLM_F_EXCL (0x200), NLM_F_REPLACE (0x100): strict header
for fl in 0x400 0x200 0x100; do
	expect "NEW with request flags $fl" $EINVAL "msg=ambiguous or reserved bits" \
		--flags=$fl new "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=30
done
expect "... none of them made an entry" 0 "entries=0" --dump get

# --- nested garbage --------------------------------------------------------
expect "tuple nest of random bytes" $EINVAL "msg=bytes leftover" \
	get "nest:$A_ORIG{" raw:deadbeefcafebabe }
expect "tuple nest whose attribute overruns it" $EINVAL "msg=bytes leftover" \
	get "nest:$A_ORIG{" u8:$TA_FAMILY=2 raw:0c00020011000000 }
expect "tuple nest ending in half an attribute header" $EINVAL "msg=bytes leftover" \
	get "nest:$A_ORIG{" "${UDP[@]}" raw:0500 }
expect "tuple nest of 2 bytes (shorter than a header)" $ERANGE "offs=[0-9]+ msg=Attribute failed policy" \
	get "nest:$A_ORIG{" raw:0500 }
expect "a truncated attribute header at the top level" $EINVAL "msg=bytes leftover" \
	get "nest:$A_ORIG{" "${UDP[@]}" } raw:0800
expect "a top-level attribute that overruns the message" $EINVAL "msg=bytes leftover" \
	get "nest:$A_ORIG{" "${UDP[@]}" } raw:ff00060000000000
expect "a filter nest of random bytes" $EINVAL "msg=bytes leftover" \
	--dump get "nest:$A_FILTER{" raw:31c0ffee0badf00d }
expect "top-level attribute type 21 (max 20)" $EINVAL "offs=[0-9]+ msg=Unknown attribute type" \
	get "nest:$A_ORIG{" "${UDP[@]}" } u32:21=0
expect "top-level attribute type 0x3fff" $EINVAL "offs=[0-9]+ msg=Unknown attribute type" \
	count u32:0x3fff=0
expect "top-level attribute type 0" $EINVAL "offs=[0-9]+ msg=Unknown attribute type" \
	flush u8:0=2
expect "a known attribute that GET does not take (CTRACK_A_ID)" $EINVAL \
	"offs=[0-9]+ msg=Unsupported attribute" get "nest:$A_ORIG{" "${UDP[@]}" } u64:$A_ID=1
expect "COUNT takes no attribute" $EINVAL "offs=[0-9]+ msg=Unsupported attribute" \
	count u8:$A_FAMILY=2
expect "tuple attribute type 10 (max 9)" $EINVAL "offs=[0-9]+ msg=Unknown attribute type" \
	get "nest:$A_ORIG{" "${UDP[@]}" u8:10=0 }
expect "tuple attribute type 0" $EINVAL "offs=[0-9]+ msg=Unknown attribute type" \
	get "nest:$A_ORIG{" u8:0=0 "${UDP[@]}" }
expect "filter attribute type 23 (max 22)" $EINVAL "offs=[0-9]+ msg=Unknown attribute type" \
	--dump get "nest:$A_FILTER{" u32:23=0 }
expect "a tuple nest without NLA_F_NESTED" $EINVAL "offs=[0-9]+ msg=NLA_F_NESTED is missing" \
	get "lnest:$A_ORIG{" "${UDP[@]}" }
without u8:$TA_FAMILY UDP
expect "a u8 with NLA_F_NESTED" $EINVAL "offs=[0-9]+ msg=NLA_F_NESTED not expected" \
	get "nest:$A_ORIG{" bin:$((0x8000 | TA_FAMILY))=02 "${T[@]}" }
expect "a message shorter than the genetlink header" $EINVAL "" --len=16 count
expect "... none of them made an entry" 0 "entries=0" --dump get

# --- unknown commands ------------------------------------------------------
for cmd in 0 9 99 255; do
	expect "command $cmd" $EOPNOTSUPP "" "$cmd"
	expect "command $cmd, dump" $EOPNOTSUPP "" --dump "$cmd"
done
for cmd in new update flush count; do
	expect "a dump of $cmd (a do-only command)" $EOPNOTSUPP "" --dump $cmd
done
possible=$(cat /sys/devices/system/cpu/possible)	# "0-N" (or "0")
expect "a STATS dump: one message per possible CPU ($possible)" 0 \
	"entries=$((${possible##*-} + 1))" --dump stats

# --- semantic errors -------------------------------------------------------
expect "GET of a tuple that does not exist" $ENOENT "msg=no entry has this tuple" \
	get "nest:$A_ORIG{" "${NOTFOUND[@]}" }
expect "ZERO of a tuple that does not exist" $ENOENT "msg=no entry has this tuple" \
	zero "nest:$A_ORIG{" "${NOTFOUND[@]}" }
expect "DELETE of a tuple that does not exist" $ENOENT "msg=no entry has this tuple" \
	delete "nest:$A_ORIG{" "${NOTFOUND[@]}" }
expect "UPDATE of a tuple that does not exist" $ENOENT "msg=no entry has this tuple" \
	update "nest:$A_ORIG{" "${NOTFOUND[@]}" } u32:$A_MARK=1
expect "NEW" 0 "" new "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=300
expect "NEW again, same tuple" $EEXIST "msg=.*exists" \
	new "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=300
expect "NEW of its reply tuple (the same entry)" $EEXIST "msg=.*exists" \
	new "nest:$A_ORIG{" "${UDP_R[@]}" } u32:$A_TIMEOUT=300
expect "GET naming it by both tuples" $EINVAL "offs=[0-9]+ msg=.*one tuple" \
	get "nest:$A_ORIG{" "${UDP[@]}" } "nest:$A_REPLY{" "${UDP_R[@]}" }
expect "GET (do) with a filter" $EINVAL "offs=[0-9]+ msg=a filter goes with a dump" \
	get "nest:$A_ORIG{" "${UDP[@]}" } "nest:$A_FILTER{" u8:$FA_PROTO=17 }
expect_start "GET dump with a tuple" $EINVAL "offs=[0-9]+ msg=.*not a tuple" \
	--dump get "nest:$A_ORIG{" "${UDP[@]}" }
expect_start "DELETE dump with a reply tuple" $EINVAL "offs=[0-9]+ msg=.*not a tuple" \
	--dump delete "nest:$A_REPLY{" "${UDP_R[@]}" }
expect "... which deleted nothing" 0 "entries=1" --dump get
expect "NEW with a reply tuple that is not the inverse" $EINVAL "offs=[0-9]+ msg=.*inverse" \
	new "nest:$A_ORIG{" "${TCP[@]}" } "nest:$A_REPLY{" "${TCP[@]}" } u32:$A_TIMEOUT=30 \
	"nest:$A_PROTOINFO{" u8:$PA_TCP_STATE=3 }
without u8:$TA_ICMP_TYPE ICMP
expect "NEW of an ICMP echo reply (type 0: a reply cannot start an entry)" $EINVAL "msg=" \
	new "nest:$A_ORIG{" "${T[@]}" u8:$TA_ICMP_TYPE=0 } u32:$A_TIMEOUT=30
# (Should it have made one, it must not disturb the checks below.)
nl delete "nest:$A_ORIG{" "${T[@]}" u8:$TA_ICMP_TYPE=0 } >/dev/null
expect "NEW of an ICMP destination unreachable (type 3)" $EINVAL "msg=only an ICMP request" \
	new "nest:$A_ORIG{" "${T[@]}" u8:$TA_ICMP_TYPE=3 } u32:$A_TIMEOUT=30
expect "an ICMP tuple with ports" $EINVAL "offs=[0-9]+ msg=this protocol has no ports" \
	get "nest:$A_ORIG{" "${ICMP[@]}" be16:$TA_SPORT=1 }
expect "a UDP tuple with ICMP fields" $EINVAL "offs=[0-9]+ msg=ICMP fields" \
	get "nest:$A_ORIG{" "${UDP[@]}" u8:$TA_ICMP_TYPE=8 }
without u8:$TA_PROTO UDP6
expect "ICMP (IPv4's) in an IPv6 tuple" $EINVAL "offs=[0-9]+ msg=ICMP goes with IPv4" \
	get "nest:$A_ORIG{" u8:$TA_PROTO=1 "${T[@]}" }
count() { ip netns exec ng cat /proc/sys/net/ctrack/count; }
check "... the refused NEWs left net.ctrack.count at 1 ($(count))" test "$(count)" = 1
ip netns exec ng ctnl flush >/dev/null
expect "NEW of an ASSURED entry" 0 "" new "nest:$A_ORIG{" "${UDP[@]}" } u32:$A_TIMEOUT=300 \
	u32:$A_STATUS=4
ip netns exec ng sysctl -qw net.ctrack.max=1
expect "NEW into a full table (net.ctrack.max=1, nothing evictable)" $ENOSPC "msg=.*full" \
	new "nest:$A_ORIG{" "${TCP[@]}" } u32:$A_TIMEOUT=30 "nest:$A_PROTOINFO{" u8:$PA_TCP_STATE=3 }
ip netns exec ng sysctl -qw net.ctrack.max=0
expect "... the table holds the one entry" 0 "entries=1" --dump get
expect "... a dump filtered on ASSURED lists it" 0 "entries=1" --dump get \
	"nest:$A_FILTER{" u32:$FA_STATUS=4 }
check "... and net.ctrack.count says so ($(count))" test "$(count)" = 1

# --- privileges --------------------------------------------------------------
# The permission check comes before any parsing: bare commands suffice.
asuser() { su -s /bin/bash nobody -c "$*" 2>&1; }
for cmd in get new update delete flush count stats zero; do
	out=$(asuser ctnl $cmd)
	check "unprivileged $cmd: EPERM ($out)" matches "$out" "^errno=$EPERM\$"
done
for cmd in get delete zero; do
	out=$(asuser ctnl --dump $cmd)
	check "unprivileged $cmd dump: EPERM ($out)" matches "$out" "^errno=$EPERM( |\$)"
done
out=$(ip netns exec ng su -s /bin/bash nobody -c "ctnl count" 2>&1)
check "unprivileged count in ns ng: EPERM ($out)" matches "$out" "^errno=$EPERM\$"
out=$(asuser ctnl get "nest:$A_ORIG{" "${NOTFOUND[*]}" })
check "unprivileged GET with a tuple: EPERM, not ENOENT ($out)" matches "$out" "^errno=$EPERM\$"
for grp in new update destroy; do
	out=$(asuser ctnl join $grp)
	check "unprivileged join $grp: EPERM ($out)" matches "$out" "^errno=$EPERM\$"
	out=$(ctnl join $grp 2>&1)
	check "root join $grp ($out)" matches "$out" "^errno=0\$"
done

# --- another user namespace -------------------------------------------------
if ! unshare -U -r true 2>/dev/null; then
	skip "user namespaces: unshare -U -r does not work here ($(unshare -U -r true 2>&1 | head -n1))"
else
	out=$(unshare -U -r id -u)
	check "unshare -U -r maps us to root of a new user namespace ($out)" test "$out" = 0
	for cmd in get new update delete flush count stats zero; do
		out=$(unshare -U -r ctnl $cmd 2>&1)
		check "root of a child user namespace, init netns, $cmd: EPERM ($out)" \
			matches "$out" "^errno=$EPERM\$"
	done
	out=$(unshare -U -r ctnl --dump get 2>&1)
	check "... get dump: EPERM ($out)" matches "$out" "^errno=$EPERM( |\$)"
	out=$(unshare -U -r ctnl join new 2>&1)
	check "... join new: EPERM ($out)" matches "$out" "^errno=$EPERM\$"
	out=$(unshare -U -r -n ctnl count 2>&1)
	check "root of a child user namespace in its own netns: count works ($out)" \
		matches "$out" "^errno=0\$"
	# shellcheck disable=SC2016
	out=$(unshare -U -r -n bash -c '
		ctnl --dump get
		ctnl new "$@"
		ctnl get "${@:1:$(($# - 1))}"
		ctnl --dump get
		ctnl join new' _ "nest:$A_ORIG{" u8:$TA_FAMILY=2 u8:$TA_PROTO=17 ip:$TA_SRC=10.8.0.1 \
		ip:$TA_DST=10.8.0.2 be16:$TA_SPORT=4000 be16:$TA_DPORT=4001 } u32:$A_TIMEOUT=300 2>&1)
	check "... its own table starts empty ($(echo "$out" | sed -n 1p))" \
		matches "$(echo "$out" | sed -n 1p)" "^errno=0 entries=0\$"
	check "... NEW there works ($(echo "$out" | sed -n 2p))" \
		matches "$(echo "$out" | sed -n 2p)" "^errno=0\$"
	check "... GET there finds it ($(echo "$out" | sed -n 3p))" \
		matches "$(echo "$out" | sed -n 3p)" "^errno=0\$"
	check "... a dump there lists it ($(echo "$out" | sed -n 4p))" \
		matches "$(echo "$out" | sed -n 4p)" "^errno=0 entries=1\$"
	check "... join new there works ($(echo "$out" | sed -n 5p))" \
		matches "$(echo "$out" | sed -n 5p)" "^errno=0\$"
	out=$(ctnl get "nest:$A_ORIG{" u8:$TA_FAMILY=2 u8:$TA_PROTO=17 ip:$TA_SRC=10.8.0.1 \
		ip:$TA_DST=10.8.0.2 be16:$TA_SPORT=4000 be16:$TA_DPORT=4001 } 2>&1)
	check "... the init netns does not see it ($out)" matches "$out" "^errno=$ENOENT "
	check "... nor its /proc/net/ctrack" bash -c "! grep -q 'sport=4000 dport=4001' /proc/net/ctrack"
fi

ip netns exec ng ctnl flush >/dev/null
finish
