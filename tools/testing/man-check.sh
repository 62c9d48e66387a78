#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# man-check.sh CTRACK MANPAGE: `ctrack --help` and ctrack.8 document the
# same options. Every option --help lists must be in the man page, and
# every option the man page defines (a .B/.BR/.BI line that starts with
# one) must be in --help. Prints what differs; exit 1 if anything does.
help=$("$1" --help) || exit 1
man=$2
opts() { grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z-]*' | sed -E 's/^[ ,]//' | sort -u; }
from_help=$(echo "$help" | opts)
# Definitions in roff: ".BR \-s ", " \-\-src ..." -> -s --src
from_man=$(grep -E '^\.(B|BR|BI|IP|TP)? *\\-' "$man" | sed 's/\\-/-/g; s/"//g' | opts)
bad=0
for o in $from_help; do
	grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$man" ||
		{ echo "in --help, not in $man: $o"; bad=1; }
done
for o in $from_man; do
	echo "$from_help" | grep -qx -- "$o" ||
		{ echo "in $man, not in --help: $o"; bad=1; }
done
exit $bad
