package dev.graft.sim.plant;

import java.time.Duration;

/**
 * One consistent snapshot of the plant.
 *
 * @param simulatedTime simulated time since start
 * @param temperatureC the true water temperature
 * @param measuredTemperatureC what the sensor reports: the true value plus seeded noise
 * @param burner whether the burner coil is on
 * @param setpointC the thermostat's setpoint
 * @param updatePermit the operator's key switch
 * @param flowLpm the flow meter's reading
 * @param watchdogSeconds the PLC's current watchdog timeout (holding register 10)
 * @param watchdogTrips how often the watchdog has switched the burner off
 */
public record PlantReading(
    Duration simulatedTime,
    double temperatureC,
    double measuredTemperatureC,
    boolean burner,
    double setpointC,
    boolean updatePermit,
    double flowLpm,
    int watchdogSeconds,
    int watchdogTrips) {}
