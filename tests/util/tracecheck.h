/* tracecheck.h — reading kubesim traces back in the tests (HDF5 C API). */
#ifndef KS_TRACECHECK_H
#define KS_TRACECHECK_H

#include <stddef.h>
#include <stdint.h>

/* Rows of the dataset, or -1 if it does not exist. */
long ks_tc_rows(const char *file, const char *dataset);
/* One column of a compound dataset; malloc'd array of N values (free with ks_tc_free_strings
 * for strings, free() otherwise). NULL if the file, dataset or column is missing. */
char **ks_tc_strings(const char *file, const char *dataset, const char *column, size_t *n);
void ks_tc_free_strings(char **s, size_t n);
double *ks_tc_f64(const char *file, const char *dataset, const char *column, size_t *n);
int64_t *ks_tc_i64(const char *file, const char *dataset, const char *column, size_t *n);
/* A scalar integer / float attribute; returns 0 if found. */
int ks_tc_attr_i64(const char *file, const char *object, const char *name, int64_t *out);
int ks_tc_attr_f64(const char *file, const char *object, const char *name, double *out);
/* Compares every dataset of A and B value by value (strings by content). Returns 0 if equal, else
 * writes the first difference into WHY. */
int ks_tc_compare_datasets(const char *a, const char *b, char *why, size_t whysize);

#endif
