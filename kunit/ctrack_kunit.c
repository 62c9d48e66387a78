// SPDX-License-Identifier: GPL-2.0
/*
 * ctrack's KUnit suites, built as one translation unit: every unit of the
 * module except main.c is included here, so that the suites reach static
 * functions and the module gets a private copy of all global state (hash
 * table, entry cache, verdict rings, per-netns id). Loading it registers
 * no netfilter hook, /proc file or sysctl and never disturbs a loaded
 * ctrack.ko. The suites run while the module loads.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <kunit/test.h>

/*
 * The module's entry caches are named "ctrack_entry...". Slab caches are
 * unmergeable under KASAN, so caches of the same names would collide in
 * sysfs with a loaded ctrack.ko: give ours their own.
 */
#define CTRACK_CACHE_PREFIX "ctrack_kunit_"

#include "../kmod/tuple.c"
#include "../kmod/table.c"
#include "../kmod/proto_tcp.c"
#include "../kmod/proto_udp.c"
#include "../kmod/proto_icmp.c"
#include "../kmod/proto_generic.c"
#include "../kmod/verdict.c"
#include "../kmod/core.c"
#include "../kmod/gc.c"
#include "../kmod/sysctl.c"
#include "../kmod/proc.c"
#include "../kmod/pernet.c"
#include "../kmod/filter.c"
#include "../kmod/netlink.c"

#include "harness.c"

#include "tuple_test.c"
#include "tcp_test.c"
#include "tcp_window_test.c"
#include "udp_icmp_test.c"
#include "table_test.c"
#include "verdict_test.c"
#include "filter_test.c"
#include "hash_test.c"

kunit_test_suites(&tuple_suite, &tcp_transition_suite, &tcp_window_suite,
		  &udp_icmp_suite, &table_suite, &verdict_suite, &filter_suite,
		  &hash_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ctrack: KUnit suites");
MODULE_AUTHOR("The ctrack developers");
