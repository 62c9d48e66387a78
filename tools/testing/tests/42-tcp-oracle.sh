#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The TCP state machine against nf_conntrack's, segment by segment: the
# oracle for the transition table that KUnit only checks for structure.
# Crafted segments of one flow cross rt, where both trackers follow it;
# after each one both must list the flow in the same state, with the same
# timeout (to 2 s), and must have called the segment the same (--ctstate of -m conntrack and -m ctrack on
# rt's FORWARD chain, one rule per state counting only agreement, one
# counting all).
#
#   cl 10.0.1.1 fd00:1::1 ---- rt (ctrack + nf_conntrack) ---- sv 10.0.2.1 fd00:2::1
#
# cl and sv drop the test's segments in their raw tables, so that their
# own stacks never answer; every segment is ctpkt's, with chosen
# sequence numbers (window 1024, no options, no payload unless a step
# says otherwise: win=N, len=N bytes, mss=N, ws=N, sackok, sack=L-R,...).
# seq-edges and
# ack-edges put segments at the edges, one inside and one past each: a
# window of 1024 from the peer's ack, an overshoot of less than a window
# past it, a segment behind; an ack up to one past what the peer sent and
# no more than 66000 behind it (the floor of the ack window).
# overshoot-back overshoots twice, the second ending lower, then acks
# both ends. zero-window probes a closed window with one byte and then
# two; window-shrink sends into the window the server advertised before
# it shrank it; window-scale puts segments at the edges of a window
# scaled by 8; sack-blocks acks with up to four SACK blocks, one of them
# past what the client sent; sack-unnegotiated sends SACK blocks that no
# SYN permitted (both trackers ignore them). Each sequence
# below is one flow (its own client port), each run in IPv4 and IPv6 (on
# the debug kernel two of them, IPv4 only). A step is "c|s FLAGS SEQ ACK":
# from the client or the server. Among them, blind resets (RFC 5961
# 3.2): a RST inside the window but not at the expected sequence keeps
# ESTABLISHED in both; the exact one closes.
. ./lib.bash
trap topo_down EXIT

modprobe nf_conntrack 2>/dev/null
ctrack_load
topo_up
for ns in cl sv; do
	for ipt in iptables ip6tables; do
		ip netns exec $ns $ipt -t raw -A PREROUTING -p tcp --sport 7000 -j DROP
		ip netns exec $ns $ipt -t raw -A PREROUTING -p tcp --dport 7000 -j DROP
	done
done
states="INVALID NEW ESTABLISHED RELATED"
for ipt in iptables ip6tables; do
	ip netns exec rt $ipt -N TO
	ip netns exec rt $ipt -A FORWARD -p tcp -j TO
	for st in $states; do
		ip netns exec rt $ipt -A TO -m conntrack --ctstate $st \
			-m ctrack --ctstate $st -m comment --comment "both:$st"
		# Each tracker's own call, to name it when they differ.
		ip netns exec rt $ipt -A TO -m conntrack --ctstate $st -m comment --comment "nf:$st"
		ip netns exec rt $ipt -A TO -m ctrack --ctstate $st -m comment --comment "ct:$st"
	done
done

declare -A SEQS=(
	[open-close]="c S 1000 0; s SA 5000 1001; c A 1001 5001; c FA 1001 5001; s A 5001 1002; s FA 5001 1002; c A 1002 5002"
	[server-closes]="c S 1000 0; s SA 5000 1001; c A 1001 5001; s FA 5001 1001; c A 1001 5002; c FA 1001 5002; s A 5002 1002"
	[refused]="c S 1000 0; s RA 0 1001"
	[syn-retrans]="c S 1000 0; c S 1000 0; s SA 5000 1001; s SA 5000 1001; c A 1001 5001"
	[simultaneous]="c S 1000 0; s S 5000 0; c SA 1000 5001; s SA 5000 1001; c A 1001 5001"
	[rst-exact]="c S 1000 0; s SA 5000 1001; c A 1001 5001; s A 5001 1001; c R 1001 0"
	[rst-blind]="c S 1000 0; s SA 5000 1001; c A 1001 5001; s A 5001 1001; c A 1001 5001; c R 1501 0; s R 5301 0; c R 1001 0"
	[rst-behind]="c S 1000 0; s SA 5000 1001; c A 1001 5001; s A 5001 1001; s R 4000 0"
	[stray-synack]="s SA 5000 1001"
	[loose-ack]="c A 1001 5001; s A 5001 1001; c FA 1001 5001"
	[fin-in-syn-sent]="c S 1000 0; c F 1001 0"
	[reopen-after-close]="c S 1000 0; s SA 5000 1001; c A 1001 5001; c R 1001 0; c S 9000 0; s SA 7000 9001"
	[seq-edges]="c S 1000 0; s SA 5000 1001; c A 1001 5001; s A 5001 1001; c A 2025 5001; c A 2026 5001; c A 3048 5001; c A 3049 5001; s A 6025 1001; s A 6026 1001; c A 999 5001; c A 1001 5001"
	[ack-edges]="c S 1000 0; s SA 5000 1001; c A 1001 5001; s A 5001 1001; c A 1001 5002; c A 1001 5003; s A 5001 1002; s A 5001 1003; c A 1001 4294906297; c A 1001 4294906296"
	[overshoot-back]="c S 1000 0; s SA 5000 1001; c A 1001 5001; s A 5001 1001; c A 3000 5001; c A 2500 5001; s A 5001 3000; s A 5001 2500"
	[zero-window]="c S 1000 0; s SA 5000 1001; c A 1001 5001; s A 5001 1001 win=0; c A 1001 5001 len=1; c A 1001 5001 len=2; c A 1002 5001 len=1; c A 1003 5001 len=1; s A 5001 1002 win=1024; c A 1002 5001 len=100"
	[window-shrink]="c S 1000 0; s SA 5000 1001; c A 1001 5001; s A 5001 1001 win=2048; s A 5001 1001 win=100; c A 1001 5001 len=1000; c A 3049 5001; c A 3050 5001; c A 3000 5001 len=200"
	[window-scale]="c S 1000 0 ws=3; s SA 5000 1001 ws=3; c A 1001 5001; s A 5001 1001; c A 9193 5001; c A 9194 5001; c A 17385 5001; c A 17386 5001"
	[sack-blocks]="c S 1000 0 mss=1460 sackok; s SA 5000 1001 mss=1460 sackok; c A 1001 5001; c A 1001 5001 len=500; c A 1501 5001 len=500; s A 5001 1001 sack=1501-2001; s A 5001 1001 sack=1101-1201,1301-1401,1501-2001; s A 5001 1001 sack=1101-1201,1501-2002; s A 5001 1001 sack=1101-1201,1301-1401,1451-1461,1501-2001; s A 5001 2001"
	[sack-unnegotiated]="c S 1000 0; s SA 5000 1001; c A 1001 5001; c A 1001 5001 len=500; s A 5001 1001 sack=1101-1201,1501-9000; s A 5001 1501"
)

# look: "CT-STATE NF-STATE CT-TIMEOUT NF-TIMEOUT" of the flow from port
# $port on rt ("none none 0 0" when neither lists it). A listing read
# while the table changes can miss an entry: when one tracker lists the
# flow and the other does not, read again (a flow really gone stays gone).
look() {
	local out
	for _ in 1 2 3; do
		out=$(look_once)
		case $out in
		"none none "*) break ;;
		none* | *" none "*) sleep 0.3 ;;
		*) break ;;
		esac
	done
	echo "$out"
}

look_once() {
	ip netns exec rt sh -c 'cat /proc/net/ctrack; echo ---; cat /proc/net/nf_conntrack' |
		awk -v p=" sport=$port " '
			/^---$/ { nf = 1; next }
			index($0, p) && !nf && !cs { cs = $4; ct = $3 }
			index($0, p) && nf && !ns { ns = $6; nt = $5 }
			END { printf "%s %s %d %d\n", cs ? cs : "none", ns ? ns : "none", ct, nt }'
}

# called BEFORE AFTER: the calls that moved, "ct:STATE nf:STATE"
called() {
	local a b out=
	for a in $1; do
		for b in $2; do
			[ "${a%%=*}" = "${b%%=*}" ] && [ "${a#*=}" != "${b#*=}" ] && out="$out ${a%%=*}"
		done
	done
	echo "${out# }"
}

# counters FAMILY: "ALL AGREED CALLS...", from one listing of rt's
# filter table (a listing is most of a step's cost): the packets FORWARD
# sent to TO, those both trackers called alike, and each "ct:STATE" and
# "nf:STATE" rule's count, as "ct:NEW=3 ..."
counters() {
	local ipt=iptables
	[ "$1" = 6 ] && ipt=ip6tables
	ip netns exec rt $ipt -L -v -x -n | awk '
		/^Chain / { chain = $2; next }
		chain == "FORWARD" && $3 == "TO" { a = $1 }
		chain == "TO" && /both:/ { s += $1 }
		chain == "TO" && match($0, /(ct|nf):[A-Z]+/) {
			c = c sprintf("%s=%s ", substr($0, RSTART, RLENGTH), $1)
		}
		END { printf "%d %d %s\n", a, s, c }'
}

# On the debug kernel a segment's round costs seconds: IPv4 and a few
# sequences there (the stock kernels run them all, in both families).
families="4 6" only=
if [ "$KERNEL_FLAVOR" = debug ]; then
	families=4 only="rst-blind simultaneous"
fi

nseq=$(wc -w <<<"${only:-${!SEQS[*]}}")
plan $(( $(wc -w <<<"$families") * nseq ))

port=41000
for f in $families; do
	if [ $f = 4 ]; then c=10.0.1.1 s=10.0.2.1; else c=fd00:1::1 s=fd00:2::1; fi
	for name in ${only:-$(printf '%s\n' "${!SEQS[@]}" | sort)}; do
		port=$((port + 1))
		IFS=';' read -ra steps <<<"${SEQS[$name]}"
		bad=
		n=0
		read -r all0 agreed0 calls0 <<<"$(counters $f)"
		for step in "${steps[@]}"; do
			read -r who flags seq ack opts <<<"$step"
			n=$((n + 1))
			# shellcheck disable=SC2086 # the options are words
			if [ "$who" = c ]; then
				ip netns exec cl ctpkt tcp "$c" "$s" "$port" 7000 "$flags" "$seq" "$ack" $opts
			else
				ip netns exec sv ctpkt tcp "$s" "$c" 7000 "$port" "$flags" "$seq" "$ack" $opts
			fi
			# Both trackers saw it once rt counted it.
			snap=
			wait_for 3 eval 'snap=$(counters $f); [ "${snap%% *}" = $((all0 + 1)) ]'
			read -r all agreed calls1 <<<"$snap"
			read -r sc sn tc tn <<<"$(look)"
			# The same timeout, to the 2 s that reading both takes.
			dt=$((tc - tn))
			if [ "$all" != $((all0 + 1)) ] || [ "$agreed" != $((agreed0 + 1)) ] ||
			   [ "$sc" != "$sn" ] || [ "${dt#-}" -gt 2 ]; then
				bad="$bad step $n ($step): counted $((all - all0)), agreed $((agreed - agreed0)) ($(called "$calls0" "$calls1")), states $sc $sn, timeouts $tc $tn;"
			fi
			all0=$all agreed0=$agreed calls0=$calls1
		done
		if [ -z "$bad" ]; then
			pass "ipv$f tcp $name: $n segments, each called alike, states and timeouts alike (last: $sc $sn, $tc $tn s)"
		else
			fail "ipv$f tcp $name:$bad"
		fi
	done
done
finish
