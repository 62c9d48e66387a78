#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build ctrack (and, where the kernel has KUnit, ctrack_kunit) against
# KDIR in a private copy of the sources under OUTDIR, so that builds for
# several kernels do not trample each other's objects.
#
# usage: build-module.sh KDIR OUTDIR
set -e
kdir=$1
out=$2
[ -d "$kdir" ] || { echo "build-module: no kernel tree at $kdir" >&2; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
	--exclude='*.mod*' --exclude='modules.order' --exclude='Module.symvers' \
	"$top/Kbuild" "$top/VERSION" "$top/kmod" "$top/include" "$top/kunit" "$out/"
make -s -C "$kdir" M="$out" W=1 modules 2>&1 | tee "$out/build.log" |
	grep -v 'Skipping BTF generation' >&2 || true
[ -f "$out/ctrack.ko" ] || { echo "build-module: ctrack.ko was not built for $kdir" >&2; exit 1; }
if grep -q 'warning:' "$out/build.log"; then
	echo "build-module: warnings building for $kdir" >&2
	exit 1
fi
