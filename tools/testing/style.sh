#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make style: the kernel's checkpatch.pl (from Debian's linux-source-6.1,
# unpacked by the debug kernel build) with codespell, over every source
# file of the module, its uapi header and the KUnit suites.
# Exits non-zero on any error or warning.
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${CTRACK_CACHE:-/var/cache/ctrack}
cp=$(ls -d "$cache"/debug-kernel-*/build/scripts/checkpatch.pl 2>/dev/null | head -n1)
if [ -z "$cp" ]; then
	# No debug kernel yet: unpack checkpatch alone from the source tarball.
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || { echo "style: linux-source-6.1 is not installed (run tools/testing/setup.sh)" >&2; exit 2; }
	dir=$cache/checkpatch
	mkdir -p "$dir"
	tar -C "$dir" -xf "$tarball" --wildcards '*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	cp=$(ls -d "$dir"/*/scripts/checkpatch.pl)
fi
cd "$top"
dict=$(ls /usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt 2>/dev/null)
[ -f "$dict" ] || { echo "style: codespell is not installed (run tools/testing/setup.sh)" >&2; exit 2; }
files=$(git ls-files 'kmod/*.[ch]' 'kunit/*.[ch]' 'include/*.h' | grep -v '^kmod/compat.h$')
checkpatch() {
	"$cp" --no-tree --codespell --codespellfile "$dict" --quiet --show-types \
		--ignore FILE_PATH_CHANGES,MISSING_SIGN_OFF,COMMIT_MESSAGE"$1" -f $2
}
rc=0
checkpatch "" "$files" || rc=1
# compat.h exists to compare kernel versions: that is all it may do.
checkpatch ,LINUX_VERSION_CODE,CONSTANT_COMPARISON kmod/compat.h || rc=1
# With -f, checkpatch reports typos at CHECK level, shown only by --strict.
"$cp" --no-tree --codespell --codespellfile "$dict" --quiet --strict \
	--types TYPO_SPELLING -f $files kmod/compat.h || rc=1
[ "$rc" = 0 ] || exit 1
files="$files kmod/compat.h"
echo "style: checkpatch clean ($(echo "$files" | wc -w) files)"
