#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One reliability campaign in a VM of its own:
#
#   make campaign-NAME [KERNEL=debug|6.1|6.12] [CPUS=2] [SIZE=ci|soak]
#   bash tools/testing/campaign.sh NAME [KERNEL [CPUS [SIZE]]]
#
#   flood  50-flood.sh + 51-flood-campaign.sh: SYN and UDP floods (pktgen,
#          ctpkt synflood) at net.ctrack.max 1024 and the default, ASSURED
#          probes through a stateful ruleset, every refusal counted, drain
#   malformed  55-malformed.sh  the packet corpus tools/testing/corpus/
#              malformed.txt, each packet's verdict on the match counters
#   fuzz   87-netlink-fuzz.sh  seeded netlink fuzzing, privileged and not
#   churn  65-churn-cycles.sh  rmmod/insmod and netns cycles under load
#   exit   66-netns-exit.sh  namespace exit time with init_net's table
#          empty and full (stock kernels only: KERNEL=6.1 or 6.12)
#   isolation  56-isolation.sh + 85-netlink-neg.sh: tenants and privileges
#   concurrency  70-smp.sh + 82-dump-churn.sh + 83-concurrency.sh: flows
#          on every vCPU, dumps under every writer at once (also CPUS=4)
#   hash   the ctrack_hash KUnit suite (debug kernel only): chain lengths
#          under crafted tuple sets
#
# make check runs the same scripts at SIZE=ci in its VMs (the KUnit suite
# in the debug VM); SIZE=soak is the larger load (CAMPAIGN_SIZE in the
# VM). The debug kernel is the default: KASAN, lockdep, PROVE_RCU,
# kmemleak; any splat or leak fails the run. Prints the PASS/FAIL lines
# and the campaign's figure lines; the console log is in
# /tmp/ctrack-campaign-NAME.log.
set -e -o pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
name=${1:?usage: campaign.sh flood|malformed|fuzz|churn|isolation|concurrency|hash|exit [KERNEL [CPUS [SIZE]]]}
kernel=${2:-debug}
cpus=${3:-2}
size=${4:-ci}
work=$(mktemp -d /tmp/ctrack-campaign.XXXXXX)
trap 'rm -rf "$work"' EXIT
log=/tmp/ctrack-campaign-$name.log

die() { echo "campaign: $*" >&2; exit 2; }

case "$size" in ci|soak) ;; *) die "SIZE is ci or soak, not $size" ;; esac
[[ $cpus =~ ^[1-8]$ ]] || die "CPUS is 1 to 8, not $cpus"

tests=() kunit=0 figures=
case "$name" in
flood)	tests=(50-flood.sh 51-flood-campaign.sh); figures='^# ' ;;
concurrency) tests=(70-smp.sh 82-dump-churn.sh 83-concurrency.sh); figures='^# ' ;;
malformed) tests=(55-malformed.sh); figures='^# corpus|^#   line' ;;
fuzz)	tests=(87-netlink-fuzz.sh); figures='^ctfuzz' ;;
churn)	tests=(65-churn-cycles.sh); figures='^# slab' ;;
exit)	tests=(66-netns-exit.sh); figures='^# netns exit' ;;
isolation) tests=(56-isolation.sh 85-netlink-neg.sh); figures='^# (lines|max)=' ;;
hash)	kunit=1; figures='longest chain' ;;
*)	die "no campaign $name (flood, malformed, fuzz, churn, isolation, concurrency, hash, exit)" ;;
esac
[ "$kunit" = 0 ] || [ "$kernel" = debug ] || die "$name runs KUnit: KERNEL=debug only"

[ "$(id -u)" = 0 ] && bash "$top/tools/testing/setup.sh"

# The module and the tools for the chosen kernel.
case "$kernel" in
debug)
	kdir=$(bash "$top/tools/testing/qemu/debug-kernel.sh")
	[ -n "$kdir" ] || die "no debug kernel"
	bzimage=$kdir/arch/x86/boot/bzImage
	vmargs=(--debug --kernel "$bzimage" --modules-from "$kdir" --timeout 3600 --test-timeout 3000)
	;;
6.1|6.12)
	rel=$(cd /lib/modules && ls -d "$kernel".* 2>/dev/null | sort -V | tail -n1)
	[ -n "$rel" ] || die "no $kernel kernel installed"
	kdir=/lib/modules/$rel/build
	vmargs=(--kernel "/boot/vmlinuz-$rel" --modules-from "/lib/modules/$rel" --timeout 3600 --test-timeout 3000)
	;;
*)	die "KERNEL is debug, 6.1 or 6.12, not $kernel" ;;
esac
bash "$top/tools/testing/build-module.sh" "$kdir" "$work/mod" >&2
vmargs+=(--extra-ko "$work/mod/ctrack.ko")
[ "$kunit" = 1 ] && vmargs+=(--extra-ko "$work/mod/ctrack_kunit.ko" --tests "$top/tools/testing/qemu/kunit-stage")

make -s -C "$top" tools >&2
for b in tools/testing/ctpkt tools/testing/ctnl tools/testing/ctbulk tools/testing/ctfuzz \
	 tools/ctrack/ctrack tools/xtables/libxt_ctrack.so; do
	[ -f "$top/$b" ] && vmargs+=(--bin "$top/$b")
done

if [ "${#tests[@]}" -gt 0 ]; then
	mkdir -p "$work/tests"
	cp "$top/tools/testing/tests/lib.bash" "$top/tools/testing/corpus/malformed.txt" "$work/tests/"
	for t in "${tests[@]}"; do
		cp "$top/tools/testing/tests/$t" "$work/tests/"
	done
	chmod +x "$work/tests/"*.sh
	vmargs+=(--tests "$work/tests")
fi

echo "campaign $name: kernel $kernel, $cpus vCPUs, size $size" >&2
rc=0
bash "$top/tools/testing/qemu/run-vm.sh" "${vmargs[@]}" --cpus "$cpus" \
	--env "CAMPAIGN_SIZE=$size" --log "$log" >"$work/out" || rc=$?
if [ "$kunit" = 1 ]; then
	grep -E "^(PASS|FAIL|SKIP): kunit: ctrack_hash|^(PASS|FAIL|SKIP): [^k]" "$work/out" || true
else
	grep -E '^(PASS|FAIL|SKIP): ' "$work/out" || true
fi
echo "--- figures"
grep -aE "$figures" "$log" | sed -E 's/^\[[^]]*\] ?//; s/^ *# ?//' || true
pass=$(grep -c '^PASS: ' "$work/out" || true)
fail=$(grep -c '^FAIL: ' "$work/out" || true)
echo "$pass passed, $fail failed"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
