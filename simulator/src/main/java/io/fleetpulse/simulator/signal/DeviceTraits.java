package io.fleetpulse.simulator.signal;

/**
 * What a signal model needs to know about its device: the run seed, the device's global index
 * (its noise stream), whether it suffers injected faults, and when simulated time started.
 */
public record DeviceTraits(
    long seed, int deviceIndex, boolean faulty, long simulationStartMillis, FaultSchedule faults) {}
