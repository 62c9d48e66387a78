/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_CORE_H
#define _CTRACK_CORE_H

#include <net/net_namespace.h>

/*
 * Hook priorities. Classification runs after defragmentation (-400), the
 * raw table (-300) and nf_conntrack (-200), and before mangle (-150), NAT
 * and filter; confirmation runs last, like nf_conntrack's.
 */
#define CTRACK_PRI_CLASSIFY	(-190)
#define CTRACK_PRI_CONFIRM	INT_MAX

int ctrack_hooks_register(struct net *net);
void ctrack_hooks_unregister(struct net *net);

#endif /* _CTRACK_CORE_H */
