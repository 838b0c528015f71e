/* Boiler control: a PID loop on the boiler temperature drives the burner coil
 * by time-proportioning (the PID output is a duty cycle over a fixed window).
 * Points, in manifest order: 0 temp (in, °C), 1 setpoint (in, °C),
 * 2 burner (out, coil).
 *
 * One source, three releases (see build.sh):
 *   1.0  -DBOILER_TUNING=0 -DBOILER_STATE_VERSION=1
 *   1.1  -DBOILER_TUNING=1 -DBOILER_STATE_VERSION=2   (retuned; state grows)
 *   1.2  like 1.1 plus -DBOILER_FAULT_AFTER_TICKS=N    (deliberately traps)
 *
 * State handover (graft_save / graft_alloc / graft_load) carries the PID's
 * integrator and last error so a swap does not reset the loop. The blob is
 * versioned: v1 = integrator, last error; v2 adds the time of the last tick so
 * the derivative term sees the true interval after a swap. v2 code also reads
 * v1 blobs; v1 code refuses v2 blobs (and its manifest does not accept them). */
#include "graft.h"

#ifndef BOILER_TUNING
#define BOILER_TUNING 0
#endif
#ifndef BOILER_STATE_VERSION
#define BOILER_STATE_VERSION 1
#endif
/* 0 = never; otherwise trap on that tick after graft_init (1.2's fault). */
#ifndef BOILER_FAULT_AFTER_TICKS
#define BOILER_FAULT_AFTER_TICKS 0
#endif

enum { TEMP = 0, SETPOINT = 1, BURNER = 2 };

#if BOILER_TUNING == 0
static const double KP = 0.08, KI = 0.002, KD = 0.0;
#else
static const double KP = 0.12, KI = 0.004, KD = 0.2;
#endif

/* Over this the burner stays off whatever the loop says (not a safety
 * function: the boiler's own limit thermostat is). */
static const double HIGH_LIMIT_C = 90.0;
static const int64_t WINDOW_MS = 5000;
static const double INTEGRATOR_LIMIT = 250.0; /* anti-windup, in °C·s */
static const double DEFAULT_DT_S = 0.1;

struct pid {
  double integrator;
  double last_error;
  int64_t last_ms; /* -1: no tick yet */
};

static struct pid live;
static uint32_t ticks_since_init;

static void pid_reset(struct pid *p) {
  p->integrator = 0.0;
  p->last_error = 0.0;
  p->last_ms = -1;
}

static double clamp(double v, double lo, double hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* One PID step; returns the duty cycle in [0, 1]. */
static double pid_step(struct pid *p, double temp, double setpoint, int64_t now_ms) {
  double dt = DEFAULT_DT_S;
  if (p->last_ms >= 0 && now_ms > p->last_ms) {
    dt = (double)(now_ms - p->last_ms) / 1000.0;
  }
  double error = setpoint - temp;
  p->integrator = clamp(p->integrator + error * dt, -INTEGRATOR_LIMIT, INTEGRATOR_LIMIT);
  double derivative = p->last_ms >= 0 ? (error - p->last_error) / dt : 0.0;
  p->last_error = error;
  p->last_ms = now_ms;
  return clamp(KP * error + KI * p->integrator + KD * derivative, 0.0, 1.0);
}

static int burner_for(double duty, double temp, int64_t now_ms) {
  if (temp >= HIGH_LIMIT_C) {
    return 0;
  }
  int64_t phase = now_ms % WINDOW_MS;
  return (double)phase < duty * (double)WINDOW_MS ? 1 : 0;
}

GRAFT_EXPORT("graft_init") int32_t graft_init(void) {
  pid_reset(&live);
  ticks_since_init = 0;
  return 0;
}

GRAFT_EXPORT("graft_tick") int32_t graft_tick(int64_t now_ms) {
  ticks_since_init++;
#if BOILER_FAULT_AFTER_TICKS > 0
  if (ticks_since_init > BOILER_FAULT_AFTER_TICKS) {
    __builtin_trap();
  }
#endif
  int burner = 0;
  if (graft_point_quality(TEMP) == GRAFT_QUALITY_GOOD &&
      graft_point_quality(SETPOINT) == GRAFT_QUALITY_GOOD) {
    double temp = graft_point_get(TEMP);
    double setpoint = graft_point_get(SETPOINT);
    double duty = pid_step(&live, temp, setpoint, now_ms);
    burner = burner_for(duty, temp, now_ms);
    graft_metric_str("duty", duty);
  }
  /* A reading it cannot trust: burner off, loop state held as it was. */
  int32_t rc = graft_point_set(BURNER, burner);
  if (rc != GRAFT_OK) {
    graft_log_str(GRAFT_LOG_ERROR, "boiler-control: burner output refused");
    return 1;
  }
  return 0;
}

/* ---- state handover ---------------------------------------------------- */

#define STATE_MAGIC 0x52494F42u /* "BOIR" little-endian */
#define STATE_V1_LEN (4 + 4 + 8 + 8)
#define STATE_V2_LEN (STATE_V1_LEN + 8)

enum {
  LOAD_OK = 0,
  LOAD_BAD_MAGIC = 1,
  LOAD_UNSUPPORTED_VERSION = 2,
  LOAD_BAD_LENGTH = 3,
  LOAD_NOT_FINITE = 4,
};

static _Alignas(8) unsigned char save_buffer[STATE_V2_LEN];
static _Alignas(8) unsigned char load_buffer[64];

static uint32_t encode(const struct pid *p, unsigned char *out) {
  uint32_t magic = STATE_MAGIC, version = BOILER_STATE_VERSION;
  memcpy(out, &magic, 4);
  memcpy(out + 4, &version, 4);
  memcpy(out + 8, &p->integrator, 8);
  memcpy(out + 16, &p->last_error, 8);
#if BOILER_STATE_VERSION >= 2
  memcpy(out + 24, &p->last_ms, 8);
  return STATE_V2_LEN;
#else
  return STATE_V1_LEN;
#endif
}

static int32_t decode(const unsigned char *in, uint32_t len, struct pid *p) {
  uint32_t magic, version;
  if (len < 8) {
    return LOAD_BAD_LENGTH;
  }
  memcpy(&magic, in, 4);
  memcpy(&version, in + 4, 4);
  if (magic != STATE_MAGIC) {
    return LOAD_BAD_MAGIC;
  }
  if (version < 1 || version > BOILER_STATE_VERSION) {
    return LOAD_UNSUPPORTED_VERSION;
  }
  if (len != (version == 1 ? STATE_V1_LEN : STATE_V2_LEN)) {
    return LOAD_BAD_LENGTH;
  }
  struct pid loaded;
  pid_reset(&loaded);
  memcpy(&loaded.integrator, in + 8, 8);
  memcpy(&loaded.last_error, in + 16, 8);
  if (version >= 2) {
    memcpy(&loaded.last_ms, in + 24, 8);
  }
  if (!__builtin_isfinite(loaded.integrator) || !__builtin_isfinite(loaded.last_error)) {
    return LOAD_NOT_FINITE;
  }
  loaded.integrator = clamp(loaded.integrator, -INTEGRATOR_LIMIT, INTEGRATOR_LIMIT);
  *p = loaded;
  return LOAD_OK;
}

GRAFT_EXPORT("graft_save") int64_t graft_save(void) {
  uint32_t len = encode(&live, save_buffer);
  return graft_blob(save_buffer, len);
}

/* The host writes the blob it is about to hand to graft_load here; 0 when the
 * blob cannot be larger than any state this module understands. */
GRAFT_EXPORT("graft_alloc") int32_t graft_alloc(int32_t len) {
  if (len < 0 || (uint32_t)len > sizeof load_buffer) {
    return 0;
  }
  return graft_ptr(load_buffer);
}

GRAFT_EXPORT("graft_load") int32_t graft_load(int32_t ptr, int32_t len) {
  if (ptr != graft_ptr(load_buffer) || len < 0 || (uint32_t)len > sizeof load_buffer) {
    return LOAD_BAD_LENGTH;
  }
  int32_t rc = decode(load_buffer, (uint32_t)len, &live);
  graft_log_str(rc == LOAD_OK ? GRAFT_LOG_INFO : GRAFT_LOG_WARN,
                rc == LOAD_OK ? "boiler-control: state taken over"
                              : "boiler-control: handed-over state refused");
  return rc;
}

/* ---- self-test ----------------------------------------------------------- */

/* Runs the loop on made-up readings, never on the live points or state.
 * Returns 0, or the number of the first check that failed. */
GRAFT_EXPORT("graft_self_test") int32_t graft_self_test(void) {
  struct pid p;
  pid_reset(&p);
  if (pid_step(&p, 20.0, 60.0, 0) < 1.0) {
    return 1; /* cold boiler: full duty */
  }
  pid_reset(&p);
  if (pid_step(&p, 80.0, 60.0, 0) > 0.0) {
    return 2; /* too hot: no duty */
  }
  if (burner_for(1.0, HIGH_LIMIT_C + 1.0, 0) != 0) {
    return 3; /* high limit wins over the loop */
  }
  if (burner_for(0.5, 50.0, WINDOW_MS / 4) != 1 || burner_for(0.5, 50.0, 3 * WINDOW_MS / 4) != 0) {
    return 4; /* time-proportioning: on for the first half of the window */
  }
  pid_reset(&p);
  pid_step(&p, 55.0, 60.0, 100);
  unsigned char blob[STATE_V2_LEN];
  uint32_t len = encode(&p, blob);
  struct pid back;
  if (decode(blob, len, &back) != LOAD_OK || back.integrator != p.integrator ||
      back.last_error != p.last_error) {
    return 5; /* save/load round trip */
  }
  blob[0] ^= 0xFF;
  if (decode(blob, len, &back) != LOAD_BAD_MAGIC) {
    return 6; /* a foreign blob is refused */
  }
  return 0;
}
