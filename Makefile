# SPDX-License-Identifier: GPL-2.0
#
# User-level entry points. The kernel build itself reads Kbuild.
#
#   make [KDIR=/lib/modules/REL/build]   module and tools
#   make install [DESTDIR= PREFIX=]     tools and man pages (not the module)
#   make dkms-install                    module to DKMS, built for every kernel (root)
#   make dist                            build/ctrack-VERSION.tar.gz
#   dpkg-buildpackage -us -uc -b         the .deb packages (debian/)
#   make check                           every test; ends "N passed, N failed"
#   make demo                            a throwaway VM with real traffic
#   make campaign-NAME [KERNEL= CPUS= SIZE=ci|soak]  one reliability campaign
#   make style / make sparse             checkpatch / sparse on the module

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr
DESTDIR ?=
CC ?= gcc
CFLAGS ?= -O2 -g
# CPPFLAGS and LDFLAGS too, so that dpkg-buildflags' hardening reaches
# every tool.
TOOLS_CFLAGS := -Wall -Wextra -Werror -Iinclude $(CPPFLAGS) $(CFLAGS)
# One version for module, tools, DKMS and tarball: git describe on the
# release tags, or the VERSION file outside git (tools/version.sh).
VERSION := $(shell $(CURDIR)/tools/version.sh)
XTLIBDIR ?= $(shell pkg-config --variable=xtlibdir xtables)
MAN8DIR := $(PREFIX)/share/man/man8
DOCDIR ?= $(PREFIX)/share/doc/ctrack

.PHONY: all module tools install uninstall install-module dkms-install dkms-uninstall bench \
	dist version check demo style sparse clean FORCE

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CTRACK_VERSION=$(VERSION) modules

tools: tools/testing/ctpkt tools/testing/ctnl tools/testing/ctbulk tools/testing/ctfuzz tools/ctrack/ctrack \
	tools/xtables/libxt_ctrack.so

# Rewritten only when the version changes: what prints the version is
# rebuilt after a pull or a tag even when its own source did not change.
build/version: FORCE
	@mkdir -p build
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' >$@

FORCE:

tools/ctrack/ctrack: tools/ctrack/ctrack.c include/uapi/linux/ctrack.h build/version
	$(CC) $(TOOLS_CFLAGS) -Iinclude/uapi -DCTRACK_TOOLS_VERSION='"$(VERSION)"' -o $@ $< $(LDFLAGS) -lmnl

tools/testing/ctpkt: tools/testing/ctpkt.c
	$(CC) $(TOOLS_CFLAGS) -static -o $@ $<

tools/testing/ctnl tools/testing/ctbulk tools/testing/ctfuzz: %: %.c include/uapi/linux/ctrack.h
	$(CC) $(TOOLS_CFLAGS) -Iinclude/uapi -o $@ $< $(LDFLAGS) -lmnl

tools/xtables/libxt_ctrack.so: tools/xtables/libxt_ctrack.c include/uapi/linux/ctrack.h \
		include/uapi/linux/netfilter/xt_ctrack.h
	$(CC) $(TOOLS_CFLAGS) -shared -fPIC $(shell pkg-config --cflags xtables) -Iinclude/uapi -o $@ $< $(LDFLAGS) $(shell pkg-config --libs xtables)

# The match's man page: iptables-extensions(8) is one page generated from
# iptables' own fragments, so ours is a page of its own, ctrack-match(8),
# the fragment tools/xtables/libxt_ctrack.man under a generated header.
build/ctrack-match.8: tools/xtables/libxt_ctrack.man build/version
	@mkdir -p build
	{ printf '.TH CTRACK-MATCH 8 "" "ctrack %s" "iptables-extensions"\n' '$(VERSION)'; \
	  printf '.SH NAME\nctrack-match \\- the ctrack match of iptables and ip6tables\n'; \
	  printf '.SH SYNOPSIS\n\\fBiptables\\fP [...] \\fB\\-m ctrack\\fP [\\fIoptions\\fP]\n'; \
	  printf '.SH DESCRIPTION\n'; \
	  cat tools/xtables/libxt_ctrack.man; \
	  printf '.SH SEE ALSO\n\\fBctrack\\fP(8), \\fBiptables-extensions\\fP(8), \\fBconntrack\\fP(8)\n'; \
	} >$@.tmp && mv $@.tmp $@

# Userspace only: the ctrack command, the iptables plugin, their man pages
# and an example modules-load.d file. Loading ctrack at boot is opt-in (copy
# the example to /etc/modules-load.d/): installing the tools must not start
# tracking every namespace, nor name a module that may not be installed.
# The module itself comes from DKMS (make dkms-install) or install-module.
# Works without root into a DESTDIR.
INSTALLED := $(PREFIX)/sbin/ctrack $(XTLIBDIR)/libxt_ctrack.so \
	$(MAN8DIR)/ctrack.8 $(MAN8DIR)/ctrack-match.8 \
	$(DOCDIR)/examples/modules-load.d/ctrack.conf

install: tools/ctrack/ctrack tools/xtables/libxt_ctrack.so build/ctrack-match.8
	@test -n "$(XTLIBDIR)" || { echo "install: pkg-config xtables found no xtlibdir" >&2; exit 1; }
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(XTLIBDIR) $(DESTDIR)$(MAN8DIR) \
		$(DESTDIR)$(DOCDIR)/examples/modules-load.d
	install -m 0755 tools/ctrack/ctrack $(DESTDIR)$(PREFIX)/sbin/ctrack
	install -m 0644 tools/xtables/libxt_ctrack.so $(DESTDIR)$(XTLIBDIR)/libxt_ctrack.so
	install -m 0644 tools/ctrack/ctrack.8 $(DESTDIR)$(MAN8DIR)/ctrack.8
	install -m 0644 build/ctrack-match.8 $(DESTDIR)$(MAN8DIR)/ctrack-match.8
	printf '# Load ctrack at boot: copy to /etc/modules-load.d/ctrack.conf\nctrack\n' \
		>$(DESTDIR)$(DOCDIR)/examples/modules-load.d/ctrack.conf
	chmod 0644 $(DESTDIR)$(DOCDIR)/examples/modules-load.d/ctrack.conf

# Removes exactly the files install put, then ctrack's own doc directories
# if empty; shared directories (sbin, man8, xtables) stay.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DOCDIR)/examples/modules-load.d $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(DOCDIR) 2>/dev/null

# The module for the running (or KVER's) kernel, without DKMS: it is gone
# at the next kernel upgrade.
install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)

# Needs root and dkms: tools/dkms.sh says what each does.
dkms-install:
	bash tools/dkms.sh install

dkms-uninstall:
	bash tools/dkms.sh uninstall

# A release tarball: what git tracks at HEAD, with this version written
# into its VERSION file, where tools/version.sh finds it outside git.
dist:
	@test -z "$$(git status --porcelain --untracked-files=no)" || \
		{ echo "dist: uncommitted changes; commit them first" >&2; exit 1; }
	rm -rf build/ctrack-$(VERSION) && mkdir -p build
	git archive --prefix=ctrack-$(VERSION)/ HEAD | tar -x -C build
	echo $(VERSION) >build/ctrack-$(VERSION)/VERSION
	tar -C build -czf build/ctrack-$(VERSION).tar.gz ctrack-$(VERSION)
	rm -rf build/ctrack-$(VERSION)
	@echo build/ctrack-$(VERSION).tar.gz

version:
	@echo $(VERSION)

check:
	bash tools/testing/make-check.sh

demo:
	bash tools/testing/demo.sh

# Reliability campaigns (tools/testing/campaign.sh lists them), each in a
# VM of its own, on the debug kernel unless KERNEL= says 6.1 or 6.12.
KERNEL ?= debug
CPUS ?= 2
SIZE ?= ci
campaign-%:
	bash tools/testing/campaign.sh $* $(KERNEL) $(CPUS) $(SIZE)

# ctrack against nf_conntrack and no tracking in one VM boot a vCPU count.
REPS ?= 5
BENCH_CPUS ?= 2 4
bench:
	bash tools/testing/bench.sh $(REPS) "$(BENCH_CPUS)"

# checkpatch from Debian's linux-source-6.1 (unpacked by the debug kernel build).
style:
	bash tools/testing/style.sh

sparse:
	bash tools/testing/sparse.sh

clean:
	if [ -d $(KDIR) ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -f tools/testing/ctpkt tools/testing/ctnl tools/testing/ctbulk tools/testing/ctfuzz tools/ctrack/ctrack
	rm -f tools/xtables/libxt_ctrack.so
	rm -rf build
