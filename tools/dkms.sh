#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ctrack and DKMS, from a source tree (the .deb does the same through
# dh_dkms; see debian/rules).
#
#   tools/dkms.sh stage DIR VERSION   the module's sources and a dkms.conf
#                                     stamped with VERSION into DIR (what
#                                     /usr/src/ctrack-VERSION holds)
#   tools/dkms.sh install             make dkms-install: replace any
#                                     ctrack in DKMS by this tree's version
#                                     (tools/version.sh), then build and
#                                     install it for every kernel with
#                                     headers; AUTOINSTALL covers kernels
#                                     installed later
#   tools/dkms.sh uninstall           make dkms-uninstall: every ctrack
#                                     version out of DKMS and /usr/src
#
# KERNELS="REL ..." limits install to those kernels. Versions that
# belong to the ctrack-dkms package are left to apt: removing them here
# would pull files out from under dpkg.
set -e -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
me=${0##*/}
die() { echo "$me: $*" >&2; exit 1; }

# What /usr/src/ctrack-VERSION needs to build ctrack.ko: no kunit/, no
# tools, no Makefile (DKMS runs the kernel's make on Kbuild).
stage() {
	local dir=$1 ver=$2
	[ -n "$dir" ] && [ -n "$ver" ] || die "usage: $me stage DIR VERSION"
	install -d "$dir"
	cp -r "$top/Kbuild" "$top/kmod" "$top/include" "$dir/"
	echo "$ver" >"$dir/VERSION"
	sed "s/#MODULE_VERSION#/$ver/" "$top/dkms.conf" >"$dir/dkms.conf"
}

# The ctrack versions DKMS knows, one a line.
versions() {
	dkms status ctrack 2>/dev/null | sed -n 's|^ctrack/\([^,:]*\)[,:].*|\1|p' | sort -u
}

# remove VERSION: out of DKMS for every kernel, and its /usr/src tree.
remove() {
	local ver=$1
	if dpkg-query -S "/usr/src/ctrack-$ver" >/dev/null 2>&1; then
		die "ctrack/$ver belongs to a package ($(dpkg-query -S "/usr/src/ctrack-$ver" | cut -d: -f1)); remove it with apt first"
	fi
	echo "$me: removing ctrack/$ver"
	dkms remove "ctrack/$ver" --all >/dev/null
	rm -rf "/usr/src/ctrack-$ver"
}

need_dkms() {
	[ "$(id -u)" = 0 ] || die "needs root"
	command -v dkms >/dev/null || die "dkms is not installed (apt-get install dkms)"
}

install_all() {
	local ver old rel rc failed=0 built=0 kernels

	ver=$("$top/tools/version.sh")
	for old in $(versions); do
		remove "$old"
	done
	rm -rf "/usr/src/ctrack-$ver"
	stage "/usr/src/ctrack-$ver" "$ver"
	dkms add "ctrack/$ver" >/dev/null
	echo "$me: added ctrack/$ver (/usr/src/ctrack-$ver)"

	kernels=${KERNELS:-$(cd /lib/modules && ls -v)}
	for rel in $kernels; do
		if [ ! -d "/lib/modules/$rel/build" ]; then
			echo "$me: $rel: no headers (linux-headers-$rel), skipped"
			continue
		fi
		rc=0
		dkms install "ctrack/$ver" -k "$rel" >/tmp/ctrack-dkms.$$.log 2>&1 || rc=$?
		case $rc in
		0)	echo "$me: $rel: installed"; built=$((built + 1)) ;;
		77)	echo "$me: $rel: not a supported kernel (dkms.conf BUILD_EXCLUSIVE_KERNEL), skipped" ;;
		*)	echo "$me: $rel: dkms install failed ($rc):" >&2
			sed 's/^/  /' /tmp/ctrack-dkms.$$.log >&2
			failed=1 ;;
		esac
	done
	rm -f /tmp/ctrack-dkms.$$.log
	[ "$failed" = 0 ] || exit 1
	[ "$built" -gt 0 ] || echo "$me: built for no kernel yet; DKMS builds it when a supported kernel and its headers are installed"
}

uninstall_all() {
	local ver
	for ver in $(versions); do
		remove "$ver"
	done
	# A tree added by hand but never registered.
	for ver in /usr/src/ctrack-*; do
		[ -d "$ver" ] || continue
		dpkg-query -S "$ver" >/dev/null 2>&1 || rm -rf "$ver"
	done
}

case "$1" in
stage)		shift; stage "$@" ;;
install)	need_dkms; install_all ;;
uninstall)	need_dkms; uninstall_all ;;
*)		echo "usage: $me stage DIR VERSION | install | uninstall" >&2; exit 2 ;;
esac
