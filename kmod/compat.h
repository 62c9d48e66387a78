/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place where ctrack knows which kernel it is built for.
 * Supported: 6.1 (Debian 12) up to 6.12 (Debian 12 backports, Debian 13).
 */
#ifndef _CTRACK_COMPAT_H
#define _CTRACK_COMPAT_H

#include <linux/version.h>
#include <net/net_namespace.h>
#include <net/genetlink.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "ctrack needs Linux 6.1 or newer"
#endif

/*
 * 6.6 made sysctl tables sized instead of sentinel-terminated and turned
 * register_net_sysctl() into a macro that needs an array. ctrack's tables
 * are per-netns copies (pointers), so pass the size explicitly; the table
 * keeps its sentinel so that 6.1 still finds the end.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define ctrack_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define ctrack_register_net_sysctl(net, path, table, n) \
	register_net_sysctl(net, path, table)
#endif

/*
 * 6.6 carries a dump's parsed attributes in a struct genl_info inside
 * struct genl_dumpit_info; before, the latter held them itself.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define ctrack_dump_attrs(cb) (genl_info_dump(cb)->attrs)
#else
#define ctrack_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#endif

/* 6.11 made the table that proc handlers receive const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define CTRACK_CTL_TABLE const struct ctl_table
#else
#define CTRACK_CTL_TABLE struct ctl_table
#endif

#endif /* _CTRACK_COMPAT_H */
