/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_NETLINK_H
#define _CTRACK_NETLINK_H

int ctrack_netlink_init(void);
void ctrack_netlink_exit(void);

#endif /* _CTRACK_NETLINK_H */
