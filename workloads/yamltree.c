/* yamltree.c — see yamltree.h.
 *
 * Built on libyaml's event API rather than its document API: events carry the start and end
 * marks of every node, the scalar style (plain or quoted) and the tag, and building our own nodes
 * lets the duplicate-key check and the alias rejection happen at the position the user wrote.
 */
#include "yamltree.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "alloc.h"

/* Deeper nesting than this is never a manifest; the limit keeps the config walker's recursion
 * bounded whatever the input. */
#define KS_YAML_MAX_DEPTH 200

/* Arena blocks: 256 KiB, or larger for one big scalar. */
#define KS_YBLOCK_BYTES (256u * 1024)

typedef struct ks_yblock {
    struct ks_yblock *next;
    size_t used, size;
    _Alignas(max_align_t) unsigned char data[];
} ks_yblock;

static ks_mem_id mem(void) { return ks_mem_purpose("config"); }

typedef struct builder {
    ks_ystream *out;
    size_t cap_docs;
    ks_ynode *stack[KS_YAML_MAX_DEPTH];
    size_t base[KS_YAML_MAX_DEPTH]; /* where each open collection's children start in pending */
    size_t depth;
    ks_ynode **pending; /* children of the open collections, innermost last */
    size_t npending, cap_pending;
    ks_yerror *err;
} builder;

/* ALIGN is 1 for text and the alignment of a pointer for nodes and kid arrays. */
static void *arena_alloc(ks_ystream *s, size_t bytes, size_t align)
{
    ks_yblock *b = s->arena;
    size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (!b || at > b->size || b->size - at < bytes) {
        size_t size = bytes > KS_YBLOCK_BYTES ? bytes : KS_YBLOCK_BYTES;
        b = ks_malloc(mem(), sizeof *b + size);
        b->next = s->arena;
        b->used = 0;
        b->size = size;
        s->arena = b;
        at = 0;
    }
    b->used = at + bytes;
    return b->data + at;
}

void ks_ystream_free(ks_ystream *s)
{
    for (ks_yblock *b = s->arena, *next; b; b = next) {
        next = b->next;
        ks_free(b);
    }
    ks_free(s->docs);
    s->docs = NULL;
    s->ndocs = 0;
    s->arena = NULL;
}

static void set_error_at(ks_yerror *err, int line, int col, const char *fmt, ...)
{
    err->line = line;
    err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

#define set_error(b, mark, ...) set_error_at((b)->err, (int)(mark).line + 1, (int)(mark).column + 1, __VA_ARGS__)

static ks_ynode *node_new(builder *b, ks_ykind kind, const yaml_event_t *ev)
{
    ks_ynode *n = arena_alloc(b->out, sizeof *n, _Alignof(ks_ynode));
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = (int)ev->start_mark.line + 1;
    n->col = (int)ev->start_mark.column + 1;
    return n;
}

/* Attaches N to the open collection (its kids are gathered in pending until it closes), or makes
 * it the root of the current document. */
static void attach(builder *b, ks_ynode *n)
{
    if (b->depth == 0) {
        b->out->docs[b->out->ndocs - 1].root = n;
        return;
    }
    ks_grow(mem(), (void **)&b->pending, &b->cap_pending, b->npending + 1, sizeof *b->pending);
    b->pending[b->npending++] = n;
}

/* Tags change how a scalar is read: !!str makes it a string whatever it looks like; the other
 * core tags (!!int "3") make it a typed value even when quoted. Application tags (!foo) have no
 * meaning in a manifest. */
static int scalar_tag(builder *b, const yaml_event_t *ev, bool *quoted)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    if (!tag) return 0;
    if (strcmp(tag, "tag:yaml.org,2002:str") == 0 || strcmp(tag, "!") == 0) {
        *quoted = true;
        return 0;
    }
    static const char *const plain_tags[] = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                                             "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"};
    for (size_t i = 0; i < sizeof plain_tags / sizeof *plain_tags; i++) {
        if (strcmp(tag, plain_tags[i]) == 0) {
            *quoted = false;
            return 0;
        }
    }
    set_error(b, ev->start_mark, "YAML: unsupported tag \"%.200s\"", tag);
    return -1;
}

static int collection_tag(builder *b, const yaml_event_t *ev, const yaml_char_t *tag, const char *want)
{
    if (!tag || strcmp((const char *)tag, want) == 0 || strcmp((const char *)tag, "!") == 0) return 0;
    set_error(b, ev->start_mark, "YAML: unsupported tag \"%.200s\"", (const char *)tag);
    return -1;
}

static int on_scalar(builder *b, const yaml_event_t *ev)
{
    ks_ynode *n = node_new(b, KS_YSCALAR, ev);
    size_t len = strnlen((const char *)ev->data.scalar.value, ev->data.scalar.length);
    n->text = arena_alloc(b->out, len + 1, 1);
    memcpy(n->text, ev->data.scalar.value, len);
    n->text[len] = 0;
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    attach(b, n);
    return scalar_tag(b, ev, &n->quoted);
}

static int on_start(builder *b, const yaml_event_t *ev, ks_ykind kind)
{
    if (b->depth == KS_YAML_MAX_DEPTH) {
        set_error(b, ev->start_mark, "YAML: nesting deeper than %d levels", KS_YAML_MAX_DEPTH);
        return -1;
    }
    ks_ynode *n = node_new(b, kind, ev);
    attach(b, n);
    b->base[b->depth] = b->npending;
    b->stack[b->depth++] = n;
    if (kind == KS_YMAPPING) return collection_tag(b, ev, ev->data.mapping_start.tag, "tag:yaml.org,2002:map");
    return collection_tag(b, ev, ev->data.sequence_start.tag, "tag:yaml.org,2002:seq");
}

/* Checks the keys of a finished mapping: scalars only, each once. O(n^2) in the mapping's size;
 * a hash set would pay off only for label maps far larger than any manifest has. */
static int check_keys(builder *b, const ks_ynode *m)
{
    for (size_t i = 0; i < ks_ymap_size(m); i++) {
        const ks_ynode *k = ks_ymap_key(m, i);
        if (k->kind != KS_YSCALAR) {
            set_error_at(b->err, k->line, k->col, "YAML: mapping keys must be strings, got a %s",
                         k->kind == KS_YMAPPING ? "mapping" : "sequence");
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            const ks_ynode *prev = ks_ymap_key(m, j);
            if (prev->kind == KS_YSCALAR && strcmp(prev->text, k->text) == 0) {
                set_error_at(b->err, k->line, k->col, "YAML: duplicate key \"%.200s\" (first at %d:%d)", k->text,
                             prev->line, prev->col);
                return -1;
            }
        }
    }
    return 0;
}

static int on_end(builder *b)
{
    ks_ynode *n = b->stack[--b->depth];
    n->nkids = b->npending - b->base[b->depth];
    if (n->nkids) {
        n->kids = arena_alloc(b->out, n->nkids * sizeof *n->kids, _Alignof(ks_ynode *));
        memcpy(n->kids, b->pending + b->base[b->depth], n->nkids * sizeof *n->kids);
    }
    b->npending = b->base[b->depth];
    return n->kind == KS_YMAPPING ? check_keys(b, n) : 0;
}

static void on_document_start(builder *b, const yaml_event_t *ev)
{
    ks_grow(mem(), (void **)&b->out->docs, &b->cap_docs, b->out->ndocs + 1, sizeof *b->out->docs);
    ks_ydoc *d = &b->out->docs[b->out->ndocs++];
    memset(d, 0, sizeof *d);
    d->line = (int)ev->start_mark.line + 1;
    d->col = (int)ev->start_mark.column + 1;
    d->start = ev->start_mark.index;
}

/* Handles one event; returns 1 at the end of the stream, 0 to go on, -1 on error. */
static int on_event(builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_STREAM_END_EVENT: return 1;
    case YAML_DOCUMENT_START_EVENT: on_document_start(b, ev); return 0;
    case YAML_DOCUMENT_END_EVENT: b->out->docs[b->out->ndocs - 1].end = ev->end_mark.index; return 0;
    case YAML_SCALAR_EVENT: return on_scalar(b, ev);
    case YAML_MAPPING_START_EVENT: return on_start(b, ev, KS_YMAPPING);
    case YAML_SEQUENCE_START_EVENT: return on_start(b, ev, KS_YSEQUENCE);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT: return on_end(b);
    case YAML_ALIAS_EVENT:
        set_error(b, ev->start_mark, "YAML: aliases (*%.200s) are not supported; write the value out",
                  (const char *)ev->data.alias.anchor);
        return -1;
    default: return 0;
    }
}

/* libyaml's reader errors carry a byte offset rather than a mark: count lines up to it. */
static void offset_position(const char *text, size_t len, size_t offset, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static void parser_error(const yaml_parser_t *p, const char *text, size_t len, ks_yerror *err)
{
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->error == YAML_MEMORY_ERROR) problem = "out of memory";
    if (p->error == YAML_READER_ERROR) {
        offset_position(text, len, p->problem_offset, &err->line, &err->col);
        snprintf(err->msg, sizeof err->msg, "YAML syntax: %s", problem);
        return;
    }
    err->line = (int)p->problem_mark.line + 1;
    err->col = (int)p->problem_mark.column + 1;
    if (p->context)
        snprintf(err->msg, sizeof err->msg, "YAML syntax: %s (%s at %d:%d)", problem, p->context,
                 (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    else
        snprintf(err->msg, sizeof err->msg, "YAML syntax: %s", problem);
}

int ks_yaml_parse(const char *text, size_t len, ks_ystream *out, ks_yerror *err)
{
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err->msg, sizeof err->msg, "YAML: cannot initialise the parser");
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    builder b = {.out = out, .err = err};
    int rc = 0;
    while (rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            parser_error(&p, text, len, err);
            rc = -1;
            break;
        }
        rc = on_event(&b, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    ks_free(b.pending);
    if (rc < 0) {
        ks_ystream_free(out);
        return -1;
    }
    return 0;
}

const ks_ynode *ks_ymap_get(const ks_ynode *m, const char *key)
{
    if (!m || m->kind != KS_YMAPPING) return NULL;
    for (size_t i = 0; i < ks_ymap_size(m); i++)
        if (strcmp(ks_ymap_key(m, i)->text, key) == 0) return ks_ymap_value(m, i);
    return NULL;
}

static bool one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0) return true;
    return false;
}

static bool all_in(const char *s, const char *set)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!strchr(set, *s)) return false;
    return true;
}

/* [-+]? ( "." digits | digits ( "." digits? )? ) ( [eE] [-+]? digits )? */
static bool is_core_float(const char *s)
{
    if (*s == '-' || *s == '+') s++;
    size_t before = strspn(s, "0123456789");
    s += before;
    size_t after = 0;
    if (*s == '.') {
        s++;
        after = strspn(s, "0123456789");
        s += after;
    }
    if (before == 0 && after == 0) return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+') s++;
        size_t exp = strspn(s, "0123456789");
        if (exp == 0) return false;
        s += exp;
    }
    return *s == 0;
}

ks_yscalar_type ks_yscalar_resolve(const ks_ynode *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
    static const char *const specials[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
                                           "-.INF", ".nan", ".NaN", ".NAN", NULL};
    if (n->kind != KS_YSCALAR || n->quoted) return KS_YS_STR;
    const char *s = n->text;
    if (!*s) return KS_YS_NULL;
    /* Every non-string form starts with one of these; most scalars are decided here. */
    if (!strchr("~nNtTfF.+-0123456789", *s)) return KS_YS_STR;
    if (one_of(s, nulls)) return KS_YS_NULL;
    if (one_of(s, bools)) return KS_YS_BOOL;
    const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;
    if (all_in(digits, "0123456789")) return KS_YS_INT;
    if (strncmp(s, "0o", 2) == 0 && all_in(s + 2, "01234567")) return KS_YS_INT;
    if (strncmp(s, "0x", 2) == 0 && all_in(s + 2, "0123456789abcdefABCDEF")) return KS_YS_INT;
    if (is_core_float(s) || one_of(s, specials)) return KS_YS_FLOAT;
    return KS_YS_STR;
}

bool ks_ynode_is_null(const ks_ynode *n)
{
    return !n || (n->kind == KS_YSCALAR && ks_yscalar_resolve(n) == KS_YS_NULL);
}
