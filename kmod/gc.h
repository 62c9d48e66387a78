/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CTRACK_GC_H
#define _CTRACK_GC_H

int ctrack_gc_init(void);
void ctrack_gc_exit(void);

#endif /* _CTRACK_GC_H */
