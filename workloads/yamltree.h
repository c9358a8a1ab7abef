/* yamltree.h — a small YAML document tree with source positions, built with libyaml.
 *
 * The config loader needs three things that libyaml's own document API does not give directly:
 * the position of every node (including mapping keys, so that an unknown field is reported at
 * the key), whether a scalar was quoted (a quoted "3" is a string, not an integer, exactly as
 * kubectl's JSON conversion sees it), and strict rejection of duplicate keys, which libyaml
 * accepts silently. This module parses a whole stream of documents ("---") into plain nodes.
 *
 * Aliases (*name) are rejected with an error at the alias: resolving them would turn the tree
 * into a graph (or copy it, which "billion laughs" inputs exploit), and Kubernetes manifests
 * practically never use them. Anchors alone (&name) are accepted and have no effect.
 *
 * Plain scalars are resolved with the YAML 1.2 core schema (ks_yscalar_resolve): null, bool,
 * int, float or string. Quoted and block scalars (| >), and scalars tagged !!str, are strings.
 *
 * Ownership: ks_yaml_parse allocates the whole tree in an arena of large blocks under the memory
 * purpose "config"; ks_ystream_free releases it at once. The tree keeps no pointer into the source
 * text. Cost: 40 bytes per node plus the scalar text, in a few allocations per megabyte
 * (a per-node malloc made a 100,000-pod `kubectl get -o yaml` export cost 1 GB and 5 s, most of
 * it in page faults). The duplicate-key check is quadratic in the size of one mapping, which
 * stays small in manifests (the largest are label maps).
 */
#ifndef KS_YAMLTREE_H
#define KS_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ks_ykind { KS_YSCALAR, KS_YMAPPING, KS_YSEQUENCE } ks_ykind;

typedef struct ks_ynode {
    ks_ykind kind;
    int line, col;          /* 1-based position of the node's first character */
    bool quoted;            /* scalars only: quoted, block (| >) or tagged !!str */
    char *text;             /* scalars only: the value, NUL-terminated */
    struct ks_ynode **kids; /* mappings: key0, value0, key1, value1, …; sequences: the items */
    size_t nkids;
} ks_ynode;

typedef struct ks_ydoc {
    ks_ynode *root;    /* never NULL; an empty document has a null scalar root */
    int line, col;     /* where the document starts */
    size_t start, end; /* its byte span in the source */
} ks_ydoc;

typedef struct ks_ystream {
    ks_ydoc *docs;
    size_t ndocs;
    struct ks_yblock *arena; /* the blocks holding every node and text */
} ks_ystream;

typedef struct ks_yerror {
    int line, col;  /* 1-based */
    char msg[320];  /* e.g. "YAML syntax: mapping values are not allowed in this context" */
} ks_yerror;

/* Parses the LEN bytes of TEXT. On success returns 0 and fills *OUT. On error returns -1, fills
 * *ERR and leaves *OUT empty (nothing to free). */
int ks_yaml_parse(const char *text, size_t len, ks_ystream *out, ks_yerror *err);
void ks_ystream_free(ks_ystream *s);

/* Mapping accessors. Keys are always scalars (the parser rejects other keys). */
static inline size_t ks_ymap_size(const ks_ynode *m) { return m->nkids / 2; }
static inline const ks_ynode *ks_ymap_key(const ks_ynode *m, size_t i) { return m->kids[2 * i]; }
static inline const ks_ynode *ks_ymap_value(const ks_ynode *m, size_t i) { return m->kids[2 * i + 1]; }
/* The value for KEY in mapping M, or NULL when M is not a mapping or has no such key. */
const ks_ynode *ks_ymap_get(const ks_ynode *m, const char *key);

typedef enum ks_yscalar_type { KS_YS_NULL, KS_YS_BOOL, KS_YS_INT, KS_YS_FLOAT, KS_YS_STR } ks_yscalar_type;

/* The YAML 1.2 core-schema type of scalar N: for plain scalars "", "~", "null" → NULL,
 * "true"/"false" (and their Capitalised/UPPER forms) → BOOL, decimal, 0o octal and 0x hex
 * integers → INT, decimal floats and .inf/.nan → FLOAT, anything else → STR. Quoted scalars are
 * always STR. */
ks_yscalar_type ks_yscalar_resolve(const ks_ynode *n);
/* True for a NULL pointer or a null scalar: YAML's way of writing "absent". */
bool ks_ynode_is_null(const ks_ynode *n);

#endif
