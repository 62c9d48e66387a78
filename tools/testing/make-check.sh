#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: install what is missing, build ctrack with W=1 for Debian's
# 6.1 and 6.12 kernels (a compile check: any warning fails) and for the
# debug kernel (built from linux-source-6.1 and cached), then run
# check.sh: the README's install paths (install-check.sh, whose DKMS-built
# modules the 6.1 and 6.12 VMs load), every VM test and the KUnit suites.
# A debug kernel not cached yet builds in the background, at the lowest
# CPU and I/O priority, while check.sh runs the host checks and the stock VMs: it
# takes what they leave idle (their waits for timeouts and traffic), and
# check.sh waits for it before the debug VM.
# Ends with one line "N passed, N failed, N skipped".
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${CTRACK_CACHE:-/var/cache/ctrack}
out=$cache/modules
mkdir -p "$out"

# Minutes of each stage, for check.sh to print with its own.
times=$(mktemp /tmp/ctrack-make-times.XXXXXX)
export CTRACK_MAKE_TIMES=$times
t0=$SECONDS
stage() {
	printf '%-28s %5.1f min\n' "$1" "$(echo "($SECONDS - $t0) / 60" | bc -l)" >>"$times"
	t0=$SECONDS
}

if [ "$(id -u)" = 0 ]; then
	bash "$top/tools/testing/setup.sh"
fi
stage "packages (setup.sh)"

newest_kdir() {
	local d
	for d in $1; do
		[ -d "$d" ] && echo "$d"
	done | sort -V | tail -n1
}

build() {	# build NAME KDIR: prints the module directory, or nothing
	local name=$1 kdir=$2
	[ -n "$kdir" ] || { echo "make-check: no kernel tree for $name" >&2; return; }
	echo "make-check: building ctrack for $name ($kdir)" >&2
	if bash "$top/tools/testing/build-module.sh" "$kdir" "$out/$name" >&2; then
		echo "$out/$name"
	fi
}

set +e
b61=$(build 6.1 "$(newest_kdir '/lib/modules/6.1.0-*-amd64/build')")
b612=$(build 6.12 "$(newest_kdir '/lib/modules/6.12*-amd64/build')")
stage "W=1 builds, 6.1 and 6.12"
echo "make-check: debug kernel (cached, or built in the background: about 20 minutes alone)" >&2
debug_build=$(mktemp -d /tmp/ctrack-debug-build.XXXXXX)/result
# Its own process group (job control on for the moment it starts), so
# that check.sh can stop all of it when make check ends early; the lowest
# CPU and I/O priority for all it runs.
set -m
(
	renice -n 19 -p "$BASHPID" >/dev/null
	ionice -c 3 -p "$BASHPID" 2>/dev/null
	t=$SECONDS
	dk=$(bash "$top/tools/testing/qemu/debug-kernel.sh")
	bdbg=
	[ -n "$dk" ] && bdbg=$(build debug "$dk")
	printf 'dk=%q\nbdbg=%q\nbuild_minutes=%q\n' "$dk" "$bdbg" \
		"$(echo "($SECONDS - $t) / 60" | bc -l | xargs printf %.1f)" >"$debug_build.part"
	mv "$debug_build.part" "$debug_build"
) </dev/null &
debug_pid=$!
set +m
set -e

# The W=1 builds only check the compiler: the stock VMs load the modules
# DKMS built from the ctrack-dkms package (install-check.sh puts them in
# INSTALL_CHECK_OUT), as a server would.
export CTRACK_W1_BUILDS="6.1:${b61:+ok} 6.12:${b612:+ok}"
export INSTALL_CHECK_OUT=$cache/install
export KO_61=$INSTALL_CHECK_OUT/6.1/ctrack.ko
export KO_612=$INSTALL_CHECK_OUT/6.12/ctrack.ko
# check.sh sets DEBUG_KERNEL, KO_DEBUG and KUNIT_KO_DEBUG from what the
# build leaves in this file (dk, bdbg, build_minutes), once the build
# process ends.
export CTRACK_DEBUG_BUILD=$debug_build CTRACK_DEBUG_BUILD_PID=$debug_pid
exec bash "$top/tools/testing/check.sh"
