package io.fleetpulse.simulator.signal;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Signal model of a pump, fan or motor ({@link Profile#ROTATING_MACHINE}). Load follows a 24 h
 * sinusoid peaking in the afternoon; current, pressure and speed follow load; vibration and
 * bearing temperature also creep up as the bearing wears (saturating over simulated weeks) and,
 * on faulty devices, rise sharply during bearing-fault windows. Gaussian noise on every metric.
 */
final class RotatingMachineSignal implements SignalModel {

  private static final double PEAK_LOAD_HOUR = 14;
  private static final double MEAN_LOAD = 0.55;
  private static final double LOAD_SWING = 0.35;
  /** Wear approaches its maximum with this time constant, in simulated days. */
  private static final double WEAR_TIME_CONSTANT_DAYS = 45;

  private static final double VIBRATION_PER_LOAD = 2.5;
  private static final double VIBRATION_PER_WEAR = 6;
  private static final double VIBRATION_PER_FAULT = 35;
  private static final double TEMPERATURE_PER_LOAD = 35;
  private static final double TEMPERATURE_PER_WEAR = 12;
  private static final double TEMPERATURE_PER_FAULT = 60;
  private static final double CURRENT_PER_FAULT = 15;
  private static final double PRESSURE_PER_LOAD = 140;
  private static final double SPEED_DROP_PER_FAULT = 60;

  private final List<Metric> metrics = Profile.ROTATING_MACHINE.metrics();
  private final SplittableRandom noise;
  private final boolean faulty;
  private final long startMillis;
  private final FaultSchedule faults;
  private final long faultOffsetMillis;
  private final double loadPhaseHours;
  private final double baseVibration;
  private final double ambientTemperature;
  private final double ratedCurrent;
  private final double basePressure;
  private final double ratedSpeed;

  RotatingMachineSignal(DeviceTraits traits) {
    SplittableRandom device = new SplittableRandom(Seeds.mix(traits.seed(), traits.deviceIndex()));
    this.noise = device.split();
    this.faulty = traits.faulty();
    this.startMillis = traits.simulationStartMillis();
    this.faults = traits.faults();
    this.faultOffsetMillis = (long) (device.nextDouble() * faults.period().toMillis());
    this.loadPhaseHours = device.nextDouble(-1.5, 1.5);
    this.baseVibration = device.nextDouble(1.5, 3.0);
    this.ambientTemperature = device.nextDouble(20, 30);
    this.ratedCurrent = device.nextDouble(40, 120);
    this.basePressure = device.nextDouble(40, 80);
    this.ratedSpeed = device.nextBoolean() ? 1500 : 3000;
  }

  @Override
  public double[] sample(long simulatedEpochMillis) {
    long sinceStart = Math.max(0, simulatedEpochMillis - startMillis);
    double load = MEAN_LOAD + LOAD_SWING * SignalModel.dailyWave(simulatedEpochMillis, PEAK_LOAD_HOUR + loadPhaseHours);
    double wear = 1 - Math.exp(-sinceStart / (double) MILLIS_PER_DAY / WEAR_TIME_CONSTANT_DAYS);
    double fault = faulty ? faults.severity(sinceStart, faultOffsetMillis) : 0;

    double vibration = baseVibration + VIBRATION_PER_LOAD * load + VIBRATION_PER_WEAR * wear
        + VIBRATION_PER_FAULT * fault + noise.nextGaussian(0, 0.25);
    double temperature = ambientTemperature + TEMPERATURE_PER_LOAD * load + TEMPERATURE_PER_WEAR * wear
        + TEMPERATURE_PER_FAULT * fault + noise.nextGaussian(0, 0.8);
    double current = ratedCurrent * (0.2 + 0.8 * load) + CURRENT_PER_FAULT * fault + noise.nextGaussian(0, 1.5);
    double pressure = basePressure + PRESSURE_PER_LOAD * load + noise.nextGaussian(0, 2);
    double speed = ratedSpeed * (0.3 + 0.7 * load) - SPEED_DROP_PER_FAULT * fault + noise.nextGaussian(0, 5);

    return new double[] {
      metrics.get(0).clamp(vibration),
      metrics.get(1).clamp(temperature),
      metrics.get(2).clamp(current),
      metrics.get(3).clamp(pressure),
      metrics.get(4).clamp(speed)
    };
  }
}
