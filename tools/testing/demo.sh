#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build ctrack for Debian's 6.1 kernel, boot it in a throwaway
# VM and run demo/demo.sh there, showing the console.
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] && bash "$top/tools/testing/setup.sh"
cache=${CTRACK_CACHE:-/var/cache/ctrack}
kdir=$(ls -d /lib/modules/6.1.0-*-amd64/build | sort -V | tail -n1)
kernel=/boot/vmlinuz-$(basename "$(dirname "$kdir")")
bash "$top/tools/testing/build-module.sh" "$kdir" "$cache/modules/demo"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$top/tools/testing/tests/lib.bash" "$top/tools/testing/demo/demo.sh" "$tmp/"
cc -O2 -Wall -o "$tmp/ctpkt" "$top/tools/testing/ctpkt.c"
cc -O2 -Wall -I"$top/include/uapi" -DCTRACK_TOOLS_VERSION="\"$(cat "$top/VERSION")\"" \
	-o "$tmp/ctrack" "$top/tools/ctrack/ctrack.c" -lmnl
bash "$top/tools/testing/qemu/run-vm.sh" --kernel "$kernel" \
	--modules-from "$(dirname "$kdir")" --extra-ko "$cache/modules/demo/ctrack.ko" \
	--bin "$tmp/ctpkt" --bin "$tmp/ctrack" --tests "$tmp" --timeout 180 --log "$tmp/console.log" >/dev/null || true
# The demo's own output, without the harness's bookkeeping.
tr -d '\r' <"$tmp/console.log" | sed -n '/^=== demo.sh$/,/^=== demo.sh:/p' | sed '1d;$d'
