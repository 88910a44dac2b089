package io.fleetpulse.simulator.signal;

/**
 * Produces one device's readings as a function of simulated time, in the order of its
 * {@link Profile#metrics()}. Stateful: each call draws the next noise values from the device's
 * own random stream, so the same seed and the same sequence of sample times give the same values.
 * Values always lie within the profile's valid ranges. Not thread-safe; one caller per device.
 */
public interface SignalModel {

  long MILLIS_PER_HOUR = 3_600_000L;
  long MILLIS_PER_DAY = 24 * MILLIS_PER_HOUR;

  double[] sample(long simulatedEpochMillis);

  static SignalModel create(Profile profile, DeviceTraits traits) {
    return switch (profile) {
      case ROTATING_MACHINE -> new RotatingMachineSignal(traits);
      case ENVIRONMENT_SENSOR -> new EnvironmentSensorSignal(traits);
    };
  }

  /** Fractional hour of the UTC day, so signals do not depend on the host's time zone. */
  static double hourOfDay(long epochMillis) {
    return Math.floorMod(epochMillis, MILLIS_PER_DAY) / (double) MILLIS_PER_HOUR;
  }

  /** A sinusoid over the day, 1 at {@code peakHour} and -1 twelve hours later. */
  static double dailyWave(long epochMillis, double peakHour) {
    return Math.cos(2 * Math.PI * (hourOfDay(epochMillis) - peakHour) / 24);
  }
}
