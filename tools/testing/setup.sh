#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing ctrack needs on a Debian 12 host: the
# toolchain, Debian's 6.1 kernel (headers, image, source for the debug
# kernel) and the 6.12 kernel from bookworm-backports, qemu and the
# userspace that goes into the test VM's initramfs.
#
# bookworm-backports is added by reusing the mirror URI that the machine's
# own apt sources already name, so no host name is written here.
set -e

[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

mirror_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { print $2; exit }' "$f"
	done | grep -v -- '-security' | head -n1
	[ -f /etc/apt/sources.list ] &&
		awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list
}

bp=/etc/apt/sources.list.d/ctrack-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri=$(mirror_uri | head -n1)
	[ -n "$uri" ] || { echo "setup.sh: no Debian mirror in apt sources" >&2; exit 1; }
	cat >"$bp" <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

stamp=/var/lib/ctrack-setup.stamp
want="v4 $(uname -m)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -z "$FORCE" ]; then
	exit 0
fi

apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod \
	rsync xz-utils zstd python3 git pkg-config \
	linux-source-6.1 linux-headers-amd64 linux-image-amd64 \
	qemu-system-x86 busybox-static iproute2 iptables \
	libmnl-dev libxtables-dev sparse codespell python3-yaml \
	dkms dh-dkms debhelper lintian groff-base conntrack >/dev/null
# The 6.12 kernel: the newest image and headers that bookworm-backports has.
apt-get install -y -qq --no-install-recommends -t bookworm-backports \
	linux-image-amd64 linux-headers-amd64 >/dev/null
echo "$want" >"$stamp"
