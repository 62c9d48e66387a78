/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_PROC_H
#define _CTRACK_PROC_H

#include <net/net_namespace.h>

int ctrack_proc_init(struct net *net);
void ctrack_proc_exit(struct net *net);

#endif /* _CTRACK_PROC_H */
