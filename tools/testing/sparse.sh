#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make sparse: build the module with sparse on every file (C=2) against
# KDIR (default: the running kernel's, else Debian's newest 6.1 headers).
# Exits non-zero when sparse reports anything.
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=${KDIR:-}
[ -n "$kdir" ] && [ -d "$kdir" ] || kdir=$(ls -d /lib/modules/6.1.0-*-amd64/build 2>/dev/null | sort -V | tail -n1)
[ -d "$kdir" ] || { echo "sparse: no kernel headers (set KDIR)" >&2; exit 2; }
command -v sparse >/dev/null || { echo "sparse: sparse is not installed (run tools/testing/setup.sh)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rsync -a "$top/Kbuild" "$top/VERSION" "$top/kmod" "$top/include" "$out/"
make -s -C "$kdir" M="$out" C=2 modules 2>&1 |
	grep -v 'Skipping BTF generation' | tee "$out/sparse.log" >&2 || true
# Only reports about ctrack's own files count; the headers have their own.
n=$(grep -E "^$out/.*(warning|error):" "$out/sparse.log" | wc -l)
if [ "$n" -gt 0 ]; then
	echo "sparse: $n report(s) about ctrack against $kdir" >&2
	exit 1
fi
echo "sparse: clean against $kdir"
