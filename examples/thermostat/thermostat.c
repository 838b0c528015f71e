/* Thermostat: switches a heater on below setpoint - band and off above
 * setpoint + band (hysteresis keeps the relay from chattering). Points, in
 * manifest order: 0 temp (in), 1 setpoint (in), 2 heater (out, coil). The
 * manifest names the heater point "burner" because the boiler site's grant
 * reads a point of that name in swap_when.
 * With a temperature that is not good it turns the heater off: no heat on a
 * reading it cannot trust. */
#include "graft.h"

enum { TEMP = 0, SETPOINT = 1, HEATER = 2 };

static const double BAND = 0.5;
static int heating;

GRAFT_EXPORT("graft_init") int32_t graft_init(void) {
  heating = 0;
  return 0;
}

GRAFT_EXPORT("graft_tick") int32_t graft_tick(int64_t now_ms) {
  (void)now_ms;
  if (graft_point_quality(TEMP) != GRAFT_QUALITY_GOOD ||
      graft_point_quality(SETPOINT) != GRAFT_QUALITY_GOOD) {
    heating = 0;
  } else {
    double temp = graft_point_get(TEMP);
    double setpoint = graft_point_get(SETPOINT);
    if (temp < setpoint - BAND) {
      heating = 1;
    } else if (temp > setpoint + BAND) {
      heating = 0;
    }
  }
  int32_t rc = graft_point_set(HEATER, heating);
  if (rc != GRAFT_OK) {
    graft_log_str(GRAFT_LOG_ERROR, "thermostat: heater output refused");
    return 1;
  }
  return 0;
}
