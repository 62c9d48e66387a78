/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_FILTER_H
#define _CTRACK_FILTER_H

#include <net/netlink.h>

#include "table.h"

/* The address and port slots, in the order of the CTRACK_FA_* pairs. */
enum ctrack_filter_slot {
	CTRACK_FS_ORIG_SRC,
	CTRACK_FS_ORIG_DST,
	CTRACK_FS_REPLY_SRC,
	CTRACK_FS_REPLY_DST,
	__CTRACK_FS_MAX
};

/* A parsed CTRACK_A_FILTER; @has holds one bit per CTRACK_FA_* given. */
struct ctrack_filter {
	u32 has;
	u8 family;
	u8 proto;
	u8 icmp_type;
	u8 icmp_code;
	__be16 icmp_id;
	u8 tcp_state;
	u32 status, status_mask;
	u32 mark, mark_mask;
	__be16 port[__CTRACK_FS_MAX];
	union nf_inet_addr addr[__CTRACK_FS_MAX];
	union nf_inet_addr mask[__CTRACK_FS_MAX];
};

extern const struct nla_policy ctrack_filter_policy[CTRACK_FA_MAX + 1];

int ctrack_filter_parse(struct ctrack_filter *f, const struct nlattr *nest,
			struct netlink_ext_ack *extack);
bool ctrack_filter_match(const struct ctrack_filter *f,
			 const struct ctrack_entry *e);

#endif /* _CTRACK_FILTER_H */
