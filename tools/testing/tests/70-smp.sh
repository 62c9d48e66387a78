#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Verdict handoff under concurrency: many flows at once on every CPU.
# Every new flow is confirmed exactly once (insert == flows), no verdict
# is lost between hooks, and the router lists each flow once.
. ./lib.bash
plan 4
trap topo_down EXIT

ctrack_load
topo_up
tcp_server sv 8080
wait_for 5 listening sv 8080
ins0=$(ctstat rt insert)
n=100
for i in $(seq "$NR_CPUS"); do
	ip netns exec cl ctpkt tcpmany 10.0.2.1 8080 $n >/dev/null &
done
wait_for 30 bash -c "test \$(ip netns exec rt cat /proc/net/ctrack | grep -c 'dport=8080') -ge $((n * NR_CPUS))"
flows=$(ctlist rt | grep -c 'dport=8080')
uniq=$(ctlist rt | grep 'dport=8080' | grep -o 'sport=[0-9]* dport=8080' | sort -u | wc -l)
check "all $((n * NR_CPUS)) concurrent flows tracked ($flows)" test "$flows" = $((n * NR_CPUS))
check "each flow listed once ($uniq unique)" test "$uniq" = "$flows"
check "each flow confirmed once (insert delta $(( $(ctstat rt insert) - ins0 )))" \
	test $(( $(ctstat rt insert) - ins0 )) = "$flows"
check "no verdict lost in router, client or server" bash -c \
	"test \$(ctstat rt verdict_miss) = 0 && test \$(ctstat cl verdict_miss) = 0 && test \$(ctstat sv verdict_miss) = 0"
finish
