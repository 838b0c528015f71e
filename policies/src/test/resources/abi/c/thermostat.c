/* A tiny thermostat reactor for graft/1: point 0 is the temperature, point 1 the
 * setpoint, point 2 the heater output. It prints through libc so that WASI's
 * fd_write path is part of what the validator sees. */
#include <stdint.h>
#include <stdio.h>

__attribute__((import_module("graft"), import_name("point_get")))
double point_get(int32_t index);

__attribute__((import_module("graft"), import_name("point_set")))
int32_t point_set(int32_t index, double value);

static double hysteresis = 0.5;
static int heating = 0;

__attribute__((export_name("graft_init")))
int32_t graft_init(void) {
  heating = 0;
  return 0;
}

__attribute__((export_name("graft_tick")))
int32_t graft_tick(int64_t now_ms) {
  double temp = point_get(0);
  double setpoint = point_get(1);
  if (temp < setpoint - hysteresis) {
    heating = 1;
  } else if (temp > setpoint + hysteresis) {
    heating = 0;
  }
  if (point_set(2, heating) != 0) {
    fprintf(stderr, "heater refused at %lld ms\n", (long long)now_ms);
    return 1;
  }
  return 0;
}

#ifdef GRAFT_AS_COMMAND
/* Built this way it is a WASI command with _start, which graft/1 refuses. */
int main(void) {
  return graft_tick(0);
}
#endif
