package io.fleetpulse.gateway.decode;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.gateway.GatewaySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Generates what reaches the gateway, honest or not: valid messages in both payload forms with the
 * readings the gateway must make of them, their {@link Mutations}, messages with one time or
 * value out of bounds, random JSON and bytes, and topics. Public because the validator's
 * properties, one package over, use it too.
 */
public final class TelemetryInputs {

  /** One inbound MQTT message. */
  public record Message(String topic, byte[] payload, long receivedAtMillis) {
    @Override
    public String toString() {
      return topic + " at " + receivedAtMillis + ": " + new String(payload, UTF_8);
    }
  }

  /** A reading the gateway must make of a valid message. */
  public record Expected(String metric, long timestampMillis, double value) {

    /** Asserts that a decoded or accepted reading is this one; SenML seconds may round a millisecond off. */
    public void assertMatches(String actualMetric, long actualTimestampMillis, double actualValue) {
      assertThat(actualMetric).isEqualTo(metric);
      assertThat(actualValue).isEqualTo(value);
      assertThat(actualTimestampMillis).isBetween(timestampMillis - 1, timestampMillis + 1);
    }
  }

  /** A message a correct device could send, and what the gateway must make of it. */
  public record Valid(
      Message message, String site, String deviceId, String profile, Optional<Long> sequence, List<Expected> readings) {}

  /** Device ids with each of these prefixes are auto-provisioned with a profile by default. */
  static final List<String> DEVICE_PREFIXES = List.of("rm-", "env-", "tf-", "sig-");
  private static final String ID_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final String ID_REST = ID_START + "._-";
  private static final long RELATIVE_TIME_LIMIT_MILLIS = 268_435_456_000L; // 2^28 s

  private final GatewaySettings settings;
  private final DeviceProfiles profiles;
  private final long maxPastSkew;
  private final long maxFutureSkew;

  public TelemetryInputs(GatewaySettings settings, DeviceProfiles profiles) {
    this.settings = settings;
    this.profiles = profiles;
    this.maxPastSkew = settings.validation().maxPastSkew().toMillis();
    this.maxFutureSkew = settings.validation().maxFutureSkew().toMillis();
  }

  /** A valid message in either form, from an auto-provisioned device, timed within the skew. */
  public Valid valid(SplittableRandom random) {
    String deviceId = pick(random, DEVICE_PREFIXES) + id(random, 12);
    String profile = settings.registration().autoProvision().stream()
        .filter(rule -> rule.matches(deviceId)).findFirst().orElseThrow().profile();
    Sender sender = new Sender(id(random, 64), deviceId, profile, profiles.get(profile).metrics(),
        random.nextLong(1_000_000_000_000L, 4_000_000_000_000L), random.nextBoolean() ? "," : ",\n  ");
    return random.nextBoolean() ? compact(random, sender) : senml(random, sender);
  }

  /**
   * A third valid messages, a third mutations of valid ones, a sixth with one time or value out of
   * bounds, a sixth random JSON or bytes.
   */
  public Message any(SplittableRandom random) {
    return switch (random.nextInt(6)) {
      case 0, 1 -> valid(random).message();
      case 2, 3 -> {
        Message valid = valid(random).message();
        byte[] payload = Mutations.mutate(random, valid.payload());
        if (random.nextInt(4) == 0) {
          payload = Mutations.mutate(random, payload);
        }
        String topic = random.nextInt(8) == 0 ? Mutations.mutateTopic(random, valid.topic()) : valid.topic();
        yield new Message(topic, payload, valid.receivedAtMillis());
      }
      case 4 -> switch (random.nextInt(3)) {
        case 0 -> untimely(random);
        case 1 -> outOfRange(random);
        default -> notFinite(random);
      };
      default -> {
        Message valid = valid(random).message();
        byte[] payload = random.nextBoolean()
            ? Mutations.json(random, 0).getBytes(UTF_8)
            : Mutations.bytes(random, random.nextInt(64));
        yield new Message(valid.topic(), payload, valid.receivedAtMillis());
      }
    };
  }

  /** A telemetry topic, a mutation of one or a random string. */
  public String topic(SplittableRandom random) {
    String valid = "fleet/" + id(random, 64) + "/" + id(random, 64) + "/telemetry";
    return switch (random.nextInt(4)) {
      case 0 -> valid;
      case 1 -> new String(Mutations.bytes(random, random.nextInt(80)), UTF_8);
      default -> Mutations.mutateTopic(random, valid);
    };
  }

  /** A message from a valid one's sender with its one reading timed outside the window, near or far. */
  public Message untimely(SplittableRandom random) {
    Valid valid = valid(random);
    long receivedAt = valid.message().receivedAtMillis();
    Expected reading = valid.readings().get(0);
    String value = number(reading.value());
    String json = random.nextBoolean()
        ? "{\"seq\":1,\"ts\":" + compactTime(random, receivedAt)
            + ",\"values\":{\"" + reading.metric() + "\":" + value + "}}"
        : "[{" + senmlTime(random, receivedAt) + ",\"seq\":1,\"n\":\"" + reading.metric() + "\",\"v\":" + value + "}]";
    return new Message(valid.message().topic(), json.getBytes(UTF_8), receivedAt);
  }

  /** A message from a valid one's sender with its one value just or far outside the metric's range. */
  public Message outOfRange(SplittableRandom random) {
    Valid valid = valid(random);
    MetricSpec spec = profiles.get(valid.profile()).metric(valid.readings().get(0).metric()).orElseThrow();
    double distance =
        pick(random, List.of(Math.ulp(spec.max()), 1d, Math.pow(10, random.nextInt(1, 300)), Double.MAX_VALUE));
    double value = random.nextBoolean() ? spec.max() + distance : spec.min() - distance;
    if (value >= spec.min() && value <= spec.max()) {
      value = random.nextBoolean() ? Math.nextUp(spec.max()) : Math.nextDown(spec.min());
    }
    return withValue(random, valid, number(value));
  }

  /** A message from a valid one's sender with a NaN or infinite value. */
  public Message notFinite(SplittableRandom random) {
    return withValue(random, valid(random), pick(random, List.of("NaN", "Infinity", "-Infinity", "1e999", "-1e999")));
  }

  private static Message withValue(SplittableRandom random, Valid valid, String value) {
    String metric = valid.readings().get(0).metric();
    String json = random.nextBoolean()
        ? "{\"seq\":1,\"values\":{\"" + metric + "\":" + value + "}}"
        : "[{\"seq\":1,\"n\":\"" + metric + "\",\"v\":" + value + "}]";
    return new Message(valid.message().topic(), json.getBytes(UTF_8), valid.message().receivedAtMillis());
  }

  private String compactTime(SplittableRandom random, long receivedAt) {
    return switch (random.nextInt(4)) {
      case 0 -> Long.toString(random.nextLong(Long.MIN_VALUE, receivedAt - maxPastSkew));
      case 1 -> Long.toString(random.nextLong(receivedAt + maxFutureSkew + 1, Long.MAX_VALUE));
      case 2 -> Long.toString(pick(random, List.of(Long.MIN_VALUE, Long.MIN_VALUE + receivedAt, Long.MAX_VALUE,
          receivedAt - maxPastSkew - 1, receivedAt + maxFutureSkew + 1)));
      default ->
          pick(random, List.of("1e300", "-1e300", "1e19", "-1e19", "9223372036854775808", "-9223372036854775809"));
    };
  }

  /**
   * SenML time members (seconds) outside the window: absolute ones from 2^28 s on, relative ones
   * below, and magnitudes beyond epoch milliseconds. A second of margin absorbs the rounding.
   */
  private String senmlTime(SplittableRandom random, long receivedAt) {
    return switch (random.nextInt(5)) {
      case 0 -> "\"bt\":" + (receivedAt + maxFutureSkew + 1_000 + random.nextLong(1L << 50)) / 1000.0;
      case 1 ->
          "\"bt\":" + random.nextLong(RELATIVE_TIME_LIMIT_MILLIS + 1_000, receivedAt - maxPastSkew - 1_000) / 1000.0;
      case 2 -> "\"t\":" + random.nextLong(maxFutureSkew + 1_000, RELATIVE_TIME_LIMIT_MILLIS - 1_000) / 1000.0;
      case 3 -> "\"t\":" + -random.nextLong(maxPastSkew + 1_000, Long.MAX_VALUE / 2) / 1000.0;
      default -> pick(random, List.of("\"t\":1e300", "\"t\":-1e300", "\"bt\":1e300", "\"bt\":-1e300",
          "\"bt\":1.7e308,\"t\":1.7e308", "\"bt\":-1.7e308,\"t\":-1.7e308", "\"t\":-9223372036854775.808",
          "\"t\":9.3e15", "\"t\":-9.3e15", "\"bt\":" + Long.MAX_VALUE / 1000.0));
    };
  }

  /** A value of the metric, often one of its bounds, always a multiple of 1/4 or a bound. */
  private static double value(SplittableRandom random, MetricSpec spec) {
    return switch (random.nextInt(4)) {
      case 0 -> spec.min();
      case 1 -> spec.max();
      default -> {
        double quarter = Math.floor((spec.min() + random.nextDouble() * (spec.max() - spec.min())) * 4) / 4;
        yield Math.min(spec.max(), Math.max(spec.min(), quarter));
      }
    };
  }

  /** The JSON number for a finite double: integral values without a fraction, as devices send them. */
  static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }

  static <T> T pick(SplittableRandom random, List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  private Valid compact(SplittableRandom random, Sender sender) {
    long receivedAt = sender.receivedAtMillis();
    boolean timed = random.nextInt(4) != 0;
    Optional<Long> sequence = !timed || random.nextBoolean() ? Optional.of(random.nextLong()) : Optional.empty();
    long ts = timed ? receivedAt + offset(random, 0) : receivedAt;
    List<String> members = new ArrayList<>();
    if (timed) {
      members.add("\"ts\":" + ts);
    }
    sequence.ifPresent(seq -> members.add("\"seq\":" + seq));
    if (random.nextBoolean()) {
      members.add("\"deviceId\":\"" + sender.deviceId() + "\"");
    }
    if (random.nextInt(4) == 0) {
      members.add("\"fw\":\"1.2.3\"");
    }
    List<MetricSpec> chosen = shuffled(random, sender.metrics()).subList(0, sender.readingCount(random));
    List<String> values = new ArrayList<>();
    List<Expected> expected = new ArrayList<>();
    for (MetricSpec spec : chosen) {
      double value = value(random, spec);
      values.add("\"" + spec.name() + "\":" + number(value));
      expected.add(new Expected(spec.name(), ts, value));
    }
    members.add("\"values\":{" + String.join(sender.separator(), values) + "}");
    return sender.valid("{" + String.join(sender.separator(), shuffled(random, members)) + "}", sequence, expected);
  }

  private Valid senml(SplittableRandom random, Sender sender) {
    long receivedAt = sender.receivedAtMillis();
    int count = sender.readingCount(random);
    boolean absolute = random.nextBoolean();
    Optional<Long> sequence =
        !absolute || random.nextBoolean() ? Optional.of(random.nextLong(0, 1L << 40)) : Optional.empty();
    int sequenced = random.nextInt(count);
    List<MetricSpec> chosen = new ArrayList<>();
    double[] values = new double[count];
    long[] offsets = new long[count];
    boolean exact = true;
    for (int i = 0; i < count; i++) {
      chosen.add(pick(random, sender.metrics()));
      values[i] = value(random, chosen.get(i));
      // SenML seconds round to the millisecond: keep a millisecond inside the window.
      offsets[i] = random.nextInt(4) == 0 ? 0 : offset(random, 1);
      exact &= values[i] * 4 == Math.rint(values[i] * 4);
    }
    long base = absolute ? offsets[0] : 0;
    boolean sharedUnit = chosen.stream().map(MetricSpec::unit).distinct().count() == 1 && random.nextBoolean();
    int baseValue = exact && random.nextInt(3) == 0 ? random.nextInt(-100, 101) : 0;
    List<String> records = new ArrayList<>();
    List<Expected> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      MetricSpec spec = chosen.get(i);
      List<String> members = new ArrayList<>();
      if (i == 0) {
        if (absolute) {
          members.add("\"bt\":" + (receivedAt + base) / 1000.0);
        }
        if (random.nextBoolean()) {
          String id = sender.deviceId();
          String baseName = pick(random, List.of(id, id + ":", "urn:dev:" + id + ":", sender.site() + "/" + id + "/"));
          members.add("\"bn\":\"" + baseName + "\"");
        }
        if (sharedUnit) {
          members.add("\"bu\":\"" + spec.unit() + "\"");
        }
        if (baseValue != 0) {
          members.add("\"bv\":" + baseValue);
        }
      }
      if (i == sequenced) {
        sequence.ifPresent(seq -> members.add("\"seq\":" + seq));
      }
      members.add("\"n\":\"" + spec.name() + "\"");
      members.add("\"v\":" + number(values[i] - baseValue));
      if (offsets[i] != base || random.nextInt(4) == 0) {
        members.add("\"t\":" + (offsets[i] - base) / 1000.0);
      }
      if (!sharedUnit && random.nextBoolean()) {
        members.add("\"u\":\"" + spec.unit() + "\"");
      }
      records.add("{" + String.join(",", shuffled(random, members)) + "}");
      expected.add(new Expected(spec.name(), receivedAt + offsets[i], values[i]));
    }
    return sender.valid("[" + String.join(sender.separator(), records) + "]", sequence, expected);
  }

  /** Who sends a valid message, and when it arrives. */
  private record Sender(
      String site, String deviceId, String profile, List<MetricSpec> metrics, long receivedAtMillis, String separator) {

    int readingCount(SplittableRandom random) {
      return random.nextInt(10) == 0 ? metrics.size() : 1 + random.nextInt(Math.min(metrics.size(), 6));
    }

    Valid valid(String json, Optional<Long> sequence, List<Expected> readings) {
      Message message = new Message("fleet/" + site + "/" + deviceId + "/telemetry", utf8(json), receivedAtMillis);
      return new Valid(message, site, deviceId, profile, sequence, readings);
    }
  }

  /** An offset from the receive time within the skew window less {@code margin}, often an edge. */
  private long offset(SplittableRandom random, long margin) {
    long past = maxPastSkew - margin;
    long future = maxFutureSkew - margin;
    return switch (random.nextInt(4)) {
      case 0 -> -past;
      case 1 -> future;
      default -> random.nextLong(-past, future + 1);
    };
  }

  /** An id that is valid in a topic, of 1 to {@code maxLength} characters, mostly short. */
  private static String id(SplittableRandom random, int maxLength) {
    int length = 1 + random.nextInt(random.nextBoolean() ? Math.min(8, maxLength) : maxLength);
    StringBuilder id = new StringBuilder().append(ID_START.charAt(random.nextInt(ID_START.length())));
    while (id.length() < length) {
      id.append(ID_REST.charAt(random.nextInt(ID_REST.length())));
    }
    return id.toString();
  }

  private static <T> List<T> shuffled(SplittableRandom random, List<T> list) {
    List<T> copy = new ArrayList<>(list);
    for (int i = copy.size() - 1; i > 0; i--) {
      copy.set(i, copy.set(random.nextInt(i + 1), copy.get(i)));
    }
    return copy;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }
}
