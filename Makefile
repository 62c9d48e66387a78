# SPDX-License-Identifier: GPL-2.0
#
# User-level entry points. The kernel build itself reads Kbuild.
#
#   make [KDIR=/lib/modules/REL/build]   module and tools
#   make check                           every test; ends "N passed, N failed"
#   make demo                            a throwaway VM with real traffic
#   make style / make sparse             checkpatch / sparse on the module

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr
DESTDIR ?=
CC ?= gcc
CFLAGS ?= -O2 -g
TOOLS_CFLAGS := -Wall -Wextra -Werror -Iinclude $(CFLAGS)
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || cat VERSION)

.PHONY: all module tools install dkms-install check demo style sparse clean

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CTRACK_VERSION=$(VERSION) modules

tools: tools/testing/ctpkt tools/testing/ctnl tools/testing/ctbulk tools/ctrack/ctrack \
	tools/xtables/libxt_ctrack.so

tools/ctrack/ctrack: tools/ctrack/ctrack.c include/uapi/linux/ctrack.h
	$(CC) $(TOOLS_CFLAGS) -Iinclude/uapi -DCTRACK_TOOLS_VERSION='"$(VERSION)"' -o $@ $< -lmnl

tools/testing/ctpkt: tools/testing/ctpkt.c
	$(CC) $(TOOLS_CFLAGS) -static -o $@ $<

tools/testing/ctnl tools/testing/ctbulk: %: %.c include/uapi/linux/ctrack.h
	$(CC) $(TOOLS_CFLAGS) -Iinclude/uapi -o $@ $< -lmnl

tools/xtables/libxt_ctrack.so: tools/xtables/libxt_ctrack.c include/uapi/linux/ctrack.h \
		include/uapi/linux/netfilter/xt_ctrack.h
	$(CC) $(TOOLS_CFLAGS) -shared -fPIC $(shell pkg-config --cflags xtables) -Iinclude/uapi -o $@ $< $(shell pkg-config --libs xtables)

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KVER)

dkms-install:
	@echo "dkms-install: not implemented yet (issue 5)" >&2; exit 1

check:
	bash tools/testing/make-check.sh

demo:
	bash tools/testing/demo.sh

# checkpatch from Debian's linux-source-6.1 (unpacked by the debug kernel build).
style:
	bash tools/testing/style.sh

sparse:
	bash tools/testing/sparse.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -f tools/testing/ctpkt tools/testing/ctnl tools/testing/ctbulk
	rm -f tools/xtables/libxt_ctrack.so
	rm -rf build
