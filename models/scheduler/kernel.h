/* kernel.h — the scheduler's vectorised filter + score kernel (placeholder; see kernel.c). */
#ifndef KS_KERNEL_H
#define KS_KERNEL_H

#include <stdint.h>

/* The node count from which the kernel splits its loops over OpenMP threads; 0 restores the
 * measured default. Tests lower it so that two threads really run on small clusters. */
void ks_kernel_set_parallel_min_nodes(uint32_t n);

#endif
