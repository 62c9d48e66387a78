#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run ctrack's KUnit suites inside the debug-kernel VM: load
# ctrack_kunit.ko (the suites run while it loads), turn the KTAP that they
# leave in the kernel log into one PASS/FAIL/SKIP line per leaf test case,
# then unload it.
#
# KTAP as the kernel prints it for a module (indentation is 4 spaces per
# level; a "# Subtest:" header at depth d is closed by the result line at
# depth d - 4, whose children are the result lines at depth d):
#
#       # Subtest: ctrack_tcp              <- suite opens at depth 4
#       1..2
#       ok 1 tuple_from_skb                <- leaf case
#           # Subtest: transitions         <- parameterized case opens, depth 8
#           ok 1 - syn_sent syn            <- leaf sub-case
#           not ok 2 - syn_sent rst
#       not ok 2 transitions               <- closes the case
#   not ok 1 ctrack_tcp                    <- closes the suite
#
# emits "PASS: kunit: ctrack_tcp.tuple_from_skb",
#       "PASS: kunit: ctrack_tcp.transitions.syn_sent syn", ...

# At least this many leaf cases (the VM harness fails a stage that
# reports fewer: a suite that stopped half way).
echo "PLAN: 274"

ko=${CTRACK_DIR:-/lib/ctrack}/ctrack_kunit.ko
marker="ctrack-kunit-stage: start $$"

if [ ! -f "$ko" ]; then
	echo "FAIL: kunit: module missing ($ko)"
	exit 1
fi

# dmesg may hold boot-time KTAP; only what follows this marker counts.
echo "$marker" >/dev/kmsg
if ! insmod "$ko"; then
	echo "FAIL: kunit: insmod ctrack_kunit.ko failed"
	exit 1
fi

# The suites run synchronously while the module loads; give printk a
# moment to land everything in the buffer.
sleep 1

dmesg -s 4194304 >/tmp/kunit.dmesg 2>/dev/null || dmesg >/tmp/kunit.dmesg
awk -v marker="$marker" '
	index($0, marker) { found = 1; delete lines; n = 0; next }
	found { lines[++n] = $0 }
	END { for (i = 1; i <= n; i++) print lines[i] }
' /tmp/kunit.dmesg | sed -E 's/^\[[^]]*\] ?//' >/tmp/kunit.ktap

echo "--- KTAP from ctrack_kunit.ko:"
cat /tmp/kunit.ktap

awk '
	function depth(s) { match(s, /^ */); return RLENGTH }
	function path(d,   p, i) {
		p = ""
		for (i = 4; i <= d; i += 4)
			if (open[i]) p = p (p == "" ? "" : ".") name[i]
		return p
	}
	{ sub(/\r$/, "") }
	/^ *# Subtest: / {
		d = depth($0)
		s = $0; sub(/^ *# Subtest: /, "", s)
		name[d] = s; open[d] = 1; kids[d] = 0
		next
	}
	/^ *(not )?ok [0-9]+ / {
		d = depth($0)
		s = $0; sub(/^ */, "", s)
		ok = (s !~ /^not /)
		sub(/^(not )?ok [0-9]+ (- )?/, "", s)
		dir = ""
		if (match(s, / # .*$/)) {
			dir = substr(s, RSTART + 3)
			s = substr(s, 1, RSTART - 1)
		}
		if (open[d + 4] && name[d + 4] == s) {
			# Closes a suite or a parameterized case; its children
			# were reported already, unless it had none.
			open[d + 4] = 0
			if (kids[d + 4])
				next
		}
		kids[d]++
		p = path(d)
		full = (p == "" ? s : p "." s)
		total++
		if (toupper(dir) ~ /^SKIP/) {
			sub(/^[A-Za-z]+ ?/, "", dir)
			print "SKIP: kunit: " full (dir == "" ? "" : " (" dir ")")
		} else if (ok) {
			print "PASS: kunit: " full
		} else {
			print "FAIL: kunit: " full
			failed++
		}
	}
	END {
		if (!total)
			print "FAIL: kunit: no KTAP results in the kernel log"
	}
' /tmp/kunit.ktap

if ! rmmod ctrack_kunit; then
	echo "FAIL: kunit: rmmod ctrack_kunit failed"
fi
exit 0
