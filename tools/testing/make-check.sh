#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: install what is missing, build ctrack for Debian's 6.1 and
# 6.12 kernels and for the debug kernel (built from linux-source-6.1 and
# cached), then run every VM test and the KUnit suites (check.sh). Ends
# with one line "N passed, N failed, N skipped".
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${CTRACK_CACHE:-/var/cache/ctrack}
out=$cache/modules
mkdir -p "$out"

if [ "$(id -u)" = 0 ]; then
	bash "$top/tools/testing/setup.sh"
fi

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
echo "make-check: debug kernel (cached; a first build takes about 20 minutes)" >&2
dk=$(bash "$top/tools/testing/qemu/debug-kernel.sh")
[ -n "$dk" ] && bdbg=$(build debug "$dk")
set -e

export KO_61=${b61:+$b61/ctrack.ko}
export KO_612=${b612:+$b612/ctrack.ko}
# A failed build must fail the run, not skip it.
[ -n "$KO_61" ] || KO_61=$out/6.1/ctrack.ko.missing
[ -n "$KO_612" ] || KO_612=$out/6.12/ctrack.ko.missing
export DEBUG_KERNEL=${dk:+$dk/arch/x86/boot/bzImage}
[ -n "$DEBUG_KERNEL" ] || DEBUG_KERNEL=$cache/debug-kernel.missing
export KO_DEBUG=${bdbg:+$bdbg/ctrack.ko}
export KUNIT_KO_DEBUG=${bdbg:+$bdbg/ctrack_kunit.ko}
exec bash "$top/tools/testing/check.sh"
