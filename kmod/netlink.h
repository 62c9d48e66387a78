/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_NETLINK_H
#define _CTRACK_NETLINK_H

struct ctrack_entry;

/* What happened to an entry; each has its multicast group. */
enum ctrack_event {
	CTRACK_EV_NEW,		/* confirmed into the table */
	CTRACK_EV_UPDATE,	/* TCP state, status or mark changed */
	CTRACK_EV_DESTROY,	/* left the table */
	__CTRACK_EV_MAX
};

void ctrack_event(struct ctrack_entry *e, enum ctrack_event ev);

int ctrack_netlink_init(void);
void ctrack_netlink_exit(void);

#endif /* _CTRACK_NETLINK_H */
