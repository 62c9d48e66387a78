#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the debug kernel that runs ctrack's KUnit suites and
# integration tests: Debian's linux-source-6.1, x86_64 defconfig plus
# debug.config (KUnit, KASAN, lockdep, PROVE_RCU, kmemleak, netfilter).
# The result is cached outside the repo, keyed by the config fragment and
# the source tarball, and reused while neither changes.
#
# Prints the build directory (bzImage at arch/x86/boot/bzImage; usable as
# KDIR for out-of-tree modules).
set -e

here=$(cd "$(dirname "$0")" && pwd)
cache=${CTRACK_CACHE:-/var/cache/ctrack}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || { echo "debug-kernel: linux-source-6.1 is not installed (run tools/testing/setup.sh)" >&2; exit 1; }

key=$( (cat "$here/debug.config"; stat -c '%s %Y' "$tarball"; echo v1) | sha256sum | cut -c1-16)
dir=$cache/debug-kernel-$key
# One builder at a time (make check builds in the background, a campaign
# may ask at the same moment): the second waits and then finds it done.
mkdir -p "$cache"
exec 9>"$cache/debug-kernel.lock"
flock 9
if [ -f "$dir/.done" ]; then
	echo "$dir/build"
	exit 0
fi

mkdir -p "$dir"
rm -rf "$dir/build"
tar -C "$dir" -xf "$tarball"
mv "$dir"/linux-source-6.1 "$dir/build"
cd "$dir/build"
{
	make -s defconfig
	scripts/kconfig/merge_config.sh -m .config "$here/debug.config"
	make -s olddefconfig
	# Every line of the fragment must have survived olddefconfig; a silently
	# dropped option would leave a kernel that does not check what we think.
	missing=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=y|CONFIG_*=m) ;; *) continue ;; esac
		grep -qx "$line" .config || { echo "debug-kernel: $line did not stick" >&2; missing=1; }
	done <"$here/debug.config"
	[ "$missing" = 0 ]
	make -j"$(nproc)" bzImage modules
} >"$dir/build.log" 2>&1 || { tail -n 40 "$dir/build.log" >&2; exit 1; }
touch "$dir/.done"
echo "$dir/build"
