#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of ctrack's test VM (installed as /init by run-vm.sh).
#
#   /dev/ttyS0  console: kernel log, test output, diagnostics
#   /dev/ttyS1  results: PASS/FAIL/SKIP lines, then CTRACK-VM-DONE
#
# Runs every executable /tests/*.sh in lexical order, then checks kmemleak (debug
# kernel) and dmesg for splats, then powers off. run-vm.sh treats a
# results channel without CTRACK-VM-DONE as a crash, hang or timeout.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -d /sys/fs/cgroup ] && mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mkdir -p /run/netns /var/run /var/lock

exec </dev/null >/dev/ttyS0 2>&1

echo 1 >/proc/sys/kernel/panic_on_warn
ip link set lo up
hostname ctrack-vm

# Settings written by run-vm.sh.
KERNEL_FLAVOR=stock
TEST_TIMEOUT=300
# shellcheck disable=SC1091
[ -f /etc/ctrack-vm.conf ] && . /etc/ctrack-vm.conf
NR_CPUS=$(grep -c '^processor' /proc/cpuinfo)
export CTRACK_DIR=/lib/ctrack KERNEL_FLAVOR NR_CPUS

results=/dev/ttyS1
# The results port is a tty: no echo, no CR/LF translation.
stty -F "$results" raw -echo 2>/dev/null

result() {
	echo "$*"
	echo "$*" >"$results"
}

splat_re='BUG:|WARNING:|KASAN:|UBSAN:|general protection|Oops|kernel BUG|possible recursive locking|possible circular locking|suspicious RCU usage|inconsistent lock state|INFO: task .* blocked|unreferenced object|Call Trace'

echo "ctrack-vm: kernel $(uname -r), flavor $KERNEL_FLAVOR, $NR_CPUS cpu(s), $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"

if [ "$KERNEL_FLAVOR" = debug ] && [ -w /sys/kernel/debug/kmemleak ]; then
	# Forget whatever boot left behind; only leaks made by the tests count.
	echo clear >/sys/kernel/debug/kmemleak
fi

# Copy a test's output to the console as it comes, and its result lines to
# the results port, so that results made before a crash are not lost.
forward() {
	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		echo "$line"
		case "$line" in
		"PASS: "*|"FAIL: "*|"SKIP: "*)
			echo "$line" >"$results"
			echo "$line" >>"$1"
			;;
		"PLAN: "*)
			echo "${line#PLAN: }" >"$1.plan"
			;;
		esac
	done
}

run_test() {
	local t=$1 name res fifo rc start end tpid fpid mm ran
	name=${t##*/}
	res=/tmp/res.$name
	fifo=/tmp/fifo.$name
	echo "=== $name"
	: >"$res"
	rm -f "$res.plan"
	mkfifo "$fifo"
	forward "$res" <"$fifo" &
	fpid=$!
	start=$(date +%s)
	# Own session, so that whatever the test leaves behind can be killed.
	(cd /tests && exec timeout -s TERM "$TEST_TIMEOUT" setsid bash "$t") >"$fifo" 2>&1 &
	tpid=$!
	wait "$tpid"
	rc=$?
	end=$(date +%s)
	kill -KILL -- "-$tpid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$fpid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
	rm -f "$fifo"
	# Each test declares how many checks it runs at least (plan).
	ran=$(grep -c . "$res")
	if [ ! -s "$res.plan" ]; then
		result "FAIL: $name: declares no plan (lib.bash: plan N)"
	elif [ "$ran" -lt "$(cat "$res.plan")" ] && ! grep -q '^SKIP: ' "$res"; then
		result "FAIL: $name: ran $ran of the $(cat "$res.plan") checks it plans"
	fi
	if [ "$rc" -ne 0 ]; then
		if { [ "$rc" -eq 124 ] || [ "$rc" -eq 143 ] || [ "$rc" -eq 137 ]; } &&
		   [ $((end - start)) -ge "$TEST_TIMEOUT" ]; then
			result "FAIL: $name: timed out after ${TEST_TIMEOUT}s"
		elif ! grep -q '^FAIL: ' "$res"; then
			result "FAIL: $name: exited $rc"
		fi
	fi
	# A later hook that found another packet's slot for its skb
	# (kmod/verdict.c refuses it): the handoff's design broke.
	mm=$(cat /sys/module/ctrack/parameters/verdict_mismatch 2>/dev/null)
	if [ -n "$mm" ] && [ "$mm" != 0 ]; then
		result "FAIL: $name: verdict_mismatch is $mm (slots of another packet found)"
	fi
	echo "=== $name: exit $rc, $((end - start))s"
}

# Every *.sh is a test (helpers are lib.bash): one without its run bit
# is a mistake to report, not a test to pass over.
for t in /tests/*.sh; do
	[ -f "$t" ] || continue
	if [ ! -x "$t" ]; then
		result "FAIL: ${t##*/}: not executable (chmod +x), not run"
		continue
	fi
	run_test "$t"
done

if [ "$KERNEL_FLAVOR" = debug ]; then
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo "=== kmemleak scan"
		# Objects younger than 5 s are never reported, and an object
		# is reported only once two scans agree on it. A scan that the
		# kernel refuses (kmemleak disabled itself, e.g. out of its
		# pool) makes the write fail: then nothing was checked.
		sleep 6
		scans=0
		echo scan >/sys/kernel/debug/kmemleak && scans=$((scans + 1))
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak && scans=$((scans + 1))
		cat /sys/kernel/debug/kmemleak >/tmp/kmemleak 2>/dev/null
		if [ "$scans" != 2 ]; then
			result "FAIL: kmemleak: $((2 - scans)) of 2 scans refused ($(dmesg | grep -m1 -i 'kmemleak' | sed 's/^\[[^]]*\] //'))"
		elif [ -s /tmp/kmemleak ]; then
			n=$(grep -c 'unreferenced object' /tmp/kmemleak)
			head -n 40 /tmp/kmemleak
			result "FAIL: kmemleak: $n unreferenced object(s): $(grep -m1 'unreferenced object' /tmp/kmemleak)"
		else
			result "PASS: kmemleak clean (2 scans)"
		fi
	else
		# The debug kernel is built with kmemleak: its absence means the
		# leak check this run promises did not happen.
		result "FAIL: kmemleak: /sys/kernel/debug/kmemleak not available on the debug kernel"
	fi
fi

dmesg -s 4194304 >/tmp/dmesg 2>/dev/null || dmesg >/tmp/dmesg
if grep -aE "$splat_re" /tmp/dmesg >/tmp/splat; then
	echo "=== kernel splat:"
	head -n 60 /tmp/splat
	result "FAIL: no kernel splat ($(grep -c . /tmp/splat) line(s), first: $(head -n1 /tmp/splat | sed 's/^\[[^]]*\] //'))"
else
	result "PASS: no kernel splat"
fi

echo CTRACK-VM-DONE >"$results"
sync
poweroff -f
