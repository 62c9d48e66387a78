#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Body of "make check": run ctrack's VM tests on every kernel we target.
#
#   [6.1]    Debian's 6.1 kernel   + its modules, KO_61,  tools/testing/tests
#   [6.12]   Debian's 6.12 kernel  + its modules, KO_612, the smoke set of
#            tools/testing/tests (SMOKE below)
#   [debug]  DEBUG_KERNEL (KASAN, lockdep, kmemleak, KUnit) + KO_DEBUG,
#            KUNIT_KO_DEBUG, the KUnit stage and tools/testing/tests
#            but DEBUG_SKIP
#
# Environment: KO_61, KO_612, KO_DEBUG, KUNIT_KO_DEBUG (module files),
# DEBUG_KERNEL (bzImage). An empty KO_612 or DEBUG_KERNEL skips that run.
# CTRACK_DEBUG_BUILD, CTRACK_DEBUG_BUILD_PID (make-check.sh): the file a
# background build of the debug kernel writes when it ends, and its
# process group; before the debug VM, check.sh waits for it and takes the
# three debug variables from it.
# INSTALL_CHECK_OUT: run install-check.sh (the README's install paths, on
# this host) first, into that directory, where it leaves the DKMS-built
# modules that KO_61 and KO_612 then name. CTRACK_W1_BUILDS: "6.1:ok
# 6.12:" (make-check.sh's W=1 compile checks; empty after ":" = failed).
# Optional: CTPKT (prebuilt tools/testing/ctpkt), CTRACK_TESTS_DIR (instead of tools/testing/tests), CTRACK_VM_CPUS (default 2), CTRACK_VM_TIMEOUT (1500),
# CTRACK_VM_DEBUG_TIMEOUT (2700).
#
# Prints every result line prefixed with its run, then one line
# "N passed, N failed, N skipped"; exits non-zero if anything failed.

top=$(cd "$(dirname "$0")/../.." && pwd)
qemu_dir=$top/tools/testing/qemu
tests_dir=${CTRACK_TESTS_DIR:-$top/tools/testing/tests}
cpus=${CTRACK_VM_CPUS:-2}
all=$(mktemp /tmp/ctrack-check.XXXXXX)
# A debug kernel build that make check started beside this script (its
# own process group) ends with it, finished or not.
cleanup() {
	rm -rf "$all" "$all".*
	[ -n "${CTRACK_DEBUG_BUILD_PID:-}" ] && kill -TERM -- "-$CTRACK_DEBUG_BUILD_PID" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Absolute path of a file given relative to the caller's directory.
abspath() {
	case "$1" in
	/*) echo "$1" ;;
	*) echo "$PWD/$1" ;;
	esac
}

add() {
	echo "$1" | tee -a "$all"
}

# Minutes each stage took, printed before the results (the CI budget in
# README.md is written from these).
stage_start=$SECONDS
stage_done() {
	printf '%-28s %5.1f min\n' "$1" "$(echo "($SECONDS - $stage_start) / 60" | bc -l)" >>"$all.times"
	stage_start=$SECONDS
}

# run NAME run-vm.sh-arguments...
run() {
	local name=$1 rc=0
	shift
	echo "=== [$name] run-vm.sh $*" >&2
	bash "$qemu_dir/run-vm.sh" --cpus "$cpus" --log "/tmp/ctrack-check-$name.log" "$@" >"$all.run" || rc=$?
	sed -E "s/^(PASS|FAIL|SKIP): /\1: [$name] /" "$all.run" | tee -a "$all"
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL: ' "$all.run"; then
		add "FAIL: [$name] run-vm.sh exited $rc"
	fi
}

test_args=()
if [ -d "$tests_dir" ] && ls "$tests_dir"/*.sh >/dev/null 2>&1; then
	# The corpus directory joins the tests in /tests (55-malformed.sh).
	test_args=(--tests "$tests_dir" --tests "$top/tools/testing/corpus")
else
	add "FAIL: [all] no test scripts in $tests_dir"
fi

# The tests' packet tool: $CTPKT if given, else built from ctpkt.c here.
ctpkt=${CTPKT:-}
if [ -z "$ctpkt" ] && [ -f "$top/tools/testing/ctpkt.c" ]; then
	mkdir -p "$all.d"
	ctpkt=$all.d/ctpkt
	if ! ${CC:-cc} -O2 -Wall -o "$ctpkt" "$top/tools/testing/ctpkt.c"; then
		add "FAIL: [all] building tools/testing/ctpkt.c"
		ctpkt=
	fi
fi
[ -n "$ctpkt" ] && test_args+=(--bin "$(abspath "$ctpkt")")

# The ctrack command, built here unless $CTRACK_CLI names one.
cli=${CTRACK_CLI:-}
if [ -z "$cli" ]; then
	mkdir -p "$all.d"
	cli=$all.d/ctrack
	if ! ${CC:-cc} -O2 -Wall -Wextra -Werror -I"$top/include/uapi" \
		-DCTRACK_TOOLS_VERSION="\"$(cat "$top/VERSION")\"" -o "$cli" \
		"$top/tools/ctrack/ctrack.c" -lmnl; then
		add "FAIL: [all] building tools/ctrack/ctrack.c"
		cli=
	fi
fi
[ -n "$cli" ] && test_args+=(--bin "$(abspath "$cli")")

# conntrack(8), nf_conntrack's own tool, for the tests that hold ctrack's
# events against nf_conntrack's.
if command -v conntrack >/dev/null; then
	test_args+=(--bin "$(command -v conntrack)")
else
	add "FAIL: [all] conntrack(8) is not installed (conntrack-tools)"
fi

# The netlink test tools (ctnl: raw requests for the negative tests;
# ctbulk: fills the table fast), built here.
mkdir -p "$all.d"
for tool in ctnl ctbulk ctfuzz; do
	if ${CC:-cc} -O2 -Wall -Wextra -Werror -I"$top/include/uapi" -o "$all.d/$tool" \
		"$top/tools/testing/$tool.c" -lmnl; then
		test_args+=(--bin "$all.d/$tool")
	else
		add "FAIL: [all] building tools/testing/$tool.c"
	fi
done

# The iptables plugin of the match, for the VMs (XTABLES_LIBDIR there),
# and its parse test on the host (kernel-free: iptables-translate etc.).
# shellcheck disable=SC2046
if ${CC:-cc} -O2 -Wall -Wextra -Werror -shared -fPIC $(pkg-config --cflags xtables) \
	-I"$top/include/uapi" -o "$all.d/libxt_ctrack.so" "$top/tools/xtables/libxt_ctrack.c" \
	$(pkg-config --libs xtables); then
	test_args+=(--bin "$all.d/libxt_ctrack.so")
else
	add "FAIL: [all] building tools/xtables/libxt_ctrack.c"
fi
# Its exit status counts too: a script that dies before its first FAIL
# line must not pass for one that ran.
prc=0
bash "$top/tools/xtables/parse-test.sh" >"$all.parse" 2>&1 || prc=$?
grep -E '^(PASS|FAIL|SKIP): ' "$all.parse" |
	sed -E 's/^(PASS|FAIL|SKIP): /\1: [host] /' | while read -r line; do add "$line"; done
if [ "$prc" -ne 0 ] && ! grep -q '^FAIL: ' "$all.parse"; then
	add "FAIL: [host] tools/xtables/parse-test.sh exited $prc: $(tail -n1 "$all.parse")"
fi

# Checks on the host: the netlink spec agrees with the uAPI header, and
# ctrack --help with ctrack.8.
host_check() {
	local name=$1
	shift
	if "$@" >"$all.host" 2>&1; then
		add "PASS: [host] $name"
	else
		add "FAIL: [host] $name: $(tr '\n' ' ' <"$all.host")"
	fi
}
host_check "Documentation/netlink/specs/ctrack.yaml agrees with the uAPI header" \
	/usr/bin/python3 "$top/Documentation/netlink/check-spec.py"
if [ -n "$cli" ]; then
	host_check "ctrack --help and ctrack.8 list the same options" \
		bash "$top/tools/testing/man-check.sh" "$cli" "$top/tools/ctrack/ctrack.8"
fi

for b in ${CTRACK_W1_BUILDS:-}; do
	if [ "${b#*:}" = ok ]; then
		add "PASS: [host] ctrack builds with W=1 and no warning for ${b%%:*}"
	else
		add "FAIL: [host] ctrack does not build cleanly with W=1 for ${b%%:*} (see make-check's output)"
	fi
done

# The README's install paths; they leave the modules DKMS built for the
# stock VMs below.
if [ -n "${INSTALL_CHECK_OUT:-}" ]; then
	echo "=== [install] install-check.sh $INSTALL_CHECK_OUT" >&2
	bash "$top/tools/testing/install-check.sh" "$INSTALL_CHECK_OUT" 2>&1 |
		grep -E '^(PASS|FAIL|SKIP): ' | sed -E 's/^(PASS|FAIL|SKIP): /\1: [install] /' |
		while read -r line; do add "$line"; done
fi
stage_done "host checks, install paths"

# Newest installed kernel matching a glob, e.g. /boot/vmlinuz-6.1.0-*-amd64.
find_kernel() {
	local k
	for k in $1; do
		[ -f "$k" ] && echo "$k"
	done | sort -V | tail -n1
}

# The smoke set: what the second stock kernel runs, within make check's
# time budget (README, "Time budget"): load, traffic, loopback, the
# nf_conntrack comparisons (listing, REJECT's answers, the malformed
# corpus) and checks of each other area (tenants, netlink, the match).
# 6.1 and the debug kernel run every test.
SMOKE="10-load.sh 20-traffic.sh 30-loopback.sh 40-nfct-compare.sh 44-reject.sh
	55-malformed.sh 57-tenants.sh 70-smp.sh 80-netlink.sh 90-xt-firewall.sh"
smoke_args() {
	local d=$all.smoke t
	mkdir -p "$d"
	cp "$tests_dir/lib.bash" "$d/"
	for t in $SMOKE; do
		cp -p "$tests_dir/$t" "$d/" || add "FAIL: [all] smoke test $t missing"
	done
	echo "$d"
}

# The debug kernel runs every test but these: the xtables option matrix
# and the -m conntrack/-m ctrack matrix run whole on 6.1; the match's
# kernel code runs under KASAN and lockdep in 90-xt-firewall.sh. (They
# took 6 of the debug VM's 35 minutes.) The UDP/ICMP timeout oracle
# mostly waits for timeouts; its code paths run in every traffic test.
# The flood oracle compares events, and the debug kernel has no
# nf_conntrack events; 51-flood-campaign.sh floods ctrack there.
DEBUG_SKIP="43-udp-icmp-oracle.sh 52-flood-oracle.sh 91-xt-options.sh 92-xt-vs-conntrack.sh"
debug_tests() {
	local d=$all.debug t
	mkdir -p "$d"
	cp -p "$tests_dir"/*.sh "$tests_dir/lib.bash" "$d/"
	for t in $DEBUG_SKIP; do
		rm -f "$d/$t"
	done
	echo "$d"
}

# stock NAME KERNEL-GLOB KO [smoke]
stock() {
	local name=$1 kernel ko=$3 rel args=("${test_args[@]}")
	if [ "${4:-}" = smoke ] && [ ${#test_args[@]} -gt 0 ]; then
		args=(--tests "$(smoke_args)" --tests "$top/tools/testing/corpus" "${test_args[@]:4}")
	fi
	kernel=$(find_kernel "$2")
	if [ -z "$kernel" ]; then
		add "SKIP: [$name] no kernel $2 installed"
		return
	fi
	rel=${kernel#/boot/vmlinuz-}
	if [ ! -d "/lib/modules/$rel" ]; then
		add "FAIL: [$name] no /lib/modules/$rel for $kernel"
		return
	fi
	run "$name" --kernel "$kernel" --modules-from "/lib/modules/$rel" \
		--extra-ko "$(abspath "$ko")" --timeout "${CTRACK_VM_TIMEOUT:-1500}" --test-timeout 450 \
		"${args[@]}"
	stage_done "VM $name${4:+ ($4)}"
}

if [ -z "$KO_61" ] || [ ! -f "$KO_61" ]; then
	add "FAIL: [6.1] no ctrack.ko for 6.1 (KO_61='$KO_61'; install-check.sh makes it)"
else
	stock 6.1 '/boot/vmlinuz-6.1.0-*-amd64' "$KO_61"
fi

if [ -z "$KO_612" ]; then
	add "SKIP: [6.12] ctrack.ko for 6.12 not built (KO_612 empty)"
elif [ ! -f "$KO_612" ]; then
	add "FAIL: [6.12] ctrack.ko for 6.12 missing ($KO_612)"
else
	stock 6.12 '/boot/vmlinuz-6.12*' "$KO_612" smoke
fi

# make check builds the debug kernel beside the stages above; wait for it.
if [ -n "${CTRACK_DEBUG_BUILD:-}" ]; then
	echo "check: waiting for the debug kernel build" >&2
	while [ ! -f "$CTRACK_DEBUG_BUILD" ] && kill -0 "${CTRACK_DEBUG_BUILD_PID:-0}" 2>/dev/null; do
		sleep 5
	done
	dk='' bdbg='' build_minutes='?'
	if [ -f "$CTRACK_DEBUG_BUILD" ]; then
		# shellcheck disable=SC1090
		. "$CTRACK_DEBUG_BUILD"
	else
		add "FAIL: [debug] the debug kernel build ended without a result (its log: ${CTRACK_CACHE:-/var/cache/ctrack}/debug-kernel-*/build.log)"
	fi
	rm -rf "$(dirname "$CTRACK_DEBUG_BUILD")"
	CTRACK_DEBUG_BUILD_PID=	# ended: nothing for cleanup to stop
	DEBUG_KERNEL=${dk:+$dk/arch/x86/boot/bzImage}
	[ -n "$DEBUG_KERNEL" ] || DEBUG_KERNEL=${CTRACK_CACHE:-/var/cache/ctrack}/debug-kernel.missing
	KO_DEBUG=${bdbg:+$bdbg/ctrack.ko}
	KUNIT_KO_DEBUG=${bdbg:+$bdbg/ctrack_kunit.ko}
	stage_done "wait for the debug kernel"
	printf '%-28s %5s min\n' "(its build, beside them)" "$build_minutes" >>"$all.times"
fi

if [ -z "$DEBUG_KERNEL" ]; then
	add "SKIP: [debug] no debug kernel (DEBUG_KERNEL empty)"
elif [ ! -f "$DEBUG_KERNEL" ]; then
	add "FAIL: [debug] debug kernel $DEBUG_KERNEL missing"
else
	args=(--debug --kernel "$(abspath "$DEBUG_KERNEL")"
	      --timeout "${CTRACK_VM_DEBUG_TIMEOUT:-2700}" --test-timeout 900
	      --tests "$qemu_dir/kunit-stage" "${test_args[@]}")
	[ ${#test_args[@]} -gt 0 ] &&
		args=(--debug --kernel "$(abspath "$DEBUG_KERNEL")"
		      --timeout "${CTRACK_VM_DEBUG_TIMEOUT:-2700}" --test-timeout 900
		      --tests "$qemu_dir/kunit-stage" --tests "$(debug_tests)"
		      --tests "$top/tools/testing/corpus" "${test_args[@]:4}")
	# The build tree's own modules (pktgen), when bzImage sits in one.
	kdir=$(cd "$(dirname "$DEBUG_KERNEL")/../../.." && pwd)
	[ -f "$kdir/modules.order" ] && [ -f "$kdir/include/config/kernel.release" ] &&
		args+=(--modules-from "$kdir")
	if [ -n "$KO_DEBUG" ] && [ -f "$KO_DEBUG" ]; then
		args+=(--extra-ko "$(abspath "$KO_DEBUG")")
	else
		add "FAIL: [debug] ctrack.ko for the debug kernel not built (KO_DEBUG='$KO_DEBUG')"
	fi
	# Without it the KUnit stage reports "kunit: module missing".
	[ -n "$KUNIT_KO_DEBUG" ] && [ -f "$KUNIT_KO_DEBUG" ] &&
		args+=(--extra-ko "$(abspath "$KUNIT_KO_DEBUG")")
	run debug "${args[@]}"
	stage_done "VM debug"
fi

echo
echo "=== minutes"
[ -n "${CTRACK_MAKE_TIMES:-}" ] && [ -f "$CTRACK_MAKE_TIMES" ] && cat "$CTRACK_MAKE_TIMES" && rm -f "$CTRACK_MAKE_TIMES"
cat "$all.times"
echo
echo "=== results"
cat "$all"
pass=$(grep -c '^PASS: ' "$all")
fail=$(grep -c '^FAIL: ' "$all")
skip=$(grep -c '^SKIP: ' "$all")
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
