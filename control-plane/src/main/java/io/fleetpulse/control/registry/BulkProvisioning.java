package io.fleetpulse.control.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;
import org.apache.pekko.util.ByteString;

/**
 * Registers a fleet from one upload: CSV ({@code id,site,profile[,key=value...]}, a header line
 * starting with {@code id} skipped) or JSON Lines ({@code {"id", "site", "profile", "metadata"}}),
 * one device per line. The upload is read as a stream and each line goes to its device's entity,
 * {@code parallelism} at a time; the result of every line comes back in order as soon as it is
 * known, so 100,000 devices need neither the whole upload nor all results in memory.
 */
public final class BulkProvisioning {

  /** The longest line taken; a longer one is refused (request.invalid) and the upload goes on. */
  public static final int MAX_LINE = 4096;
  /** A line longer than this ends the upload (the stream fails): no device line is that long. */
  static final int MAX_FRAME = 65_536;

  public enum Format { CSV, JSON_LINES }

  /**
   * One line's outcome: the device's entry (revision) once its entity took it, or why not. Line 0
   * is the upload's own: a line too long to find its end stops the reading.
   */
  public record LineResult(long line, String deviceId, String outcome, Long revision, String code, String message,
      String secret) {
    LineResult(long line, String deviceId, String outcome, Long revision, String code, String message) {
      this(line, deviceId, outcome, revision, code, message, null);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DeviceRegistrations registrations;
  private final int parallelism;
  private final java.time.Duration timeout;

  BulkProvisioning(DeviceRegistrations registrations, int parallelism, java.time.Duration timeout) {
    this.registrations = registrations;
    this.parallelism = parallelism;
    this.timeout = timeout;
  }

  /**
   * Registers every device of the upload; with {@code issueCredentials} a device that holds no
   * valid credential is issued one, its secret in its line's result (the only time it is shown).
   */
  public Source<LineResult, NotUsed> provision(Source<ByteString, ?> upload, Format format, String by,
      boolean issueCredentials) {
    return upload
        .via(Framing.delimiter(ByteString.fromString("\n"), MAX_FRAME, FramingTruncation.ALLOW))
        .zipWithIndex()
        .map(numbered -> new Line(numbered.second() + 1, numbered.first().decodeString(StandardCharsets.UTF_8).strip()))
        // A line past MAX_FRAME has no end the stream can find: it ends the reading here, before
        // the registrations, so the lines before it are still answered, and a last result says why.
        .recover(FramingException.class, () -> UNREADABLE)
        .filter(line -> line == UNREADABLE
            || !line.text().isEmpty() && !(format == Format.CSV && line.number() == 1 && isHeader(line.text())))
        .mapAsync(parallelism, line -> line == UNREADABLE
            ? CompletableFuture.completedFuture(new LineResult(0, null, "refused", null, ErrorCode.REQUEST_INVALID.code(),
                "a line longer than " + MAX_FRAME + " bytes: the rest of the upload was not read"))
            : register(line, format, by, issueCredentials))
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  private record Line(long number, String text) {}

  /** Where the reading stopped at a line too long to find its end. */
  private static final Line UNREADABLE = new Line(0, "");

  record Device(String id, String site, String profile, Map<String, String> metadata) {}

  private CompletionStage<LineResult> register(Line line, Format format, String by, boolean issueCredentials) {
    if (line.text().length() > MAX_LINE) {
      return CompletableFuture.completedFuture(new LineResult(line.number(), null, "refused", null,
          ErrorCode.REQUEST_INVALID.code(), "line longer than " + MAX_LINE + " characters"));
    }
    Device device;
    try {
      device = format == Format.CSV ? csv(line.text()) : jsonLine(line.text());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new LineResult(line.number(), null, "refused", null,
          ErrorCode.REQUEST_INVALID.code(), e.getMessage()));
    }
    return registrations.register(device.id(), device.site(), device.profile(), device.metadata(), by, issueCredentials,
            timeout)
        .handle((reply, failure) -> {
          if (failure != null) {
            return new LineResult(line.number(), device.id(), "refused", null, ErrorCode.SERVICE_UNAVAILABLE.code(),
                "the device's registry entity did not answer: " + failure);
          }
          if (reply instanceof RegistryReply.Accepted accepted) {
            return new LineResult(line.number(), device.id(), "registered", accepted.entry().revision(), null, null,
                accepted.secret());
          }
          RegistryReply.Refused refused = (RegistryReply.Refused) reply;
          return new LineResult(line.number(), device.id(), "refused", null, refused.code().code(), refused.message());
        });
  }

  private static boolean isHeader(String line) {
    return line.toLowerCase(java.util.Locale.ROOT).startsWith("id,");
  }

  static Device csv(String line) {
    String[] fields = line.split(",", -1);
    if (fields.length < 3) {
      throw new IllegalArgumentException("expected id,site,profile[,key=value...], got " + fields.length + " field(s)");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 3; i < fields.length; i++) {
      int equals = fields[i].indexOf('=');
      if (equals < 1) {
        throw new IllegalArgumentException("metadata field " + (i + 1) + " is not key=value: '" + fields[i] + "'");
      }
      metadata.put(fields[i].substring(0, equals).strip(), fields[i].substring(equals + 1).strip());
    }
    return new Device(fields[0].strip(), fields[1].strip(), fields[2].strip(), metadata);
  }

  static Device jsonLine(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject() || !node.path("id").isTextual() || !node.path("site").isTextual()
        || !node.path("profile").isTextual()) {
      throw new IllegalArgumentException("expected {\"id\", \"site\", \"profile\"[, \"metadata\": {...}]} with text values");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    node.path("metadata").fields().forEachRemaining(field -> metadata.put(field.getKey(), field.getValue().asText()));
    return new Device(node.path("id").asText(), node.path("site").asText(), node.path("profile").asText(), metadata);
  }
}
