package io.fleetpulse.simulator.signal;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Signal model of a plant-floor environment sensor ({@link Profile#ENVIRONMENT_SENSOR}).
 * Temperature follows a daily sinusoid plus heat from occupants; relative humidity moves against
 * temperature; CO2 follows occupancy (weekday working hours); PM2.5 has a low base with occasional
 * hour-long excursions (deterministic per device and simulated hour). Faulty devices suffer
 * ventilation failures that heat the room.
 */
final class EnvironmentSensorSignal implements SignalModel {

  private static final double PEAK_TEMPERATURE_HOUR = 15;
  private static final double TEMPERATURE_PER_OCCUPANCY = 1.5;
  private static final double TEMPERATURE_PER_FAULT = 12;
  private static final double MEAN_HUMIDITY = 50;
  /** %RH lost per degree above the device's base temperature. */
  private static final double HUMIDITY_PER_DEGREE = 3;
  private static final double OUTDOOR_CO2 = 420;
  private static final double WORK_START_HOUR = 8;
  private static final double WORK_END_HOUR = 18;
  /** Occupancy ramps up and down over this many hours around the working day. */
  private static final double RAMP_HOURS = 1;
  private static final double OFF_HOURS_OCCUPANCY = 0.05;
  private static final double EXCURSION_PROBABILITY_PER_HOUR = 0.03;
  private static final double EXCURSION_MIN = 60;
  private static final double EXCURSION_MAX = 250;
  private static final long EXCURSION_SALT = 0x504D3235L;

  private final List<Metric> metrics = Profile.ENVIRONMENT_SENSOR.metrics();
  private final SplittableRandom noise;
  private final long seed;
  private final int deviceIndex;
  private final boolean faulty;
  private final long startMillis;
  private final FaultSchedule faults;
  private final long faultOffsetMillis;
  private final double baseTemperature;
  private final double temperatureSwing;
  private final double occupancyCo2;
  private final double basePm25;

  EnvironmentSensorSignal(DeviceTraits traits) {
    SplittableRandom device = new SplittableRandom(Seeds.mix(traits.seed(), traits.deviceIndex()));
    this.noise = device.split();
    this.seed = traits.seed();
    this.deviceIndex = traits.deviceIndex();
    this.faulty = traits.faulty();
    this.startMillis = traits.simulationStartMillis();
    this.faults = traits.faults();
    this.faultOffsetMillis = (long) (device.nextDouble() * faults.period().toMillis());
    this.baseTemperature = device.nextDouble(19, 23);
    this.temperatureSwing = device.nextDouble(2, 5);
    this.occupancyCo2 = device.nextDouble(400, 900);
    this.basePm25 = device.nextDouble(5, 12);
  }

  @Override
  public double[] sample(long simulatedEpochMillis) {
    long sinceStart = Math.max(0, simulatedEpochMillis - startMillis);
    double occupancy = occupancy(simulatedEpochMillis);
    double fault = faulty ? faults.severity(sinceStart, faultOffsetMillis) : 0;

    double temperature = baseTemperature
        + temperatureSwing * SignalModel.dailyWave(simulatedEpochMillis, PEAK_TEMPERATURE_HOUR)
        + TEMPERATURE_PER_OCCUPANCY * occupancy + TEMPERATURE_PER_FAULT * fault + noise.nextGaussian(0, 0.2);
    double humidity = MEAN_HUMIDITY - HUMIDITY_PER_DEGREE * (temperature - baseTemperature) + noise.nextGaussian(0, 1.5);
    double co2 = OUTDOOR_CO2 + occupancyCo2 * occupancy + noise.nextGaussian(0, 15);
    double pm25 = basePm25 + excursion(simulatedEpochMillis) + noise.nextGaussian(0, 1.5);

    return new double[] {
      metrics.get(0).clamp(temperature),
      metrics.get(1).clamp(humidity),
      metrics.get(2).clamp(co2),
      metrics.get(3).clamp(pm25)
    };
  }

  /** 1 during weekday working hours, ramping at the edges; near 0 at night and on weekends. */
  static double occupancy(long epochMillis) {
    long epochDay = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
    // 1970-01-01 was a Thursday: +3 makes Monday 0.
    boolean weekday = Math.floorMod(epochDay + 3, 7) < 5;
    if (!weekday) {
      return OFF_HOURS_OCCUPANCY;
    }
    double hour = SignalModel.hourOfDay(epochMillis);
    double rampUp = (hour - (WORK_START_HOUR - RAMP_HOURS)) / RAMP_HOURS;
    double rampDown = ((WORK_END_HOUR + RAMP_HOURS) - hour) / RAMP_HOURS;
    double present = Math.max(0, Math.min(1, Math.min(rampUp, rampDown)));
    return Math.max(OFF_HOURS_OCCUPANCY, present);
  }

  /** A dust excursion in some simulated hours: a smooth bump within the hour. */
  private double excursion(long epochMillis) {
    long hourIndex = Math.floorDiv(epochMillis, MILLIS_PER_HOUR);
    long salt = EXCURSION_SALT + 2L * deviceIndex;
    if (Seeds.uniform(seed, salt, hourIndex) >= EXCURSION_PROBABILITY_PER_HOUR) {
      return 0;
    }
    double height = EXCURSION_MIN + (EXCURSION_MAX - EXCURSION_MIN) * Seeds.uniform(seed, salt + 1, hourIndex);
    double intoHour = Math.floorMod(epochMillis, MILLIS_PER_HOUR) / (double) MILLIS_PER_HOUR;
    return height * Math.sin(Math.PI * intoHour);
  }
}
