#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel under qemu (TCG, no KVM needed) with a throw-away initramfs
# and run ctrack's VM tests in it.
#
#   host                                   guest
#   run-vm.sh --+- base.cpio.gz   (cached) busybox, bash, ip, iptables, /init
#               +- modules.cpio.gz(cached) /lib/modules/REL (netfilter, veth...)
#               +- run.cpio.gz             /tests, /lib/ctrack/*.ko, --bin tools
#               |
#               +- qemu -serial file:LOG      <- ttyS0 console
#                       -serial file:RESULTS  <- ttyS1 PASS/FAIL/SKIP lines,
#                                                CTRACK-VM-DONE
#
# Prints the PASS/FAIL/SKIP lines; exits 0 when none is a FAIL.
set -e

usage() {
	cat >&2 <<EOF
usage: ${0##*/} --kernel BZIMAGE [options]
  --modules-from DIR   /lib/modules/REL, or a kernel build tree, to take
                       the netfilter/veth/dummy/pktgen modules from
  --extra-ko FILE.ko   put FILE.ko into /lib/ctrack in the guest (repeatable)
  --tests DIR          copy DIR's contents into /tests (repeatable); every
                       /tests/*.sh runs, in lexical order
  --bin FILE           also install host binary FILE (and its libraries);
                       an xtables plugin (libxt_*.so) goes to
                       /usr/lib/ctrack/xtables (lib.bash's XTABLES_LIBDIR)
  --cpus N             guest CPUs (default 2)
  --mem MB             guest memory (default 1024, 2048 with --debug)
  --timeout SEC        kill qemu after SEC seconds (default 600)
  --test-timeout SEC   per-test-script limit inside the guest (default 300)
  --log FILE           console log (default: a file in a temp dir)
  --results FILE       results channel (default: a file in a temp dir)
  --append ARGS        extra kernel command line
  --env NAME=VALUE     export NAME=VALUE to the tests (repeatable)
  --debug              debug kernel: KERNEL_FLAVOR=debug, kmemleak check
  --icount             guest time counts instructions (1 ns each), not host
                       time: timings inside become repeatable instruction
                       counts (one TCG thread for all vCPUs)
  --trace FILE         log each translated block of module code and each
                       execution of one to FILE (bench/trace.py reads it)
  --verbose            also stream the console to stderr
EOF
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
cache=${CTRACK_CACHE:-/var/cache/ctrack}/vm

kernel='' moddir='' cpus=2 mem='' timeout=600 test_timeout=300 log='' results=''
debug=0 verbose=0 icount=0 tracelog='' append='' tailpid=''
extra_ko=() tests=() bins=() envs=()

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift ;;
	--modules-from) moddir=$2; shift ;;
	--extra-ko) extra_ko+=("$2"); shift ;;
	--tests) tests+=("$2"); shift ;;
	--bin) bins+=("$2"); shift ;;
	--cpus) cpus=$2; shift ;;
	--mem) mem=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--test-timeout) test_timeout=$2; shift ;;
	--log) log=$2; shift ;;
	--results) results=$2; shift ;;
	--append) append=$2; shift ;;
	--env) [[ $2 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || usage; envs+=("$2"); shift ;;
	--debug) debug=1 ;;
	--icount) icount=1 ;;
	--trace) tracelog=$2; shift ;;
	--verbose) verbose=1 ;;
	-h|--help) usage ;;
	*) echo "${0##*/}: unknown option $1" >&2; usage ;;
	esac
	[ $# -gt 0 ] || usage
	shift
done

die() { echo "${0##*/}: $*" >&2; exit 2; }

[ -n "$kernel" ] || usage
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -n "$mem" ] || { [ "$debug" = 1 ] && mem=2048 || mem=1024; }
for f in "${extra_ko[@]}"; do [ -f "$f" ] || die "no such module $f"; done
for d in "${tests[@]}"; do [ -d "$d" ] || die "no test directory $d"; done
for f in "${bins[@]}"; do [ -x "$f" ] || die "no executable $f"; done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is not installed"

mkdir -p "$cache"
work=$(mktemp -d /tmp/ctrack-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
[ -n "$log" ] || log=$(mktemp /tmp/ctrack-vm-console.XXXXXX.log)
[ -n "$results" ] || results=$work/results

# Copy a host file to the same path under $1, resolving symlinks.
install_file() {
	local root=$1 f=$2
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
}

# Shared libraries (and the dynamic loader) that the given ELF files need.
lib_closure() {
	ldd "$@" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u
}

make_cpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$2"
}

# --- base image ---------------------------------------------------------

xtables_dir=/usr/lib/x86_64-linux-gnu/xtables
busybox=$(command -v busybox)
[ -n "$busybox" ] || die "busybox-static is not installed"
elfs=("$busybox" /usr/bin/bash /usr/bin/ip /usr/sbin/xtables-nft-multi
      /usr/sbin/xtables-legacy-multi)
for f in "${elfs[@]}"; do [ -x "$f" ] || die "missing $f"; done
plugins=("$xtables_dir"/*.so)
mapfile -t libs < <(lib_closure "${elfs[@]:1}" "${plugins[@]}")

key=$( (
	echo base-v1
	sha256sum "$here/init.sh" "$0"
	sha256sum "${elfs[@]}" "${plugins[@]}" "${libs[@]}"
) | sha256sum | cut -c1-16)
base=$cache/base-$key.cpio.gz

if [ ! -s "$base" ]; then
	root=$work/base
	mkdir -p "$root"/{bin,sbin,lib,lib64,usr/bin,usr/sbin,usr/lib,etc,dev,proc,sys,tmp,run,root,var,tests,lib/ctrack}
	mkdir -p "$root"/sys/kernel/debug
	cp "$busybox" "$root/bin/busybox"
	"$busybox" --list-full | while read -r applet; do
		[ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$root/$applet"
	done
	# Debian's binaries replace busybox's applets of the same name. sh is
	# bash too: Debian's busybox ash runs its own applets (its "ip" among
	# them) in preference to PATH, so "sh -c 'ip netns ...'" would fail.
	for f in bash ip sh; do
		find "$root" -name "$f" -type l -delete
	done
	cp /usr/bin/bash "$root/bin/bash"
	ln -s bash "$root/bin/sh"
	cp /usr/bin/ip "$root/sbin/ip"
	cp /usr/sbin/xtables-nft-multi /usr/sbin/xtables-legacy-multi "$root/usr/sbin/"
	for fam in iptables ip6tables; do
		for suffix in "" -save -restore; do
			ln -sf xtables-nft-multi "$root/usr/sbin/$fam$suffix"
			ln -sf xtables-nft-multi "$root/usr/sbin/$fam-nft$suffix"
			ln -sf xtables-legacy-multi "$root/usr/sbin/$fam-legacy$suffix"
		done
	done
	find "$root" -regex '.*/s?bin/ip6?tables[^/]*' -lname /bin/busybox -delete
	for f in "${libs[@]}" "${plugins[@]}"; do
		install_file "$root" "$f"
	done

	cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
	cat >"$root/etc/group" <<EOF
root:x:0:
nogroup:x:65534:
EOF
	cat >"$root/etc/protocols" <<EOF
ip	0	IP
icmp	1	ICMP
igmp	2	IGMP
tcp	6	TCP
udp	17	UDP
ipv6	41	IPv6
gre	47	GRE
esp	50	IPSEC-ESP
ah	51	IPSEC-AH
ipv6-icmp	58	IPv6-ICMP
sctp	132	SCTP
udplite	136	UDPLite
EOF
	cat >"$root/etc/services" <<EOF
ftp		21/tcp
ssh		22/tcp
domain		53/tcp
domain		53/udp
http		80/tcp
ntp		123/udp
https		443/tcp
EOF
	echo "127.0.0.1 localhost ctrack-vm" >"$root/etc/hosts"
	echo "hosts: files" >"$root/etc/nsswitch.conf"
	echo "ctrack-vm" >"$root/etc/hostname"
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3
	install -m 755 "$here/init.sh" "$root/init"
	make_cpio "$root" "$base.tmp.$$"
	mv "$base.tmp.$$" "$base"
	# Older base images are dead weight once the inputs changed.
	find "$cache" -maxdepth 1 -name 'base-*.cpio.gz' ! -name "${base##*/}" -delete
	rm -rf "$root"
fi
images=("$base")

# --- kernel modules -----------------------------------------------------

# Module paths (relative to the release directory) that the tests need,
# with their modules.dep closure.
# libcrc32c has only a softdep on the crc32c crypto drivers, so name them.
module_patterns='^kernel/net/(ipv4/|ipv6/)?netfilter/|^kernel/drivers/net/(veth|dummy)\.ko|^kernel/net/core/pktgen\.ko|^kernel/lib/[^/]*crc32c[^/]*\.ko|^kernel/(arch/x86/)?crypto/crc32c'

if [ -n "$moddir" ]; then
	[ -d "$moddir" ] || die "no module directory $moddir"
	moddir=$(cd "$moddir" && pwd)
	if [ -f "$moddir/modules.dep" ]; then
		rel=${moddir##*/}
		mods=$(awk -F: -v re="$module_patterns" '
			{ dep[$1] = $2 }
			$1 ~ re { want[$1] = 1 }
			END {
				do {
					added = 0
					for (m in want) {
						n = split(dep[m], d, " ")
						for (i = 1; i <= n; i++)
							if (!(d[i] in want)) { want[d[i]] = 1; added = 1 }
					}
				} while (added)
				for (m in want) print m
			}' "$moddir/modules.dep" | LC_ALL=C sort)
		src=$moddir
	elif [ -f "$moddir/modules.order" ] && [ -f "$moddir/include/config/kernel.release" ]; then
		# A kernel build tree: take the modules it built.
		rel=$(cat "$moddir/include/config/kernel.release")
		mods=$(sed 's/\.o$/.ko/; s/^kernel\///' "$moddir/modules.order" |
		       while read -r m; do [ -f "$moddir/$m" ] && echo "$m"; done)
		src=$moddir
	else
		die "$moddir is neither /lib/modules/REL nor a kernel build tree"
	fi
	key=$( (echo mod-v1 "$rel"; cd "$src" && for m in $mods; do stat -c '%n %s %Y' "$m"; done) |
	      sha256sum | cut -c1-16)
	modimg=$cache/modules-$rel-$key.cpio.gz
	if [ ! -s "$modimg" ]; then
		root=$work/mod
		dst=$root/lib/modules/$rel
		mkdir -p "$dst"
		for m in $mods; do
			case "$src" in
			*/lib/modules/*) out=$m ;;
			*) out=kernel/$m ;;
			esac
			mkdir -p "$dst/$(dirname "$out")"
			case "$m" in
			*.ko.xz) xz -dc "$src/$m" >"$dst/${out%.xz}" ;;
			*.ko.zst) zstd -qdc "$src/$m" >"$dst/${out%.zst}" ;;
			*.ko.gz) gzip -dc "$src/$m" >"$dst/${out%.gz}" ;;
			*) cp "$src/$m" "$dst/$out" ;;
			esac
		done
		for f in modules.builtin modules.builtin.modinfo; do
			[ -f "$src/$f" ] && cp "$src/$f" "$dst/"
		done
		(cd "$dst" && find kernel -name '*.ko' | LC_ALL=C sort >modules.order)
		depmod -b "$root" "$rel"
		make_cpio "$root" "$modimg.tmp.$$"
		mv "$modimg.tmp.$$" "$modimg"
		find "$cache" -maxdepth 1 -name "modules-$rel-*.cpio.gz" ! -name "${modimg##*/}" -delete
		rm -rf "$root"
	fi
	images+=("$modimg")
fi

# --- this run: tests, modules under test, settings ----------------------

root=$work/run
mkdir -p "$root/tests" "$root/lib/ctrack" "$root/etc"
for d in "${tests[@]}"; do
	cp -a "$d"/. "$root/tests/"
done
for f in "${extra_ko[@]}"; do
	cp "$f" "$root/lib/ctrack/"
done
# Helper binaries of the tests: /usr/bin comes first in PATH.
if [ ${#bins[@]} -gt 0 ]; then
	mkdir -p "$root/usr/bin" "$root/usr/lib/ctrack/xtables"
	for b in "${bins[@]}"; do
		case "${b##*/}" in
		libxt_*.so) cp -L "$b" "$root/usr/lib/ctrack/xtables/" ;;
		*) cp -L "$b" "$root/usr/bin/" ;;
		esac
	done
	while read -r f; do
		install_file "$root" "$f"
	done < <(lib_closure "${bins[@]}")
fi
flavor=stock
[ "$debug" = 1 ] && flavor=debug
cat >"$root/etc/ctrack-vm.conf" <<EOF
KERNEL_FLAVOR=$flavor
TEST_TIMEOUT=$test_timeout
EOF
for e in "${envs[@]}"; do
	printf 'export %s=%q\n' "${e%%=*}" "${e#*=}" >>"$root/etc/ctrack-vm.conf"
done
make_cpio "$root" "$work/run.cpio.gz"
images+=("$work/run.cpio.gz")
cat "${images[@]}" >"$work/initrd"

# --- boot ---------------------------------------------------------------

cmdline="console=ttyS0 panic_on_warn=1 oops=panic panic=-1 quiet loglevel=4 rdinit=/init mitigations=off"
[ "$debug" = 1 ] && cmdline+=" kmemleak=on"
[ -n "$append" ] && cmdline+=" $append"
accel=tcg
[ "$cpus" -gt 1 ] && accel=tcg,thread=multi
trace=()
# The module area of x86_64 (MODULES_VADDR to MODULES_END): nothing of the
# kernel proper, so the log stays small enough to write.
[ -n "$tracelog" ] && trace=(-d in_asm,exec,nochain -dfilter 0xffffffffc0000000+0x3f000000 -D "$tracelog")
clock=()
if [ "$icount" = 1 ]; then
	# An instruction a nanosecond, idle time skipped: what the guest
	# measures is what it executed, whatever else the host is doing.
	accel=tcg
	clock=(-icount shift=0,sleep=off)
fi
# No 5-level paging: 6.1's identify_cpu() clears boot_cpu_data's feature
# bits with interrupts on, so an interrupt in that window sees LA57 gone
# and KASAN takes the direct map (0xff11...) for a wild address: a boot
# panic before init, seen once in CI. Servers rarely have LA57 anyway.
cpu=max,la57=off

: >"$log"
: >"$results"
if [ "$verbose" = 1 ]; then
	tail -n +1 -f "$log" >&2 &
	tailpid=$!
fi
start=$(date +%s)
rc=0
timeout -k 10 "$timeout" qemu-system-x86_64 \
	-accel "$accel" "${clock[@]}" "${trace[@]}" -machine q35 -cpu "$cpu" -smp "$cpus" -m "$mem" \
	-nographic -no-reboot -monitor none -nic none \
	-kernel "$kernel" -initrd "$work/initrd" -append "$cmdline" \
	-serial "file:$log" -serial "file:$results" </dev/null >"$work/qemu.out" 2>&1 || rc=$?
end=$(date +%s)
[ -n "$tailpid" ] && { sleep 1; kill "$tailpid" 2>/dev/null; wait "$tailpid" 2>/dev/null || true; }

tr -d '\r' <"$results" >"$work/res"
if ! grep -qx 'CTRACK-VM-DONE' "$work/res"; then
	why="panic, hang or timeout"
	[ "$rc" = 124 ] && why="timeout after ${timeout}s"
	echo "FAIL: vm: did not finish ($why), see $log" >>"$work/res"
	{
		echo "--- qemu exited $rc after $((end - start))s; last 60 console lines ($log):"
		tail -n 60 "$log"
		[ -s "$work/qemu.out" ] && { echo "--- qemu:"; cat "$work/qemu.out"; }
	} >&2
fi
[ "$results" = "$work/results" ] || cp "$work/res" "$results"
echo "run-vm: $(basename "$kernel") finished in $((end - start))s" >&2

grep -E '^(PASS|FAIL|SKIP): ' "$work/res" || true
! grep -q '^FAIL: ' "$work/res"
