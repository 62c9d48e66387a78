#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the install targets (issue 5), no VM:
#
#   make dkms-install            /usr/src/ctrack-VERSION, dkms add
#   dkms build + install -k REL  for each REL below; ctrack.ko[.xz] must
#                                land in /lib/modules/REL/updates/dkms/
#                                with version VERSION and vermagic REL
#   make dkms-uninstall          nothing of ctrack left in DKMS, /usr/src
#                                or /lib/modules
#   make install / uninstall     into a scratch DESTDIR, as an unprivileged
#                                user when run as root; uninstall must leave
#                                no file behind
#
#   bash tools/testing/install-check.sh            every kernel with headers
#                                                  that dkms.conf accepts
#   KERNELS="6.1.0-56-amd64" bash tools/testing/install-check.sh
#
# The DKMS part needs root and dkms (SKIP lines otherwise) and refuses to
# run if ctrack/VERSION is already in DKMS: it would remove it at the end.
# Prints PASS/FAIL/SKIP lines and "N passed, N failed"; exits 1 on a failure.

set -u -o pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
ver=$(cat VERSION)
npass=0
nfail=0
tmp=$(mktemp -d)
dkms_added=

pass() { echo "PASS: $*"; npass=$((npass + 1)); }
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
skip() { echo "SKIP: $*"; }

cleanup() {
	if [ -n "$dkms_added" ]; then
		make -s dkms-uninstall >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- DKMS ---------------------------------------------------------------

# The kernels dkms.conf accepts, among those with headers installed.
regex=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' dkms.conf)
if [ -z "${KERNELS:-}" ]; then
	KERNELS=
	for d in /lib/modules/*/build; do
		[ -d "$d" ] || continue
		rel=$(basename "$(dirname "$d")")
		[[ $rel =~ $regex ]] && KERNELS="$KERNELS $rel"
	done
fi

dkms_check() {
	local rel ko

	if ! make -s dkms-install >"$tmp/log" 2>&1; then
		fail "make dkms-install: $(tail -1 "$tmp/log")"
		return
	fi
	dkms_added=1
	if [ -f "/usr/src/ctrack-$ver/dkms.conf" ] &&
	   grep -qx "PACKAGE_VERSION=\"$ver\"" "/usr/src/ctrack-$ver/dkms.conf" &&
	   dkms status "ctrack/$ver" | grep -q "added"; then
		pass "make dkms-install: /usr/src/ctrack-$ver, ctrack/$ver added"
	else
		fail "make dkms-install: source tree or dkms status wrong"
	fi

	for rel in $KERNELS; do
		if dkms build "ctrack/$ver" -k "$rel" >"$tmp/log" 2>&1; then
			pass "dkms build ctrack/$ver -k $rel"
		else
			fail "dkms build ctrack/$ver -k $rel: $(grep -m1 -i error "$tmp/log")"
			continue
		fi
		if ! dkms install "ctrack/$ver" -k "$rel" >"$tmp/log" 2>&1; then
			fail "dkms install ctrack/$ver -k $rel"
			continue
		fi
		ko=$(ls "/lib/modules/$rel/updates/dkms/"ctrack.ko* 2>/dev/null | head -1)
		if [ -n "$ko" ] &&
		   [ "$(modinfo -k "$rel" -F filename ctrack 2>/dev/null)" = "$ko" ] &&
		   [ "$(modinfo -F version "$ko" 2>/dev/null)" = "$ver" ] &&
		   modinfo -F vermagic "$ko" 2>/dev/null | grep -q "^$rel "; then
			pass "dkms install -k $rel: $ko (version $ver, depmod finds it)"
		else
			fail "dkms install -k $rel: no ctrack.ko of version $ver in /lib/modules/$rel/updates/dkms/"
		fi
	done
	dkms status ctrack 2>/dev/null | sed 's/^/# /'

	make -s dkms-uninstall >/dev/null 2>&1
	dkms_added=
	local left
	left=$(dkms status ctrack 2>/dev/null)
	for rel in $KERNELS; do
		left="$left$(ls "/lib/modules/$rel/updates/dkms/"ctrack.ko* 2>/dev/null)"
		modinfo -k "$rel" ctrack >/dev/null 2>&1 && left="$left modinfo:$rel"
	done
	[ -e "/usr/src/ctrack-$ver" ] && left="$left /usr/src/ctrack-$ver"
	[ -e /var/lib/dkms/ctrack ] && left="$left /var/lib/dkms/ctrack"
	if [ -z "$left" ]; then
		pass "make dkms-uninstall: nothing of ctrack left"
	else
		fail "make dkms-uninstall left: $left"
	fi
}

if [ "$(id -u)" != 0 ]; then
	skip "DKMS: needs root"
elif ! command -v dkms >/dev/null; then
	skip "DKMS: dkms is not installed (apt-get install dkms)"
elif [ -n "$(dkms status "ctrack/$ver" 2>/dev/null)" ]; then
	skip "DKMS: ctrack/$ver is already in DKMS; not touching it"
elif [ -z "$KERNELS" ]; then
	skip "DKMS: no kernel headers that dkms.conf accepts"
else
	dkms_check
fi

# --- make install / uninstall into a DESTDIR ----------------------------

stage=$tmp/stage
mkdir "$stage"
as_user=()
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
	# Build as root, install as nobody: no root needed into a DESTDIR.
	chmod 0755 "$tmp"
	chown nobody "$stage"
	as_user=(runuser -u nobody --)
fi
if ! make -s tools/ctrack/ctrack tools/xtables/libxt_ctrack.so \
		build/ctrack-match.8 >"$tmp/log" 2>&1; then
	fail "building the tools: $(tail -1 "$tmp/log")"
elif ! "${as_user[@]}" make -s install DESTDIR="$stage" PREFIX=/usr >"$tmp/log" 2>&1; then
	fail "make install DESTDIR=$stage: $(tail -1 "$tmp/log")"
else
	xtlibdir=$(pkg-config --variable=xtlibdir xtables)
	want="$stage/usr/sbin/ctrack
$stage$xtlibdir/libxt_ctrack.so
$stage/usr/share/man/man8/ctrack.8
$stage/usr/share/man/man8/ctrack-match.8
$stage/usr/share/doc/ctrack/examples/modules-load.d/ctrack.conf"
	got=$(find "$stage" -type f -o -type l | sort)
	if [ "$got" = "$(sort <<<"$want")" ]; then
		pass "make install DESTDIR PREFIX=/usr: the 5 expected files${as_user:+ (as nobody)}"
	else
		fail "make install: got $(echo $got)"
	fi
	if [ -x "$stage/usr/sbin/ctrack" ] &&
	   grep -qx ctrack "$stage/usr/share/doc/ctrack/examples/modules-load.d/ctrack.conf" &&
	   groff -man -ww -z "$stage/usr/share/man/man8/ctrack-match.8" 2>"$tmp/err" &&
	   [ ! -s "$tmp/err" ]; then
		pass "installed files: ctrack executable, modules-load.d example, ctrack-match.8 renders"
	else
		fail "installed files: $(head -1 "$tmp/err")"
	fi
	if "${as_user[@]}" make -s uninstall DESTDIR="$stage" PREFIX=/usr >"$tmp/log" 2>&1 &&
	   [ -z "$(find "$stage" ! -type d)" ]; then
		pass "make uninstall: no file left in DESTDIR"
	else
		fail "make uninstall left: $(find "$stage" ! -type d | tr '\n' ' ')"
	fi
fi

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
