// SPDX-License-Identifier: GPL-2.0
/*
 * ctrack: a stateful connection tracker, independent of nf_conntrack.
 * This file only orders the units' init and exit.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "table.h"
#include "verdict.h"
#include "gc.h"
#include "pernet.h"
#include "netlink.h"
#include "xt_ctrack.h"

static int __init ctrack_init(void)
{
	int err;

	err = ctrack_table_init();
	if (err)
		return err;
	err = ctrack_verdict_init();
	if (err)
		goto err_table;
	err = ctrack_gc_init();
	if (err)
		goto err_verdict;
	err = ctrack_pernet_init();
	if (err)
		goto err_gc;
	err = ctrack_xt_init();
	if (err)
		goto err_pernet;
	/* Last: userspace reaches the table only once it is all there. */
	err = ctrack_netlink_init();
	if (err)
		goto err_xt;
	return 0;

err_xt:
	ctrack_xt_exit();
err_pernet:
	ctrack_pernet_exit();
err_gc:
	ctrack_gc_exit();
err_verdict:
	ctrack_verdict_exit();
err_table:
	ctrack_table_exit();
	return err;
}

static void __exit ctrack_exit(void)
{
	ctrack_netlink_exit();
	ctrack_xt_exit();
	ctrack_pernet_exit();
	ctrack_gc_exit();
	ctrack_verdict_exit();
	ctrack_table_exit();
}

module_init(ctrack_init);
module_exit(ctrack_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ctrack: stateful connection tracking");
MODULE_AUTHOR("The ctrack developers");
MODULE_VERSION(CTRACK_VERSION);
MODULE_ALIAS_GENL_FAMILY(CTRACK_GENL_NAME);
MODULE_ALIAS("ipt_ctrack");
MODULE_ALIAS("ip6t_ctrack");
