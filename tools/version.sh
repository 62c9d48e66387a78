#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print ctrack's version, one line. The release number lives in VERSION;
# git adds where in history this tree is:
#
#   on the release tag vX.Y.Z           X.Y.Z
#   N commits after it                  X.Y.Z+N.gHASH
#   no release tag reachable            X.Y.Z+gHASH        (X.Y.Z from VERSION)
#   uncommitted changes                 ... .dirty appended
#   not a git checkout (a tarball,      the VERSION file as it is
#   /usr/src/ctrack-*, a .deb build)
#
# "+" sorts after the release in dpkg and DKMS, so a build from git
# upgrades the release it started from. Only this project's own checkout
# counts (a .git here): a tarball unpacked inside some other repository
# uses VERSION.
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(cat "$top/VERSION") || exit 1

# git as whoever can use the checkout. git refuses a repository that
# another user owns (safe.directory), as in `make; sudo make install`:
# root asks as the owner; anyone else takes what the owner's last build
# recorded in build/version (see the Makefile), so both builds agree.
owner=$(stat -c %U "$top")
git_() {
	if [ "$(id -u)" = 0 ] && [ "$owner" != root ] && [ "$owner" != UNKNOWN ]; then
		runuser -u "$owner" -- git -C "$top" "$@"
	else
		git -C "$top" "$@"
	fi
}

if [ ! -e "$top/.git" ]; then
	echo "$base"
	exit 0
fi
if [ "$(git_ rev-parse --show-toplevel 2>/dev/null)" != "$top" ]; then
	if [ -s "$top/build/version" ]; then
		cat "$top/build/version"
	else
		echo "$base"
	fi
	exit 0
fi
desc=$(git_ describe --tags --match 'v[0-9]*' --always --dirty=.dirty 2>/dev/null) || {
	echo "$base"
	exit 0
}
case "$desc" in
v*)	# v0.1.0, v0.1.0-3-g1a2b3c4, v0.1.0-3-g1a2b3c4.dirty
	echo "$desc" | sed -e 's/^v//' -e 's/-\([0-9][0-9]*\)-g/+\1.g/'
	;;
*)	# 1a2b3c4, 1a2b3c4.dirty
	echo "$base+g$desc"
	;;
esac
