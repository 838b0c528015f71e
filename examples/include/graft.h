/* graft.h — ABI graft/1 for control modules written in C.
 *
 * The host functions a module can reach (import module "graft"), the result and
 * error codes they use, and small helpers. ABI: docs/module-abi.md; error table:
 * docs/error-codes.md. Build with
 *   clang --target=wasm32-wasi --sysroot=/usr -mexec-model=reactor -O2 \
 *         -Wl,--strip-all -I examples/include -o m.wasm m.c
 *
 * Point indices are positions in the manifest's "points" list, inputs and
 * outputs alike, in document order.
 */
#ifndef GRAFT_H
#define GRAFT_H

#include <stdint.h>
#include <string.h>

#define GRAFT_ABI "graft/1"

/* point_quality() results. */
#define GRAFT_QUALITY_GOOD 0
#define GRAFT_QUALITY_STALE 1
#define GRAFT_QUALITY_BAD 2

/* point_set() results: 0 means the value was accepted for this tick. */
#define GRAFT_OK 0
#define GRAFT_ERR_NOT_AN_OUTPUT -1 /* index names an input */
#define GRAFT_ERR_NOT_A_POINT -2   /* index is outside the manifest's points */
#define GRAFT_ERR_NOT_FINITE -3    /* NaN or an infinity */
#define GRAFT_ERR_OUT_OF_RANGE -4  /* outside the grant's range in raw device units */
#define GRAFT_ERR_BAD_POINTER -5   /* a pointer/length pair leaves linear memory */

/* log() levels. */
#define GRAFT_LOG_ERROR 0
#define GRAFT_LOG_WARN 1
#define GRAFT_LOG_INFO 2
#define GRAFT_LOG_DEBUG 3

#define GRAFT_IMPORT(name) __attribute__((import_module("graft"), import_name(name)))
#define GRAFT_EXPORT(name) __attribute__((export_name(name)))

/* Value of point `index`: an input's value in this tick's snapshot, or an
 * output's last value. */
GRAFT_IMPORT("point_get") double graft_point_get(int32_t index);

/* GRAFT_QUALITY_GOOD, _STALE or _BAD. */
GRAFT_IMPORT("point_quality") int32_t graft_point_quality(int32_t index);

/* Sets output `index` for this tick; GRAFT_OK or a negative GRAFT_ERR_*.
 * Coils take 0 or 1. Out-of-range values are refused, never clamped. */
GRAFT_IMPORT("point_set") int32_t graft_point_set(int32_t index, double value);

/* One UTF-8 log line (rate-limited by the host). */
GRAFT_IMPORT("log") void graft_log(int32_t level, int32_t ptr, int32_t len);

/* A gauge reported in the gateway's health. */
GRAFT_IMPORT("metric") void graft_metric(int32_t name_ptr, int32_t name_len, double value);

/* Pointers are 32-bit offsets into linear memory on wasm32. */
static inline int32_t graft_ptr(const void *p) { return (int32_t)(uintptr_t)p; }

static inline void graft_log_str(int32_t level, const char *text) {
  graft_log(level, graft_ptr(text), (int32_t)strlen(text));
}

static inline void graft_metric_str(const char *name, double value) {
  graft_metric(graft_ptr(name), (int32_t)strlen(name), value);
}

/* graft_save() returns the state blob as ptr << 32 | len. */
static inline int64_t graft_blob(const void *ptr, uint32_t len) {
  return (int64_t)(((uint64_t)(uintptr_t)ptr << 32) | (uint64_t)len);
}

#endif
