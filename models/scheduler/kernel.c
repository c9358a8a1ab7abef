#include "kernel.h"
static uint32_t parallel_min_nodes;
void ks_kernel_set_parallel_min_nodes(uint32_t n) { parallel_min_nodes = n; }
