#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every option of -m ctrack, plain and inverted ("!"), counted on real
# traffic in rt's FORWARD chain, against oracles made of plain header
# matches on the same chain; over IPv4 and IPv6, with iptables-nft and
# then iptables-legacy.
#
#   cl  10.0.1.1  fd00:1::1 ---- rt ---- sv  10.0.2.1  fd00:2::1
#   client ports 40000-44999      |      client ports 20000-24999
#   serves TCP 7070               |      serves TCP 8080, echo 9090, UDP 5353
#                  FORWARD: about 130 counting rules (no target) per
#                  family, each labelled "k:NAME" with -m comment;
#                  INPUT (IPv6): neighbour discovery, UNTRACKED
#
# Phase A, the mix (each family): from cl, a held session to 9090 (open
# until the end), 2 TCP requests to 8080, 2 UDP requests to 5353, 2 pings,
# and three INVALID segments (SYN+FIN, no flags, a RST far outside the held
# session's window); from sv, a TCP request to cl's 7070 and a UDP datagram
# to cl's closed 9999, whose port unreachable is RELATED. That is 9 flows.
# Each option must count exactly what its oracle counts, "! option" the
# rest: every packet that has an entry (--ctstate NEW,ESTABLISHED,RELATED)
# for options about the entry, every packet for --ctstate. INVALID and
# UNTRACKED packets match neither an entry option nor its inversion.
# Phase B (counters zeroed): 3 chunks of 64 bytes echoed over the held
# session: data segments get the "unacknowledged" timeout, pure ACKs the
# established one (--ctexpire). Each chunk is one write, so each data
# segment carries PSH and no pure ACK does: that tells them apart (the
# debug kernel has no -m length).
# Also: the raw table refuses the match, --ctstate SNAT/DNAT are accepted
# and never count, and bad values get the plugin's one-line error, exit 2.
#
# Counters are read from "iptables -L -v -x -n" only when two dumps in a
# row agree (no packet was half-way through the chain), after the traffic
# of the phase is known to be over: no fixed sleeps.
. ./lib.bash
plan 581
trap topo_down EXIT

declare -A C		# packets counted by rule k:NAME, from the last snapshot
RULES=''
ua=0			# UDP flows of the family that became streams (ASSURED)

# r CHAIN NAME SPEC...: one counting rule for the restore buffer
r() {
	local chain=$1 name=$2
	shift 2
	RULES+="-A $chain $* -m comment --comment k:$name"$'\n'
}

# fam 4|6: the addresses and names of one family
fam() {
	if [ "$1" = 4 ]; then
		F=ipv4 IPT=iptables-$v CL=10.0.1.1 SV=10.0.2.1
		CLNET=10.0.1.0/24 ALLNET=10.0.0.0/8 NONET=10.0.3.0/24 ANY=0.0.0.0/0
		FULLMASK=10.0.1.0/255.255.255.0 ODDMASK=10.0.0.1/255.255.0.255
		ICMP=icmp ICMPT=--icmp-type PING=ping
	else
		F=ipv6 IPT=ip6tables-$v CL=fd00:1::1 SV=fd00:2::1
		CLNET=fd00:1::/64 ALLNET=fd00::/16 NONET=fd00:3::/64 ANY=::/0
		FULLMASK=fd00:1::/ffff:ffff:: ODDMASK=::1/::ffff
		ICMP=icmpv6 ICMPT=--icmpv6-type PING=ping6
	fi
	tag="[$v/$F]"
}

to() { ip netns exec rt sysctl -n "net.ctrack.$1"; }

# The FORWARD rules of the current family (fam). k:NAME oracles first,
# then the ctrack rules; phase A's and B's expectations are below.
fwd_rules() {
	local f=FORWARD est unack
	est=$(to tcp_timeout_established)
	unack=$(to tcp_timeout_unacknowledged)
	RULES='*filter'$'\n'
	# Oracles: header matches only.
	r $f all
	r $f c2s -s "$CL" -d "$SV"
	r $f s2c -s "$SV" -d "$CL"
	r $f tcp -p tcp
	r $f udp -p udp
	r $f icmp -p "$ICMP"
	r $f syn -p tcp --tcp-flags SYN,ACK,FIN,RST SYN
	r $f synack -p tcp --tcp-flags SYN,ACK,FIN,RST SYN,ACK
	r $f sf -p tcp --tcp-flags ALL SYN,FIN
	r $f nofl -p tcp --tcp-flags ALL NONE
	r $f rst -s "$CL" -p tcp --dport 9090 --tcp-flags RST RST
	r $f t8080 -p tcp --dport 8080
	r $f t8080r -p tcp --sport 8080
	r $f t9090 -p tcp --dport 9090
	r $f t9090r -p tcp --sport 9090
	r $f t7070 -p tcp --dport 7070
	r $f t7070r -p tcp --sport 7070
	r $f u5353 -p udp --dport 5353
	r $f u5353r -p udp --sport 5353
	r $f u9999 -p udp --dport 9999
	r $f echoq -p "$ICMP" "$ICMPT" echo-request
	r $f echor -p "$ICMP" "$ICMPT" echo-reply
	r $f unr -p "$ICMP" "$ICMPT" destination-unreachable
	r $f bdata_o -s "$CL" -p tcp --dport 9090 --tcp-flags PSH PSH
	r $f bdata_r -s "$SV" -p tcp --sport 9090 --tcp-flags PSH PSH
	r $f bpure -p tcp --tcp-flags PSH NONE
	# --ctstate
	r $f st_new -m ctrack --ctstate NEW
	r $f nst_new -m ctrack ! --ctstate NEW
	r $f st_est -m ctrack --ctstate ESTABLISHED
	r $f nst_est -m ctrack ! --ctstate ESTABLISHED
	r $f st_rel -m ctrack --ctstate RELATED
	r $f nst_rel -m ctrack ! --ctstate RELATED
	r $f st_inv -m ctrack --ctstate INVALID
	r $f nst_inv -m ctrack ! --ctstate INVALID
	r $f st_untr -m ctrack --ctstate UNTRACKED
	r $f nst_untr -m ctrack ! --ctstate UNTRACKED
	r $f st_snat -m ctrack --ctstate SNAT
	r $f st_dnat -m ctrack --ctstate DNAT
	r $f nst_nat -m ctrack ! --ctstate SNAT,DNAT
	r $f st_ok -m ctrack --ctstate NEW,ESTABLISHED,RELATED
	r $f st_lower -m ctrack --ctstate new,established
	# --ctproto
	r $f pr_tcp -m ctrack --ctproto tcp
	r $f npr_tcp -m ctrack ! --ctproto tcp
	r $f pr_6 -m ctrack --ctproto 6
	r $f pr_udp -m ctrack --ctproto udp
	r $f npr_udp -m ctrack ! --ctproto udp
	r $f pr_icmp -m ctrack --ctproto "$ICMP"
	r $f npr_icmp -m ctrack ! --ctproto "$ICMP"
	r $f pr_sctp -m ctrack --ctproto sctp
	r $f npr_sctp -m ctrack ! --ctproto sctp
	# addresses
	r $f os_cl -m ctrack --ctorigsrc "$CL"
	r $f nos_cl -m ctrack ! --ctorigsrc "$CL"
	r $f os_clnet -m ctrack --ctorigsrc "$CLNET"
	r $f os_full -m ctrack --ctorigsrc "$FULLMASK"
	r $f os_odd -m ctrack --ctorigsrc "$ODDMASK"
	r $f os_all -m ctrack --ctorigsrc "$ALLNET"
	r $f nos_all -m ctrack ! --ctorigsrc "$ALLNET"
	r $f os_none -m ctrack --ctorigsrc "$NONET"
	r $f nos_none -m ctrack ! --ctorigsrc "$NONET"
	r $f os_any -m ctrack --ctorigsrc "$ANY"
	r $f nos_any -m ctrack ! --ctorigsrc "$ANY"
	r $f od_sv -m ctrack --ctorigdst "$SV"
	r $f nod_sv -m ctrack ! --ctorigdst "$SV"
	r $f od_clnet -m ctrack --ctorigdst "$CLNET"
	r $f rs_sv -m ctrack --ctreplsrc "$SV"
	r $f nrs_sv -m ctrack ! --ctreplsrc "$SV"
	r $f rs_clnet -m ctrack --ctreplsrc "$CLNET"
	r $f rd_clnet -m ctrack --ctrepldst "$CLNET"
	r $f nrd_clnet -m ctrack ! --ctrepldst "$CLNET"
	r $f rd_sv -m ctrack --ctrepldst "$SV"
	# ports
	r $f p_od8080 -m ctrack --ctproto tcp --ctorigdstport 8080
	r $f np_od8080 -m ctrack --ctproto tcp ! --ctorigdstport 8080
	r $f p_odrange -m ctrack --ctproto tcp --ctorigdstport 8000:9999
	r $f np_odrange -m ctrack --ctproto tcp ! --ctorigdstport 8000:9999
	r $f p_odlow -m ctrack --ctproto tcp --ctorigdstport :8000
	r $f p_oscl -m ctrack --ctproto tcp --ctorigsrcport 40000:44999
	r $f np_oscl -m ctrack --ctproto tcp ! --ctorigsrcport 40000:44999
	r $f p_ossv -m ctrack --ctproto tcp --ctorigsrcport 20000:24999
	r $f p_rs7070 -m ctrack --ctproto tcp --ctreplsrcport 7070
	r $f np_rs7070 -m ctrack --ctproto tcp ! --ctreplsrcport 7070
	r $f p_rdcl -m ctrack --ctproto tcp --ctrepldstport 40000:
	r $f np_rdcl -m ctrack --ctproto tcp ! --ctrepldstport 40000:
	r $f pu_od5353 -m ctrack --ctproto udp --ctorigdstport 5353
	r $f npu_od5353 -m ctrack --ctproto udp ! --ctorigdstport 5353
	r $f pu_rdsv -m ctrack --ctproto udp --ctrepldstport 20000:24999
	r $f npu_rdsv -m ctrack --ctproto udp ! --ctrepldstport 20000:24999
	r $f pu_rs9999 -m ctrack --ctproto udp --ctreplsrcport 9999
	r $f pu_oscl -m ctrack --ctproto udp --ctorigsrcport 40000:44999
	r $f pl_any -m ctrack --ctproto udplite --ctorigdstport 0:65535
	r $f npl_any -m ctrack --ctproto udplite ! --ctorigdstport 0:65535
	# --ctstatus
	r $f s_none -m ctrack --ctstatus NONE
	r $f ns_none -m ctrack ! --ctstatus NONE
	r $f s_seen -m ctrack --ctstatus SEEN_REPLY
	r $f ns_seen -m ctrack ! --ctstatus SEEN_REPLY
	r $f s_ass -m ctrack --ctstatus ASSURED
	r $f ns_ass -m ctrack ! --ctstatus ASSURED
	r $f s_tcpass -m ctrack --ctproto tcp --ctstatus ASSURED
	r $f s_conf -m ctrack --ctstatus CONFIRMED
	r $f ns_conf -m ctrack ! --ctstatus CONFIRMED
	r $f s_exp -m ctrack --ctstatus EXPECTED
	r $f ns_exp -m ctrack ! --ctstatus EXPECTED
	r $f s_noneass -m ctrack --ctstatus NONE,ASSURED
	r $f s_seenass -m ctrack --ctstatus SEEN_REPLY,ASSURED
	# --ctexpire
	r $f x_30 -m ctrack --ctproto udp --ctexpire 0:30
	r $f nx_30 -m ctrack --ctproto udp ! --ctexpire 0:30
	r $f x_icmp -m ctrack --ctproto "$ICMP" --ctexpire 0:"$(to "${ICMP}_timeout")"
	r $f nx_icmp -m ctrack --ctproto "$ICMP" ! --ctexpire 0:"$(to "${ICMP}_timeout")"
	r $f x_udp -m ctrack --ctproto udp --ctexpire 0:"$(to udp_timeout)"
	r $f x_udps -m ctrack --ctproto udp --ctexpire "$(($(to udp_timeout) + 1))":"$(to udp_timeout_stream)"
	r $f x_syn -p tcp --tcp-flags SYN,ACK,FIN,RST SYN \
		-m ctrack --ctexpire "$(($(to tcp_timeout_syn_sent) - 20))":"$(to tcp_timeout_syn_sent)"
	r $f x_synack -p tcp --tcp-flags SYN,ACK,FIN,RST SYN,ACK \
		-m ctrack --ctexpire "$(($(to tcp_timeout_syn_recv) - 20))":"$(to tcp_timeout_syn_recv)"
	r $f x_huge -m ctrack --ctexpire $((est + 1)):4294967295
	r $f nx_huge -m ctrack ! --ctexpire $((est + 1)):4294967295
	r $f x_est -m ctrack --ctproto tcp --ctexpire $((est - 1000)):"$est"
	r $f nx_est -m ctrack --ctproto tcp ! --ctexpire $((est - 1000)):"$est"
	r $f x_unack -m ctrack --ctproto tcp --ctexpire $((unack - 100)):"$unack"
	# --ctdir
	r $f d_orig -m ctrack --ctdir ORIGINAL
	r $f d_repl -m ctrack --ctdir REPLY
	r $f d_clo -s "$CL" -m ctrack --ctdir ORIGINAL
	# INVALID packets match no option about the entry, inverted or not.
	r $f i_pr -m ctrack --ctstate INVALID --ctproto tcp
	r $f i_npr -m ctrack --ctstate INVALID ! --ctproto tcp
	r $f i_do -m ctrack --ctstate INVALID --ctdir ORIGINAL
	r $f i_dr -m ctrack --ctstate INVALID --ctdir REPLY
	r $f i_nos -m ctrack --ctstate INVALID ! --ctorigsrc "$NONET"
	r $f i_os -m ctrack --ctstate INVALID --ctorigsrc "$ANY"
	r $f i_s -m ctrack --ctstate INVALID --ctstatus NONE
	r $f i_ns -m ctrack --ctstate INVALID ! --ctstatus NONE
	r $f i_nx -m ctrack --ctstate INVALID ! --ctexpire 0:0
	r $f i_np -m ctrack --ctstate INVALID --ctproto tcp ! --ctorigdstport 1
	r $f h_sf -p tcp --tcp-flags ALL SYN,FIN -m ctrack ! --ctproto udp
	r $f h_nsf -p tcp --tcp-flags ALL SYN,FIN -m ctrack ! --ctstatus CONFIRMED
	if [ "$F" = ipv6 ]; then
		# Neighbour discovery at rt itself: UNTRACKED, no entry.
		local ns=(-p icmpv6 --icmpv6-type neighbour-solicitation)
		local na=(-p icmpv6 --icmpv6-type neighbour-advertisement)
		r INPUT ns "${ns[@]}"
		r INPUT na "${na[@]}"
		r INPUT ns_untr "${ns[@]}" -m ctrack --ctstate UNTRACKED
		r INPUT na_untr "${na[@]}" -m ctrack --ctstate UNTRACKED
		r INPUT ns_nnew "${ns[@]}" -m ctrack ! --ctstate NEW
		r INPUT ns_pr "${ns[@]}" -m ctrack --ctproto icmpv6
		r INPUT ns_npr "${ns[@]}" -m ctrack ! --ctproto icmpv6
		r INPUT ns_do "${ns[@]}" -m ctrack --ctdir ORIGINAL
		r INPUT ns_dr "${ns[@]}" -m ctrack --ctdir REPLY
		r INPUT ns_s "${ns[@]}" -m ctrack --ctstatus NONE
		r INPUT ns_ns "${ns[@]}" -m ctrack ! --ctstatus NONE
		r INPUT ns_os "${ns[@]}" -m ctrack --ctorigsrc ::/0
		r INPUT ns_nos "${ns[@]}" -m ctrack ! --ctorigsrc ::/0
		r INPUT ns_x "${ns[@]}" -m ctrack --ctexpire 0:4294967295
		r INPUT ns_nx "${ns[@]}" -m ctrack ! --ctexpire 0:4294967295
	fi
	RULES+='COMMIT'$'\n'
	printf '%s' "$RULES" | ip netns exec rt "$IPT-restore" --noflush
}

# snap IPT CHAIN: fill C from a dump of the chain that the next dump
# repeats: then no packet was half-way through the chain while it was read
snap() { wait_for 10 chain_counters "$@"; }

# is NAME WANT: rule k:NAME counted WANT packets in the last snapshot
is() {
	local got=${C[$1]:-missing}
	[ "$got" = "$2" ] && return 0
	echo "  k:$1 counted $got, expected $2"
	return 1
}
# c NAME: what rule k:NAME counted (0 if missing: "is" reports that)
c() { echo "${C[$1]:-0}"; }

# tw N PORT SRC: N entries of rt for TCP flows from SRC to PORT are in TIME_WAIT
tw() {
	[ "$(ctlist rt | grep -cE "^tcp .* TIME_WAIT src=$3 [^ ]+ sport=[0-9]+ dport=$2 ")" = "$1" ]
}

# Phase A is over for the family: the crafted packets, the ICMP error and
# every TCP flow's last ACK went through (the held session stays open).
phase_a_done() {
	chain_counters "$IPT" FORWARD &&
		[ "$(c sf)" = 1 ] && [ "$(c nofl)" = 1 ] && [ "$(c rst)" = 1 ] &&
		[ "$(c unr)" = 1 ] && tw 2 8080 "$CL" && tw 1 7070 "$SV"
}

# holds_up: one session per family from cl to sv's echo port 9090, each
# lasting until hold_down FAM (lib.bash's hold_open, twice). Both readers
# start before either fifo is opened for writing, so that neither inherits
# the other's write end.
declare -A hold_pid hold_fd
holds_up() {
	local f fd4 fd6
	for f in 4 6; do
		fam $f
		rm -f "/tmp/hold$f"
		mkfifo "/tmp/hold$f"
		ip netns exec cl ctpkt tcphold "$SV" 9090 <"/tmp/hold$f" &
		hold_pid[$f]=$!
	done
	exec {fd4}>/tmp/hold4 {fd6}>/tmp/hold6
	hold_fd[4]=$fd4
	hold_fd[6]=$fd6
}
# hold_down FAM: end that session (FIN both ways); fails if the client did
hold_down() {
	local fd=${hold_fd[$1]}
	exec {fd}>&-
	rm -f "/tmp/hold$1"
	wait "${hold_pid[$1]}"
}
# hold_send FAM: one chunk of 64 bytes over the session, echoed back
hold_send() {
	printf '%063d\n' 0 >&"${hold_fd[$1]}"
}

# check_phase_a: the assertions on the mix, for the current family
check_phase_a() {
	local all inv t clf svf newo esto tcpc f8080 f9090 f7070 udpc u5353 u9999 asso origo
	check "$tag phase A: counters read while no packet is in flight" snap "$IPT" FORWARD
	all=$(c all)
	check "$tag oracle: one SYN+FIN" is sf 1
	check "$tag oracle: one segment without flags" is nofl 1
	check "$tag oracle: one RST in the held session" is rst 1
	check "$tag oracle: one port unreachable" is unr 1
	inv=$(($(c sf) + $(c nofl) + $(c rst)))
	t=$((all - inv))
	svf=$(($(c t7070) + $(c t7070r) + $(c u9999) + $(c unr)))
	clf=$(($(c t8080) + $(c t8080r) + $(c t9090) + $(c t9090r) + $(c u5353) + \
	       $(c u5353r) + $(c echoq) + $(c echor) - inv))
	check "$tag oracle: only the mix crossed rt ($all packets)" \
		test $((clf + svf + inv)) = "$all" -a $(($(c c2s) + $(c s2c))) = "$all"

	# --ctstate: about the packet, so "!" takes every other packet
	newo=$(($(c syn) + $(c u5353) + $(c u9999) + $(c echoq)))
	esto=$((t - newo - $(c unr)))
	check "$tag --ctstate NEW = SYNs, UDP requests, echo requests ($newo)" is st_new $newo
	check "$tag ! --ctstate NEW = the other packets" is nst_new $((all - newo))
	check "$tag --ctstate ESTABLISHED = the rest of the flows ($esto)" is st_est $esto
	check "$tag ! --ctstate ESTABLISHED" is nst_est $((all - esto))
	check "$tag --ctstate RELATED = the port unreachable" is st_rel "$(c unr)"
	check "$tag ! --ctstate RELATED" is nst_rel $((all - $(c unr)))
	check "$tag --ctstate INVALID = the three crafted segments" is st_inv $inv
	check "$tag ! --ctstate INVALID = every packet with an entry ($t)" is nst_inv $t
	check "$tag --ctstate UNTRACKED: none forwarded" is st_untr 0
	check "$tag ! --ctstate UNTRACKED = every packet" is nst_untr "$all"
	check "$tag --ctstate SNAT is accepted and never matches" is st_snat 0
	check "$tag --ctstate DNAT is accepted and never matches" is st_dnat 0
	check "$tag ! --ctstate SNAT,DNAT = every packet" is nst_nat "$all"
	check "$tag --ctstate NEW,ESTABLISHED,RELATED = packets with an entry" is st_ok $t
	check "$tag --ctstate new,established (any case)" is st_lower $((newo + esto))

	# --ctproto: a RELATED ICMP error has its UDP flow's entry
	tcpc=$(($(c tcp) - inv))
	udpc=$(($(c udp) + $(c unr)))
	check "$tag --ctproto tcp = -p tcp without the INVALID ones ($tcpc)" is pr_tcp $tcpc
	check "$tag ! --ctproto tcp" is npr_tcp $((t - tcpc))
	check "$tag --ctproto 6 = --ctproto tcp" is pr_6 $tcpc
	check "$tag --ctproto udp = -p udp and the error about a UDP flow ($udpc)" is pr_udp $udpc
	check "$tag ! --ctproto udp" is npr_udp $((t - udpc))
	check "$tag --ctproto $ICMP = echo requests and replies" is pr_icmp $(($(c icmp) - $(c unr)))
	check "$tag ! --ctproto $ICMP" is npr_icmp $((t - $(c icmp) + $(c unr)))
	check "$tag --ctproto sctp: none" is pr_sctp 0
	check "$tag ! --ctproto sctp = every packet with an entry" is npr_sctp $t

	# addresses: the flows cl opened ($clf packets) and those sv opened ($svf)
	check "$tag --ctorigsrc $CL = flows cl opened ($clf)" is os_cl $clf
	check "$tag ! --ctorigsrc $CL = flows sv opened ($svf)" is nos_cl $svf
	check "$tag --ctorigsrc $CLNET" is os_clnet $clf
	check "$tag --ctorigsrc $FULLMASK (mask as an address)" is os_full $clf
	check "$tag --ctorigsrc $ODDMASK (a mask that is no prefix)" is os_odd $t
	check "$tag --ctorigsrc $ALLNET" is os_all $t
	check "$tag ! --ctorigsrc $ALLNET" is nos_all 0
	check "$tag --ctorigsrc $NONET" is os_none 0
	check "$tag ! --ctorigsrc $NONET" is nos_none $t
	check "$tag --ctorigsrc $ANY" is os_any $t
	check "$tag ! --ctorigsrc $ANY" is nos_any 0
	check "$tag --ctorigdst $SV" is od_sv $clf
	check "$tag ! --ctorigdst $SV" is nod_sv $svf
	check "$tag --ctorigdst $CLNET" is od_clnet $svf
	check "$tag --ctreplsrc $SV" is rs_sv $clf
	check "$tag ! --ctreplsrc $SV" is nrs_sv $svf
	check "$tag --ctreplsrc $CLNET" is rs_clnet $svf
	check "$tag --ctrepldst $CLNET" is rd_clnet $clf
	check "$tag ! --ctrepldst $CLNET" is nrd_clnet $svf
	check "$tag --ctrepldst $SV" is rd_sv $svf

	# ports (with --ctproto: "!" takes that protocol's other entries)
	f8080=$(($(c t8080) + $(c t8080r) - $(c sf) - $(c nofl)))
	f9090=$(($(c t9090) + $(c t9090r) - $(c rst)))
	f7070=$(($(c t7070) + $(c t7070r)))
	u5353=$(($(c u5353) + $(c u5353r)))
	u9999=$(($(c u9999) + $(c unr)))
	check "$tag oracle: the TCP flows add up" test $((f8080 + f9090 + f7070)) = $tcpc
	check "$tag --ctorigdstport 8080 = -p tcp --dport 8080 + --sport 8080 ($f8080)" is p_od8080 $f8080
	check "$tag ! --ctorigdstport 8080" is np_od8080 $((tcpc - f8080))
	check "$tag --ctorigdstport 8000:9999" is p_odrange $((f8080 + f9090))
	check "$tag ! --ctorigdstport 8000:9999" is np_odrange $f7070
	check "$tag --ctorigdstport :8000" is p_odlow $f7070
	check "$tag --ctorigsrcport 40000:44999 (cl's clients)" is p_oscl $((f8080 + f9090))
	check "$tag ! --ctorigsrcport 40000:44999" is np_oscl $f7070
	check "$tag --ctorigsrcport 20000:24999 (sv's clients)" is p_ossv $f7070
	check "$tag --ctreplsrcport 7070" is p_rs7070 $f7070
	check "$tag ! --ctreplsrcport 7070" is np_rs7070 $((f8080 + f9090))
	check "$tag --ctrepldstport 40000:" is p_rdcl $((f8080 + f9090))
	check "$tag ! --ctrepldstport 40000:" is np_rdcl $f7070
	check "$tag --ctproto udp --ctorigdstport 5353 ($u5353)" is pu_od5353 $u5353
	check "$tag --ctproto udp ! --ctorigdstport 5353 (with the RELATED error)" is npu_od5353 $u9999
	check "$tag --ctproto udp --ctrepldstport 20000:24999" is pu_rdsv $u9999
	check "$tag --ctproto udp ! --ctrepldstport 20000:24999" is npu_rdsv $u5353
	check "$tag --ctproto udp --ctreplsrcport 9999" is pu_rs9999 $u9999
	check "$tag --ctproto udp --ctorigsrcport 40000:44999" is pu_oscl $u5353
	check "$tag --ctproto udplite --ctorigdstport 0:65535: no such entry" is pl_any 0
	check "$tag --ctproto udplite ! --ctorigdstport 0:65535: no such entry" is npl_any 0

	# --ctstatus. NONE: the first packet of each of the 9 flows, before
	# its confirm hook. ASSURED: TCP from the handshake's third packet on,
	# and the reply of a UDP flow answered after 2 s (a stream; $ua here).
	asso=$((tcpc - $(c syn) - $(c synack) + ua))
	check "$tag --ctstatus NONE = the first packet of each flow (9)" is s_none 9
	check "$tag ! --ctstatus NONE" is ns_none $((t - 9))
	check "$tag --ctstatus SEEN_REPLY = ESTABLISHED packets" is s_seen $esto
	check "$tag ! --ctstatus SEEN_REPLY" is ns_seen $((t - esto))
	check "$tag --ctstatus ASSURED = TCP after the handshake + $ua UDP stream replies ($asso)" \
		is s_ass $asso
	check "$tag ! --ctstatus ASSURED" is ns_ass $((t - asso))
	check "$tag --ctproto tcp --ctstatus ASSURED" is s_tcpass $((tcpc - $(c syn) - $(c synack)))
	check "$tag --ctstatus CONFIRMED = all but the first packets" is s_conf $((t - 9))
	check "$tag ! --ctstatus CONFIRMED = the first packets" is ns_conf 9
	check "$tag --ctstatus EXPECTED: none" is s_exp 0
	check "$tag ! --ctstatus EXPECTED" is ns_exp $t
	check "$tag --ctstatus NONE,ASSURED" is s_noneass $((9 + asso))
	check "$tag --ctstatus SEEN_REPLY,ASSURED" is s_seenass $esto

	# --ctexpire: each protocol's timeout, per packet
	# Over UDP only: its packets go one way at a time here. A TCP packet
	# of the other direction, on the other CPU, may move the entry's
	# deadline across 30 s (LAST_ACK 30 -> TIME_WAIT 120) between this
	# packet's two rules, as with xt_conntrack: then it matches both or
	# neither.
	check "$tag --ctproto udp: --ctexpire 0:30 + ! --ctexpire 0:30 = its packets" \
		test $(($(c x_30) + $(c nx_30))) = $udpc
	check "$tag --ctproto $ICMP --ctexpire 0:${ICMP}_timeout = echo packets" \
		is x_icmp $(($(c icmp) - $(c unr)))
	check "$tag --ctproto $ICMP ! --ctexpire 0:${ICMP}_timeout" is nx_icmp 0
	check "$tag --ctproto udp --ctexpire 0:udp_timeout = UDP and its error, not streams" \
		is x_udp $((udpc - ua))
	check "$tag --ctproto udp --ctexpire udp_timeout+1:udp_timeout_stream = stream replies" \
		is x_udps "$ua"
	check "$tag SYNs have tcp_timeout_syn_sent left" is x_syn "$(c syn)"
	check "$tag SYN/ACKs have tcp_timeout_syn_recv left" is x_synack "$(c synack)"
	check "$tag --ctexpire beyond tcp_timeout_established: none" is x_huge 0
	check "$tag ! --ctexpire beyond tcp_timeout_established" is nx_huge $t

	# --ctdir: a RELATED error travels in its flow's reply direction
	origo=$(($(c c2s) - inv - $(c t7070r) - $(c unr) + $(c t7070) + $(c u9999)))
	check "$tag --ctdir ORIGINAL = cl's packets of cl's flows + sv's of sv's ($origo)" \
		is d_orig $origo
	check "$tag --ctdir REPLY = the others" is d_repl $((t - origo))
	check "$tag -s $CL --ctdir ORIGINAL = cl's packets of cl's flows" \
		is d_clo $(($(c c2s) - inv - $(c t7070r) - $(c unr)))

	# INVALID packets match no option about the entry, nor its inversion.
	for k in i_pr i_npr i_do i_dr i_nos i_os i_s i_ns i_nx i_np h_sf h_nsf; do
		check "$tag INVALID packets: rule k:$k never matches" is $k 0
	done
}

check_phase_b() {
	local pure data
	check "$tag phase B: counters read while no packet is in flight" snap "$IPT" FORWARD
	pure=$(c bpure)
	data=$(($(c bdata_o) + $(c bdata_r)))
	check "$tag phase B: 3 chunks each way, $pure pure ACKs" \
		test "$(c bdata_o)" = 3 -a "$(c bdata_r)" = 3 -a $((pure + data)) = "$(c all)"
	check "$tag pure ACKs of the idle session have tcp_timeout_established left" is x_est "$pure"
	check "$tag data segments have tcp_timeout_unacknowledged left" is x_unack $data
	check "$tag ! --ctexpire (established) = the data segments" is nx_est $data
	check "$tag an established session: every packet ESTABLISHED" is st_est "$(c all)"
	check "$tag ... ASSURED" is s_ass "$(c all)"
	check "$tag ... never NONE" is s_none 0
	check "$tag ... --ctdir ORIGINAL = cl's packets" is d_orig "$(c c2s)"
	check "$tag ... --ctdir REPLY = sv's packets" is d_repl "$(c s2c)"
}

check_nd() {
	local k
	check "$tag rt got neighbour solicitations and advertisements" \
		wait_for 10 bash -c "ip netns exec rt $IPT -L INPUT -v -x -n |
			awk '/k:n[sa] / && \$1 > 0 { n++ } END { exit n != 2 }'"
	check "$tag ND: counters read while no packet is in flight" snap "$IPT" INPUT
	check "$tag ND: solicitations are UNTRACKED ($(c ns))" is ns_untr "$(c ns)"
	check "$tag ND: advertisements are UNTRACKED ($(c na))" is na_untr "$(c na)"
	check "$tag ND: ! --ctstate NEW takes them (about the packet)" is ns_nnew "$(c ns)"
	for k in ns_pr ns_npr ns_do ns_dr ns_s ns_ns ns_os ns_nos ns_x ns_nx; do
		check "$tag UNTRACKED packets: rule k:$k never matches" is $k 0
	done
}

# bad OPTIONS... MESSAGE: the rule is refused with the plugin's one-line
# error (after iptables' "iptables vX (nf_tables): " prefix), exit 2
bad() {
	local msg=${*: -1} out rc
	out=$(ip netns exec rt "iptables-$v" -A FORWARD -m ctrack "${@:1:$#-1}" 2>&1)
	rc=$?
	printf '%s\n' "$out" >/tmp/bad.out
	[ $rc = 2 ] || { echo "  exit $rc: $out"; return 1; }
	if ! head -1 /tmp/bad.out | grep -qE "^iptables v[^:]+: ctrack: $msg\$" ||
	   [ "$(grep -c 'ctrack' /tmp/bad.out)" != 1 ]; then
		echo "  got: $out"
		return 1
	fi
}

ctrack_load
topo_up
ip netns exec cl sysctl -qw net.ipv4.ip_local_port_range="40000 44999"
ip netns exec sv sysctl -qw net.ipv4.ip_local_port_range="20000 24999"
servers_up
tcp_server cl 7070
wait_for 5 listening cl 7070

for v in nft legacy; do
	ip netns exec rt ctrack -F >/dev/null 2>&1
	for f in 4 6; do
		fam $f
		check "$tag the counting rules load" fwd_rules
	done

	# Phase A. Neighbour caches flushed: ND runs again, at rt's INPUT.
	ip -n cl -6 neigh flush dev veth0
	ip -n rt -6 neigh flush dev veth0
	ip -n rt -6 neigh flush dev veth1
	holds_up
	for f in 4 6; do
		fam $f
		check "$tag a held session" wait_for 10 ctgrep rt \
			"ESTABLISHED src=$CL dst=$SV sport=[0-9]+ dport=9090 .*ASSURED"
	done
	for f in 4 6; do
		fam $f
		for i in 1 2; do
			check "$tag TCP request $i" ip netns exec cl ctpkt tcpreq $SV 8080
			check "$tag UDP request $i" ip netns exec cl ctpkt udpreq $SV 5353
			check "$tag ping $i" ip netns exec cl $PING -c 1 -W 30 $SV >/dev/null
		done
		# A reply later than 2 s makes a UDP flow a stream (ASSURED,
		# the long timeout): count them, the debug kernel is slow.
		eval "ua$f=$(ctlist rt | grep -cE "^udp .* src=$CL dst=$SV sport=[0-9]+ dport=5353 .*ASSURED")"
		check "$tag TCP request from sv" ip netns exec sv ctpkt tcpreq $CL 7070
		ip netns exec sv timeout 40 ctpkt udpreq $CL 9999
		check "$tag UDP to cl's closed port is refused" test $? = 1
		ip netns exec cl ctpkt tcp $CL $SV 4444 8080 SF
		ip netns exec cl ctpkt tcp $CL $SV 4445 8080 none
		sp=$(ctlist rt | grep -E "^tcp .* src=$CL dst=$SV sport=[0-9]+ dport=9090 " |
		     grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
		ip netns exec cl ctpkt tcp $CL $SV "$sp" 9090 R 123456789
	done
	for f in 4 6; do
		fam $f
		eval "ua=\$ua$f"
		check "$tag phase A is over" wait_for 10 phase_a_done
		check_phase_a
	done
	fam 6
	check_nd

	# Phase B: the held sessions only.
	for f in 4 6; do
		fam $f
		ip netns exec rt "$IPT" -Z FORWARD
	done
	for i in 1 2 3; do
		hold_send 4
		hold_send 6
	done
	for f in 4 6; do
		fam $f
		check "$tag phase B is over" wait_for 10 bash -c \
			"ip netns exec rt $IPT -L FORWARD -v -x -n |
			 awk '/k:bdata_[or] / && \$1 == 3 { n++ } END { exit n != 2 }'"
		check_phase_b
	done
	for f in 4 6; do
		fam $f
		check "$tag the held session closes cleanly" hold_down $f
	done

	# The raw table runs before ctrack classifies: refused. mangle is fine.
	for ipt in iptables ip6tables; do
		check "[$v] $ipt: the raw table refuses the match" bash -c \
			"! ip netns exec rt $ipt-$v -t raw -A PREROUTING -m ctrack --ctstate NEW 2>/dev/null &&
			 ! ip netns exec rt $ipt-$v -t raw -S PREROUTING 2>/dev/null | grep -q ctrack"
		check "[$v] $ipt: the mangle table takes it" \
			ip netns exec rt $ipt-$v -t mangle -A PREROUTING -m ctrack --ctstate NEW
		ip netns exec rt $ipt-$v -t mangle -F PREROUTING
	done

	# Bad values: the plugin's one-line error, exit 2, no rule added.
	n=$(ip netns exec rt iptables-$v -S FORWARD | wc -l)
	check "[$v] bad --ctstate" bad --ctstate BOGUS 'unknown state "BOGUS"'
	check "[$v] bad --ctstatus" bad --ctstatus NONE,BOGUS 'unknown status "BOGUS"'
	check "[$v] bad --ctdir" bad --ctdir SIDEWAYS 'unknown direction "SIDEWAYS" \(ORIGINAL or REPLY\)'
	check "[$v] --ctdir cannot be inverted" bad ! --ctdir REPLY '.*cannot be inverted.*'
	check "[$v] backwards --ctexpire" bad --ctexpire 5:3 '--ctexpire range 5:3 is backwards'
	check "[$v] a port above 65535" bad --ctproto tcp --ctorigdstport 70000 \
		'port "70000" of --ctorigdstport is out of range \(0-65535\)'
	check "[$v] a backwards port range" bad --ctproto udp --ctreplsrcport 9:3 \
		'port range 9:3 of --ctreplsrcport is backwards'
	check "[$v] a port option without --ctproto" bad --ctrepldstport 80 \
		'port options need --ctproto tcp, udp or udplite \(not inverted\)'
	check "[$v] a port option with --ctproto icmp" bad --ctproto icmp --ctorigsrcport 80 \
		'port options need --ctproto tcp, udp or udplite \(not inverted\)'
	check "[$v] --ctproto all" bad --ctproto all '--ctproto needs a protocol other than 0.*'
	check "[$v] a prefix longer than 32" bad --ctorigsrc 10.0.0.0/33 \
		'bad mask "33" for --ctorigsrc \(a prefix length 0-32 or a mask\)'
	check "[$v] no option" bad 'at least one option is required'
	check "[$v] ... and none of them was added" \
		test "$(ip netns exec rt iptables-$v -S FORWARD | wc -l)" = "$n"

	for f in 4 6; do
		fam $f
		ip netns exec rt "$IPT" -F FORWARD
		ip netns exec rt "$IPT" -F INPUT
	done
done
check "no verdict lost (the hooks and the match found every verdict)" test \
	"$(ctstat rt verdict_miss)" = 0 -a "$(ctstat cl verdict_miss)" = 0 -a \
	"$(ctstat sv verdict_miss)" = 0
finish
