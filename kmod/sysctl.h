/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_SYSCTL_H
#define _CTRACK_SYSCTL_H

#include "pernet.h"

int ctrack_sysctl_register(struct net *net, struct ctrack_net *cnet);
void ctrack_sysctl_unregister(struct ctrack_net *cnet);

#endif /* _CTRACK_SYSCTL_H */
