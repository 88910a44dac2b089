package io.fleetpulse.simulator.signal;

/**
 * Maps wall-clock time to simulated time: simulated time starts at the wall-clock start and runs
 * {@code acceleration} times faster. Only signal phases use simulated time; message timestamps stay
 * on the wall clock so the node's clock-skew check accepts them.
 */
public record SimulationClock(long startWallMillis, double acceleration) {

  public SimulationClock {
    if (!(acceleration > 0) || Double.isInfinite(acceleration)) {
      throw new IllegalArgumentException("time acceleration must be a positive number, was " + acceleration);
    }
  }

  public long simulatedMillis(long wallMillis) {
    return startWallMillis + Math.round((wallMillis - startWallMillis) * acceleration);
  }
}
