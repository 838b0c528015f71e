/* Compute: a deterministic, compute-bound kernel for measuring the runtime
 * against another engine (Node.js/V8) on identical bytes.
 *
 * compute(rounds) multiplies two 32×32 matrices of 32-bit unsigned integers
 * `rounds` times (arithmetic wraps mod 2^32), feeding each product back into
 * the next round, and returns a checksum of every product (wrapping mod 2^64).
 * Integer-only, so any correct engine gives the same checksum bit for bit.
 * The matrices come from a linear congruential generator seeded with a
 * constant, so the result depends only on `rounds`.
 *
 * graft_tick runs a few rounds per tick and reports the checksum as a metric,
 * so the same module also works as a (useless but busy) control module. It
 * declares the site's temp and burner points only because the boiler site's
 * grant reads them in its conditions; it never sets the burner. */
#include "graft.h"

#define N 32
#define TICK_ROUNDS 4

static uint32_t a[N * N], b[N * N], c[N * N];

static void fill(void) {
  uint32_t seed = 0x9E3779B9u;
  for (int i = 0; i < N * N; i++) {
    seed = seed * 1664525u + 1013904223u;
    a[i] = seed >> 8;
    seed = seed * 1664525u + 1013904223u;
    b[i] = seed >> 8;
  }
}

GRAFT_EXPORT("compute") int64_t compute(int32_t rounds) {
  fill();
  uint64_t checksum = 0;
  for (int32_t r = 0; r < rounds; r++) {
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < N; j++) {
        uint32_t sum = 0;
        for (int k = 0; k < N; k++) {
          sum += a[i * N + k] * b[k * N + j];
        }
        c[i * N + j] = sum;
      }
    }
    for (int i = 0; i < N * N; i++) {
      checksum = checksum * 31u + c[i];
      a[i] = c[i] ^ (uint32_t)r;
    }
  }
  return (int64_t)checksum;
}

GRAFT_EXPORT("graft_tick") int32_t graft_tick(int64_t now_ms) {
  (void)now_ms;
  graft_metric_str("checksum_low", (double)(uint32_t)compute(TICK_ROUNDS));
  return 0;
}
