package io.fleetpulse.gateway.decode;

import static io.fleetpulse.gateway.decode.TelemetryInputs.number;
import static io.fleetpulse.gateway.decode.TelemetryInputs.pick;
import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * Damages payloads and topics the way broken or hostile devices do: truncated, bytes flipped,
 * numbers made extreme, values of the wrong type, junk nested deep, long and unicode strings, keys
 * duplicated, dropped or renamed, times out of range, another encoding; and writes random JSON.
 * Mutations work on the JSON text without parsing it, so some land inside strings: that is damage too.
 */
final class Mutations {

  private static final List<String> EXTREME_NUMBERS = List.of(
      "NaN", "Infinity", "-Infinity", "1e300", "-1e300", "1e999", "-1e999", "1.7976931348623157E308", "4.9E-324",
      "-0", "1e-400", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
      "1e19", "18446744073709551616", "268435456", "-9223372036854775.808", "9.3e15", "1e2147483648",
      "1" + "0".repeat(400), "1" + "0".repeat(1200), "0." + "0".repeat(500) + "1", "007", "1.", ".5", "+1", "0x10");
  private static final List<String> WRONG_TYPES =
      List.of("\"text\"", "\"12.5\"", "\"\"", "true", "false", "null", "[]", "{}", "[1,2]", "{\"v\":1}");
  private static final List<String> FIELD_NAMES = List.of(
      "n", "v", "t", "bt", "bn", "bu", "bv", "u", "seq", "ts", "values", "deviceId", "vs", "vb", "vd", "s", "x_", "");
  private static final List<String> ODD_TEXT = List.of(
      "\\u0000", "\\ud800", "\\udfff\\ud800", "\\\"", "\\\\", "\u202e", "\u200b", "\u00e9", "\u4e2d", "\ud83d\ude00",
      "\ud800", "\t", "\n", "/", ":", "+", "#", " ", "a", "Z", "9", "-");
  private static final List<String> ODD_TOPIC_TEXT =
      List.of("/", "+", "#", "\u0000", " ", "\u00e9", "\ud83d\ude00", ".", "-", "_", "A", "9", "", "//");
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?");
  // Strings without escapes only: an alternation under * recurses per character and overflows the
  // stack on the 70,000 character strings the mutations write.
  private static final Pattern STRING = Pattern.compile("\"[^\"\\\\]*\"");
  private static final Pattern KEY = Pattern.compile("\"[^\"\\\\]*\"(?=\\s*:)");
  private static final Pattern MEMBER =
      Pattern.compile("\"[^\"\\\\]*\"\\s*:\\s*(?:-?[\\d.eE+-]+|\"[^\"\\\\]*\"|true|false|null)");
  private static final Pattern TIME = Pattern.compile("(?<=\"(?:t|bt|ts)\"\\s?:\\s?)-?[\\d.eE+-]+");

  private Mutations() {}

  static byte[] mutate(SplittableRandom random, byte[] payload) {
    String text = new String(payload, UTF_8);
    return switch (random.nextInt(14)) {
      case 0 -> Arrays.copyOf(payload, random.nextInt(payload.length + 1));
      case 1 -> {
        byte[] flipped = payload.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0 && flipped.length > 0; flips--) {
          flipped[random.nextInt(flipped.length)] = (byte) random.nextInt(256);
        }
        yield flipped;
      }
      case 2 -> utf8(replace(random, text, NUMBER, token -> pick(random, EXTREME_NUMBERS)));
      case 3 -> utf8(replace(random, text, random.nextBoolean() ? NUMBER : STRING, token -> pick(random, WRONG_TYPES)));
      case 4 -> utf8(replace(random, text, random.nextBoolean() ? NUMBER : STRING, token -> nested(random, token)));
      case 5 -> utf8(replace(random, text, STRING, token -> "\"" + longText(random) + "\""));
      case 6 -> utf8(replace(random, text, STRING, token -> "\"" + oddText(random, 1 + random.nextInt(12)) + "\""));
      case 7 -> utf8(replace(random, text, MEMBER, member -> member + "," + member));
      case 8 -> utf8(dropMember(random, text));
      case 9 -> utf8(replace(random, text, KEY, key -> "\"" + pick(random, FIELD_NAMES) + "\""));
      case 10 -> utf8(replace(random, text, TIME, time -> pick(random, EXTREME_NUMBERS)));
      case 11 -> utf8(replace(random, text, Pattern.compile("[\\[{,:]"), at -> at + json(random, 2) + ","));
      case 12 -> utf8(pick(random, List.of("[" + text + "]", text + " x", text + "{}", "\ufeff" + text, " " + text,
          text.replaceFirst("[\\[{]", random.nextBoolean() ? "[" : "{"))));
      default -> text.getBytes(UTF_16BE);
    };
  }

  /** Replaces one match of {@code pattern}, picked at random, by what {@code replacement} makes of it. */
  private static String replace(
      SplittableRandom random, String text, Pattern pattern, UnaryOperator<String> replacement) {
    List<MatchResult> matches = pattern.matcher(text).results().toList();
    if (matches.isEmpty()) {
      return text;
    }
    MatchResult match = pick(random, matches);
    return text.substring(0, match.start()) + replacement.apply(match.group()) + text.substring(match.end());
  }

  private static String dropMember(SplittableRandom random, String text) {
    List<MatchResult> matches = MEMBER.matcher(text).results().toList();
    if (matches.isEmpty()) {
      return text;
    }
    MatchResult match = pick(random, matches);
    int start = match.start();
    int end = match.end();
    if (end < text.length() && text.charAt(end) == ',') {
      end++;
    } else {
      int before = start - 1;
      while (before >= 0 && Character.isWhitespace(text.charAt(before))) {
        before--;
      }
      if (before >= 0 && text.charAt(before) == ',') {
        start = before;
      }
    }
    return text.substring(0, start) + text.substring(end);
  }

  private static String nested(SplittableRandom random, String token) {
    int depth = pick(random, List.of(1, 2, 5, 100, 999, 1001, 5000));
    return random.nextBoolean()
        ? "[".repeat(depth) + token + "]".repeat(depth)
        : "{\"a\":".repeat(depth) + token + "}".repeat(depth);
  }

  private static String longText(SplittableRandom random) {
    int length = pick(random, List.of(1_000, 10_000, 70_000));
    return random.nextBoolean() ? "x".repeat(length) : oddText(random, length / 4);
  }

  private static String oddText(SplittableRandom random, int parts) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < parts; i++) {
      text.append(pick(random, ODD_TEXT));
    }
    return text.toString();
  }

  static String mutateTopic(SplittableRandom random, String topic) {
    int at = random.nextInt(topic.length());
    return switch (random.nextInt(6)) {
      case 0 -> topic.substring(0, at) + pick(random, ODD_TOPIC_TEXT) + topic.substring(at + 1);
      case 1 -> topic.substring(0, at) + pick(random, ODD_TOPIC_TEXT) + topic.substring(at);
      case 2 -> topic.replaceFirst(
          "/[^/]+/", "/" + pick(random, List.of("", "a".repeat(65), "a".repeat(64), "s\u00e9")) + "/");
      case 3 -> random.nextBoolean() ? topic + "/x" : topic.substring(0, topic.lastIndexOf('/'));
      case 4 -> topic.replaceFirst("/[^/]+/telemetry$", "/pump-" + random.nextInt(100) + "/telemetry");
      default -> topic.replaceFirst(
          "/[^/]+/telemetry$", "/" + pick(random, TelemetryInputs.DEVICE_PREFIXES) + "other/telemetry");
    };
  }

  /** Random JSON text of SenML and compact field names, extreme numbers and odd strings. */
  static String json(SplittableRandom random, int depth) {
    return switch (random.nextInt(depth > 3 ? 4 : 6)) {
      case 0 -> pick(random, List.of("null", "true", "false"));
      case 1 -> pick(random, EXTREME_NUMBERS);
      case 2 -> number(random.nextDouble(-1e6, 1e6));
      case 3 -> "\"" + oddText(random, random.nextInt(6)) + "\"";
      case 4 -> {
        List<String> elements = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
          elements.add(json(random, depth + 1));
        }
        yield "[" + String.join(",", elements) + "]";
      }
      default -> {
        List<String> members = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) {
          members.add("\"" + pick(random, FIELD_NAMES) + "\":" + json(random, depth + 1));
        }
        yield "{" + String.join(",", members) + "}";
      }
    };
  }

  static byte[] bytes(SplittableRandom random, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }
}
