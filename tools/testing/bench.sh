#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: ctrack against nf_conntrack and against no tracking, each
# figure a ratio measured in the same VM boot. Boots Debian's
# 6.1 kernel with 2 vCPUs, then with 4, runs tools/testing/bench/bench-vm.sh
# in each, and prints the table that bench/report.py makes of both runs;
# the figures go to build/bench.json, the console logs to
# /tmp/ctrack-bench-N.log.
#
#   make bench [REPS=5] [BENCH_CPUS="2 4"]
#   BENCH_SCALE="1000 100000 200000 1000000" BENCH_DUMP="200000 1000000"
#   BENCH_EST_PACKETS=500000 BENCH_NEW_PACKETS=200000 BENCH_BUCKETS=1048576
#   BENCH_THREADS (pktgen threads; one a vCPU)
#   BENCH_TESTS: a subset of "established new evict scale events"
#   BENCH_KINDS: the established flows' kinds, a subset of "udp udp6 tcp"
#   BENCH_ICOUNT=1: guest time counts instructions (run-vm.sh --icount), so
#   "ns" are instructions and repeat from run to run (one TCG thread)
#   BENCH_FLOWS (established flow counts), BENCH_CONFIGS (of "none nfct ctrack")
#   BENCH_TRACE=1 (implies BENCH_ICOUNT): instructions a packet function by
#   function in the modules (run-vm.sh --trace, bench/trace.py); for a few
#   thousand packets, e.g. BENCH_CONFIGS=ctrack BENCH_TESTS=established
#   BENCH_FLOWS=1 BENCH_EST_PACKETS=1000 BENCH_BUCKETS=1024
#   (passed to the VM)
set -e -o pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
reps=${1:-5}
cpus_list=${2:-2 4}
work=$(mktemp -d /tmp/ctrack-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

die() { echo "bench: $*" >&2; exit 2; }
[[ $reps =~ ^[1-9][0-9]?$ ]] || die "REPS is 1 to 99, not $reps"

[ "$(id -u)" = 0 ] && bash "$top/tools/testing/setup.sh"
rel=$(cd /lib/modules && ls -d 6.1.* 2>/dev/null | sort -V | tail -n1)
[ -n "$rel" ] || die "no 6.1 kernel installed"
bash "$top/tools/testing/build-module.sh" "/lib/modules/$rel/build" "$work/mod" >&2
make -s -C "$top" tools >&2
gcc -O2 -Wall -Wextra -Werror -static -o "$work/runstat" "$top/tools/testing/bench/runstat.c"

mkdir -p "$work/tests" "$top/build"
cp "$top/tools/testing/tests/lib.bash" "$top/tools/testing/bench/bench-vm.sh" "$work/tests/"
chmod +x "$work/tests/bench-vm.sh"
envs=(--env "BENCH_REPS=$reps")
for v in BENCH_SCALE BENCH_DUMP BENCH_EST_PACKETS BENCH_NEW_PACKETS BENCH_BUCKETS BENCH_THREADS \
	 BENCH_TESTS BENCH_KINDS BENCH_FLOWS BENCH_CONFIGS BENCH_PROFILE BENCH_PROFILE_FLOWS; do
	[ -n "${!v}" ] && envs+=(--env "$v=${!v}")
done

perf=()
icount=()
[ "$BENCH_ICOUNT" = 1 ] && icount=(--icount)
if [ "$BENCH_TRACE" = 1 ]; then
	icount=(--icount --trace "$work/trace.log")
	envs+=(--env BENCH_SYMS=1)
fi
if [ -n "$BENCH_PROFILE" ]; then
	perf=(--bin "$(command -v perf)")
fi
logs=()
for cpus in $cpus_list; do
	[[ $cpus =~ ^[1-8]$ ]] || die "CPUS are 1 to 8, not $cpus"
	log=/tmp/ctrack-bench-$cpus.log
	echo "bench: 6.1 ($rel), $cpus vCPUs, $reps repetitions; console in $log" >&2
	bash "$top/tools/testing/qemu/run-vm.sh" --kernel "/boot/vmlinuz-$rel" \
		--modules-from "/lib/modules/$rel" --extra-ko "$work/mod/ctrack.ko" \
		--bin "$top/tools/ctrack/ctrack" --bin "$top/tools/xtables/libxt_ctrack.so" \
		--bin "$top/tools/testing/ctpkt" --bin "$work/runstat" --bin "$(command -v conntrack)" "${perf[@]}" \
		--tests "$work/tests" --cpus "$cpus" --mem 3072 "${envs[@]}" \
		--append slab_nomerge "${icount[@]}" \
		--timeout 14400 --test-timeout 14000 --log "$log" >"$work/out" || {
		cat "$work/out"
		die "the $cpus-vCPU run failed"
	}
	if [ -n "$BENCH_PROFILE" ]; then
		grep -q '^PASS: profile ran' "$work/out" || { cat "$work/out"; die "no profile in $log"; }
		grep -a 'PROFILE' "$log" | sed 's/^.*PROFILE /PROFILE /'
		continue
	fi
	grep -q '^PASS: benchmark ran' "$work/out" || { cat "$work/out"; die "no benchmark in $log"; }
	if [ "$BENCH_TRACE" = 1 ]; then
		python3 "$top/tools/testing/bench/trace.py" "$work/trace.log" "$log"
		exit 0
	fi
	logs+=("$log")
done
[ -n "$BENCH_PROFILE" ] && exit 0
# The results name what measured them: commit, guest kernel, qemu, host.
BENCH_ENV_COMMIT=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown) \
BENCH_ENV_KERNEL="$rel" \
BENCH_ENV_QEMU=$(qemu-system-x86_64 --version | head -n1) \
BENCH_ENV_HOST="$(nproc) CPUs, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")" \
BENCH_ENV_ICOUNT=${BENCH_ICOUNT:-0} \
	python3 "$top/tools/testing/bench/report.py" "$top/build/bench.json" "${logs[@]}"
echo "bench: figures in build/bench.json" >&2
