#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's install paths, run word for word on this host.
# Every fenced block README.md marks "<!-- readme-test: ID -->" is run,
# with bash -e, in a clean checkout of this tree, and checked after:
#
#   .deb    deb-build   dpkg-buildpackage; lintian (pedantic) clean; the
#                       version is debian/changelog's = VERSION
#           deb-install both packages; DKMS built and installed ctrack for
#                       every kernel with headers that dkms.conf accepts,
#                       without a compiler warning; the tools work
#           (a new kernel: the kernel postinst hook rebuilds it)
#           deb-install again with a newer package: only the new version
#           deb-remove  nothing of ctrack left
#   source  src-install make dkms-install + make install, version from git
#           boot        /etc/modules-load.d/ctrack.conf
#           src-upgrade git pull of a newer commit: only the new version
#           noboot, src-remove: nothing left
#           (make install/uninstall into a DESTDIR as nobody; make dist)
#   test VM vm-build    on the host, then vm-run in a VM of Debian's 6.1
#
# and every marked block must have run. The modules DKMS built from the
# first package go to OUTDIR/6.1/ctrack.ko and OUTDIR/6.12/ctrack.ko, for
# make check's VM runs on those kernels.
#
#   bash tools/testing/install-check.sh OUTDIR
#
# Needs root, a git checkout, and a host without ctrack installed (it
# installs and removes packages, DKMS modules and /usr/sbin/ctrack, and
# refuses to start if any of them is there already). Prints PASS/FAIL
# lines, then "N passed, N failed"; exits 1 on a failure. Logs of each
# block in OUTDIR/logs.

set -u -o pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: install-check.sh OUTDIR}
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
readme=$top/README.md
npass=0
nfail=0
ran=
installed=0
tmp=$(mktemp -d /tmp/ctrack-install.XXXXXX)
chmod 0755 "$tmp"
xtlibdir=$(pkg-config --variable=xtlibdir xtables 2>/dev/null)

pass() { echo "PASS: $*"; npass=$((npass + 1)); }
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" = 0 ]
	exit
}

# Whatever a failed step left installed goes, so the host ends as it began.
cleanup() {
	if [ "$installed" = 1 ]; then
		apt-get purge -y -qq ctrack-dkms ctrack-tools >/dev/null 2>&1
		bash "$top/tools/dkms.sh" uninstall >/dev/null 2>&1
		[ -d "$tmp/src/ctrack" ] && make -s -C "$tmp/src/ctrack" uninstall >/dev/null 2>&1
		rm -f /etc/modules-load.d/ctrack.conf
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# block ID: the fenced block after README's "<!-- readme-test: ID -->".
block() {
	awk -v id="$1" '
		$0 == "<!-- readme-test: " id " -->" { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		want && inside { print }
	' "$readme"
}

# run_block ID DIR: run README's block ID in DIR with bash -e; PASS/FAIL.
run_block() {
	local id=$1 dir=$2 log=$out/logs/$1.log
	block "$id" >"$tmp/$id.sh"
	if [ ! -s "$tmp/$id.sh" ]; then
		fail "README block $id: not found"
		return 1
	fi
	ran="$ran $id "
	if (cd "$dir" && bash -e -o pipefail "$tmp/$id.sh") >"$log" 2>&1 </dev/null; then
		pass "README $id: $(paste -sd';' "$tmp/$id.sh" | cut -c1-100)"
	else
		fail "README $id failed (log $log): $(grep -v '^readelf: Warning' "$log" | tail -n3 | paste -sd' ')"
		return 1
	fi
}

# The kernels DKMS must have built ctrack for: headers installed and
# accepted by dkms.conf's BUILD_EXCLUSIVE_KERNEL.
regex=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$top/dkms.conf")
kernels=
for d in /lib/modules/*/build; do
	[ -d "$d" ] || continue
	rel=$(basename "$(dirname "$d")")
	[[ $rel =~ $regex ]] && kernels="$kernels $rel"
done
newest() { # newest release among $kernels matching a glob
	local r
	for r in $kernels; do
		# shellcheck disable=SC2254
		case $r in $1) echo "$r" ;; esac
	done | sort -V | tail -n1
}
k61=$(newest '6.1.*')
k612=$(newest '6.12*')

# dkms_ok VERSION [RELS]: ctrack VERSION is the only ctrack in DKMS and is
# installed for each of RELS (default: every kernel above): its module
# has that version and the kernel's vermagic, modinfo -k finds it there,
# and its build log has no warning. Prints what is wrong.
dkms_ok() {
	local ver=$1 rels=${2:-$kernels} rel ko bad="" others
	others=$(dkms status ctrack 2>/dev/null | grep -v "^ctrack/${ver}[,:]")
	[ -z "$others" ] || bad="$bad other versions: $others;"
	for rel in $rels; do
		dkms status "ctrack/$ver" -k "$rel" 2>/dev/null | grep -q ': installed' ||
			{ bad="$bad not installed for $rel;"; continue; }
		ko=$(ls "/lib/modules/$rel/updates/dkms/"ctrack.ko* 2>/dev/null | head -n1)
		[ -n "$ko" ] && [ "$(modinfo -k "$rel" -F filename ctrack 2>/dev/null)" = "$ko" ] ||
			{ bad="$bad no ctrack.ko for modprobe in /lib/modules/$rel/updates/dkms;"; continue; }
		[ "$(modinfo -F version "$ko")" = "$ver" ] ||
			bad="$bad $ko has version $(modinfo -F version "$ko");"
		modinfo -F vermagic "$ko" | grep -q "^$rel " ||
			bad="$bad $ko vermagic $(modinfo -F vermagic "$ko");"
		grep -qi 'warning:' "/var/lib/dkms/ctrack/$ver/$rel/$(uname -m)/log/make.log" 2>/dev/null &&
			bad="$bad compiler warnings for $rel;"
	done
	echo "$bad"
}

check_dkms() { # check_dkms WHAT VERSION [RELS]
	local bad
	bad=$(dkms_ok "$2" "${3:-}")
	if [ -z "$bad" ]; then
		pass "$1: ctrack/$2 installed for${3:-$kernels}, modinfo finds it, no warning"
	else
		fail "$1:$bad"
	fi
}

# Anything of ctrack on the host, one word a thing.
leftovers() {
	local f
	dkms status ctrack 2>/dev/null | grep -q . && echo "dkms:ctrack"
	for f in /lib/modules/*/updates/dkms/ctrack.ko* /lib/modules/*/updates/ctrack.ko* \
		/usr/src/ctrack-* /var/lib/dkms/ctrack /usr/sbin/ctrack /usr/local/sbin/ctrack \
		"$xtlibdir/libxt_ctrack.so" /usr/share/man/man8/ctrack*.8* \
		/usr/share/doc/ctrack /usr/share/doc/ctrack-tools /usr/share/doc/ctrack-dkms \
		/etc/modules-load.d/ctrack.conf; do
		[ -e "$f" ] && echo "$f"
	done
	dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' ctrack-dkms ctrack-tools 2>/dev/null |
		awk '$1 != "un" { print "package:" $2 }'
}

check_clean() {
	local left
	left=$(leftovers | paste -sd' ')
	if [ -z "$left" ]; then
		pass "$1: nothing of ctrack left (DKMS, /lib/modules, /usr/src, tools, man pages, packages)"
	else
		fail "$1 left: $left"
	fi
}

check_tools() { # check_tools WHAT VERSION
	local bad=""
	[ "$(ctrack --version 2>&1)" = "ctrack v$2" ] || bad="$bad ctrack --version says $(ctrack --version 2>&1);"
	# iptables finds the installed plugin by itself (no XTABLES_LIBDIR);
	# translate runs the plugin's parser and never asks the kernel.
	env -u XTABLES_LIBDIR iptables-translate -A INPUT -m ctrack --ctstate NEW -j ACCEPT >"$tmp/xt" 2>&1 ||
		bad="$bad iptables-translate: $(head -n1 "$tmp/xt");"
	[ -f /usr/share/man/man8/ctrack.8.gz ] || [ -f /usr/share/man/man8/ctrack.8 ] ||
		bad="$bad no ctrack.8;"
	[ -f /usr/share/man/man8/ctrack-match.8.gz ] || [ -f /usr/share/man/man8/ctrack-match.8 ] ||
		bad="$bad no ctrack-match.8;"
	if [ -z "$bad" ]; then
		pass "$1: ctrack --version is v$2, iptables loads -m ctrack, ctrack.8 and ctrack-match.8 installed"
	else
		fail "$1:$bad"
	fi
}

# ko_out REL NAME: the installed module, uncompressed, to OUTDIR/NAME.
ko_out() {
	local ko
	ko=$(ls "/lib/modules/$1/updates/dkms/"ctrack.ko* 2>/dev/null | head -n1)
	mkdir -p "$out/$2"
	rm -f "$out/$2/ctrack.ko"
	case "$ko" in
	*.xz) xz -dc "$ko" >"$out/$2/ctrack.ko" ;;
	*.zst) zstd -q -dc "$ko" >"$out/$2/ctrack.ko" ;;
	*.gz) gzip -dc "$ko" >"$out/$2/ctrack.ko" ;;
	?*) cp "$ko" "$out/$2/ctrack.ko" ;;
	esac
}

# --- preconditions ------------------------------------------------------

rm -f "$out"/6.1/ctrack.ko "$out"/6.12/ctrack.ko
if [ "$(id -u)" != 0 ]; then
	fail "install-check needs root"
	finish
fi
for c in dkms dpkg-buildpackage lintian git; do
	command -v "$c" >/dev/null || { fail "install-check needs $c (tools/testing/setup.sh)"; finish; }
done
if ! git -C "$top" rev-parse --verify -q HEAD >/dev/null; then
	fail "install-check needs a git checkout (its paths clone and pull)"
	finish
fi
left=$(leftovers | paste -sd' ')
if [ -n "$left" ]; then
	fail "ctrack is installed on this host already ($left); remove it first (apt-get purge ctrack-dkms ctrack-tools; make dkms-uninstall uninstall)"
	finish
fi
if [ -z "$k61" ] || [ -z "$k612" ]; then
	fail "headers of a 6.1 and a 6.12 kernel needed (have:$kernels)"
	finish
fi
installed=1

# --- the Debian packages ------------------------------------------------

# A clean checkout of this tree: what git tracks, with uncommitted changes
# (git stash create makes a commit of them without touching anything).
mkdir -p "$tmp/deb"
rev=$(git -C "$top" stash create 2>/dev/null)
git -C "$top" archive --prefix=ctrack/ "${rev:-HEAD}" | tar -x -C "$tmp/deb"
debver=$(cd "$tmp/deb/ctrack" && dpkg-parsechangelog -S Version)
if [ "$debver" = "$(cat "$top/VERSION")" ]; then
	pass "debian/changelog's version $debver is VERSION's"
else
	fail "debian/changelog says $debver, VERSION $(cat "$top/VERSION")"
fi

if run_block deb-build "$tmp/deb/ctrack"; then
	lintian -I -E --pedantic "$tmp"/deb/ctrack_*.changes >"$tmp/lintian" 2>&1
	grep -v 'running with root privileges' "$tmp/lintian" >"$tmp/lintian.tags"
	if [ -s "$tmp/lintian.tags" ]; then
		fail "lintian: $(paste -sd' ' "$tmp/lintian.tags")"
	else
		pass "lintian -I -E --pedantic: no tag on ctrack-dkms, ctrack-tools"
	fi
	contents=$(dpkg -c "$tmp"/deb/ctrack-dkms_*_all.deb | awk '{ print $6 }')
	if grep -qx "./usr/src/ctrack-$debver/dkms.conf" <<<"$contents" &&
	   grep -qx "./usr/src/ctrack-$debver/kmod/main.c" <<<"$contents" &&
	   ! grep -q 'kunit\|/tools/' <<<"$contents" &&
	   dpkg -c "$tmp"/deb/ctrack-tools_*_amd64.deb | awk '{ print $6 }' >"$tmp/tools.list" &&
	   grep -qx ./usr/sbin/ctrack "$tmp/tools.list" &&
	   grep -qx ".$xtlibdir/libxt_ctrack.so" "$tmp/tools.list" &&
	   grep -qx ./usr/share/man/man8/ctrack-match.8.gz "$tmp/tools.list"; then
		pass "ctrack-dkms holds /usr/src/ctrack-$debver (no kunit, no tools); ctrack-tools ctrack, the plugin in $xtlibdir, man pages"
	else
		fail "package contents: $(echo "$contents" | head -n5 | paste -sd' ') ..."
	fi
fi

if run_block deb-install "$tmp/deb/ctrack"; then
	check_dkms "deb-install" "$debver"
	check_tools "deb-install" "$debver"
	ko_out "$k61" 6.1
	ko_out "$k612" 6.12

	# A kernel installed later: its postinst hook has DKMS (AUTOINSTALL)
	# build ctrack for it. Take the module away from one kernel and run
	# the hook as the kernel's package would.
	dkms remove "ctrack/$debver" -k "$k612" >/dev/null 2>&1
	if [ -z "$(ls "/lib/modules/$k612/updates/dkms/"ctrack.ko* 2>/dev/null)" ] &&
	   /etc/kernel/postinst.d/dkms "$k612" >"$out/logs/kernel-postinst.log" 2>&1; then
		check_dkms "a new kernel ($k612, kernel postinst hook)" "$debver" " $k612"
	else
		fail "a new kernel: dkms remove -k $k612 or its postinst hook failed"
	fi

	# An upgrade: the same tree under a newer version, through the same
	# two blocks.
	mkdir -p "$tmp/deb2"
	cp -a "$tmp/deb/ctrack" "$tmp/deb2/"
	newver=$debver+upgrade1
	{
		printf 'ctrack (%s) unstable; urgency=medium\n\n  * install-check: an upgrade.\n\n' "$newver"
		printf ' -- %s  %s\n\n' "$(sed -n 's/^Maintainer: //p' "$tmp/deb/ctrack/debian/control")" "$(date -R)"
		cat "$tmp/deb/ctrack/debian/changelog"
	} >"$tmp/deb2/ctrack/debian/changelog"
	if run_block deb-build "$tmp/deb2/ctrack" && run_block deb-install "$tmp/deb2/ctrack"; then
		check_dkms "upgrade $debver -> $newver" "$newver"
		[ -e "/usr/src/ctrack-$debver" ] &&
			fail "upgrade: /usr/src/ctrack-$debver still there"
	fi
fi
run_block deb-remove "$tmp/deb/ctrack"
check_clean deb-remove

# --- from source ---------------------------------------------------------

# "upstream" is the project's repository, src the user's clone of it.
mkdir -p "$tmp/src"
git clone -q "$top" "$tmp/src/upstream"
git clone -q "$tmp/src/upstream" "$tmp/src/ctrack"
srcver=$("$tmp/src/ctrack/tools/version.sh")
if run_block src-install "$tmp/src/ctrack"; then
	check_dkms "src-install" "$srcver"
	check_tools "src-install" "$srcver"
fi
if run_block boot "$tmp/src/ctrack"; then
	if [ "$(cat /etc/modules-load.d/ctrack.conf)" = ctrack ]; then
		pass "boot: /etc/modules-load.d/ctrack.conf names ctrack"
	else
		fail "boot: /etc/modules-load.d/ctrack.conf is '$(cat /etc/modules-load.d/ctrack.conf)'"
	fi
fi
git -C "$tmp/src/upstream" -c user.name=install-check -c user.email=install-check@invalid \
	commit -q --allow-empty -m "install-check: a newer commit"
if run_block src-upgrade "$tmp/src/ctrack"; then
	newver=$("$tmp/src/ctrack/tools/version.sh")
	if [ "$newver" != "$srcver" ]; then
		check_dkms "src-upgrade $srcver -> $newver" "$newver"
		check_tools "src-upgrade" "$newver"
	else
		fail "src-upgrade: git pull did not change the version ($srcver)"
	fi
	[ -e "/usr/src/ctrack-$srcver" ] && fail "src-upgrade: /usr/src/ctrack-$srcver still there"
fi

# make install into a DESTDIR needs no root: as nobody, and uninstall
# leaves nothing.
stage=$tmp/stage
mkdir "$stage"
chown nobody "$stage"
if runuser -u nobody -- make -s -C "$tmp/src/ctrack" install DESTDIR="$stage" PREFIX=/usr \
		>"$out/logs/destdir.log" 2>&1; then
	got=$(cd "$stage" && find . ! -type d | sort | paste -sd' ')
	want=$(printf '%s\n' ./usr/sbin/ctrack ".$xtlibdir/libxt_ctrack.so" \
		./usr/share/man/man8/ctrack.8 ./usr/share/man/man8/ctrack-match.8 \
		./usr/share/doc/ctrack/examples/modules-load.d/ctrack.conf | sort | paste -sd' ')
	if [ "$got" = "$want" ] &&
	   grep -qx ctrack "$stage/usr/share/doc/ctrack/examples/modules-load.d/ctrack.conf" &&
	   groff -man -ww -z "$stage/usr/share/man/man8/ctrack-match.8" 2>"$tmp/groff" &&
	   [ ! -s "$tmp/groff" ]; then
		pass "make install DESTDIR PREFIX=/usr as nobody: the 5 files, ctrack-match.8 renders"
	else
		fail "make install DESTDIR: got $got $(head -n1 "$tmp/groff")"
	fi
	if runuser -u nobody -- make -s -C "$tmp/src/ctrack" uninstall DESTDIR="$stage" PREFIX=/usr \
			>>"$out/logs/destdir.log" 2>&1 && [ -z "$(find "$stage" ! -type d)" ]; then
		pass "make uninstall DESTDIR: no file left"
	else
		fail "make uninstall DESTDIR left: $(find "$stage" ! -type d | paste -sd' ')"
	fi
else
	fail "make install DESTDIR as nobody: $(tail -n1 "$out/logs/destdir.log")"
fi

# A release tarball knows its version without git.
if (cd "$tmp/src/ctrack" && make -s dist) >"$out/logs/dist.log" 2>&1 &&
   mkdir "$tmp/dist" && tar -xzf "$tmp/src/ctrack/build/ctrack-$newver.tar.gz" -C "$tmp/dist" &&
   [ "$("$tmp/dist/ctrack-$newver/tools/version.sh")" = "$newver" ] &&
   [ ! -e "$tmp/dist/ctrack-$newver/.git" ]; then
	pass "make dist: build/ctrack-$newver.tar.gz, whose tools/version.sh says $newver"
else
	fail "make dist: $(tail -n1 "$out/logs/dist.log")"
fi

run_block noboot "$tmp/src/ctrack"
run_block src-remove "$tmp/src/ctrack"
check_clean src-remove
installed=0

# --- a plain insmod on a test VM ----------------------------------------

if run_block vm-build "$tmp/src/ctrack"; then
	mkdir -p "$tmp/vm"
	cp "$top/tools/testing/tests/lib.bash" "$tmp/vm/"
	block vm-run >"$tmp/vm/readme-vm-run.block"
	ran="$ran vm-run "
	cat >"$tmp/vm/00-readme.sh" <<'EOF'
#!/bin/bash
# README's vm-run block, word for word, where run-vm.sh put ctrack.ko.
. ./lib.bash
plan 3
ip link set lo up
if (cd /lib/ctrack && bash -e -o pipefail /tests/readme-vm-run.block) >/tmp/readme.log 2>&1; then
	pass "README vm-run: $(paste -sd';' /tests/readme-vm-run.block | cut -c1-100)"
else
	fail "README vm-run failed: $(tail -n3 /tmp/readme.log | paste -sd' ')"
fi
check "vm-run: ctrack -L listed the ping (icmp src=127.0.0.1 type=8)" \
	grep -q '^icmp .*src=127.0.0.1 dst=127.0.0.1 type=8 code=0' /tmp/readme.log
check "vm-run: rmmod ctrack unloaded it" eval '! lsmod | grep -q "^ctrack "'
EOF
	chmod +x "$tmp/vm/00-readme.sh"
	bash "$top/tools/testing/qemu/run-vm.sh" --kernel "/boot/vmlinuz-$k61" \
		--modules-from "/lib/modules/$k61" --extra-ko "$tmp/src/ctrack/ctrack.ko" \
		--tests "$tmp/vm" --bin "$tmp/src/ctrack/tools/ctrack/ctrack" \
		--bin "$tmp/src/ctrack/tools/xtables/libxt_ctrack.so" \
		--log "$out/logs/vm-run.console" --timeout 300 >"$tmp/vm.out" 2>&1
	grep -E '^(PASS|FAIL): ' "$tmp/vm.out" | sed -E 's/^(PASS|FAIL): /\1 /' >"$tmp/vm.res"
	if [ ! -s "$tmp/vm.res" ]; then
		fail "README vm-run: the VM reported nothing (console $out/logs/vm-run.console)"
	fi
	while read -r verdict line; do
		if [ "$verdict" = PASS ]; then pass "$line"; else fail "$line"; fi
	done <"$tmp/vm.res"
fi

# Every marked block ran.
for id in $(sed -n 's/^<!-- readme-test: \([a-z0-9-]*\) -->$/\1/p' "$readme"); do
	case "$ran" in
	*" $id "*) ;;
	*) fail "README block $id is marked for testing but install-check.sh never runs it" ;;
	esac
done

finish
