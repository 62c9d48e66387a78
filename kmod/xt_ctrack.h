/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_XT_H
#define _CTRACK_XT_H

int ctrack_xt_init(void);
void ctrack_xt_exit(void);

#endif /* _CTRACK_XT_H */
