package io.fleetpulse.simulator.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.fleetpulse.simulator.signal.Metric;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Encodes a {@link Reading} as compact JSON or as a SenML pack, exactly as devices in the field
 * do. {@link MalformedPayloads} reuses it with {@link Distortion}s to produce payloads the node
 * must reject. Stateless and thread-safe.
 */
public final class PayloadEncoder {

  /** Values go out with this many decimals: enough for sensors, short on the wire. */
  private static final int VALUE_DECIMALS = 3;
  private static final int MILLIS_DECIMALS = 3;

  private final JsonFactory factory =
      JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  public byte[] encode(Reading reading, PayloadFormat format) {
    return encode(reading, format, Distortion.NONE);
  }

  /**
   * Ways to bend an otherwise correct payload; each field left at its neutral value changes
   * nothing. Indexes refer to the profile's metric order.
   */
  record Distortion(
      int textValueIndex, int nanValueIndex, String extraMetric, String baseNameDevice, int paddingLength) {
    static final Distortion NONE = new Distortion(-1, -1, null, null, 0);
  }

  byte[] encode(Reading reading, PayloadFormat format, Distortion distortion) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + distortion.paddingLength());
    try (JsonGenerator json = factory.createGenerator(out)) {
      if (format == PayloadFormat.COMPACT) {
        writeCompact(json, reading, distortion);
      } else {
        writeSenml(json, reading, distortion);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a reading in memory", e);
    }
    return out.toByteArray();
  }

  private void writeCompact(JsonGenerator json, Reading reading, Distortion distortion) throws IOException {
    List<Metric> metrics = reading.profile().metrics();
    json.writeStartObject();
    json.writeNumberField("ts", reading.timestampMillis());
    json.writeNumberField("seq", reading.seq());
    json.writeObjectFieldStart("values");
    for (int i = 0; i < metrics.size(); i++) {
      json.writeFieldName(metrics.get(i).name());
      writeValue(json, i, reading.values().get(i), distortion);
    }
    if (distortion.extraMetric() != null) {
      json.writeFieldName(distortion.extraMetric());
      json.writeNumber(1.21);
    }
    json.writeEndObject();
    writePadding(json, distortion);
    json.writeEndObject();
  }

  private void writeSenml(JsonGenerator json, Reading reading, Distortion distortion) throws IOException {
    List<Metric> metrics = reading.profile().metrics();
    String baseNameDevice = distortion.baseNameDevice() != null ? distortion.baseNameDevice() : reading.deviceId();
    json.writeStartArray();
    for (int i = 0; i < metrics.size(); i++) {
      json.writeStartObject();
      if (i == 0) {
        json.writeStringField("bn", baseNameDevice + ":");
        json.writeFieldName("bt");
        json.writeNumber(BigDecimal.valueOf(reading.timestampMillis(), MILLIS_DECIMALS));
        json.writeNumberField("seq", reading.seq());
        writePadding(json, distortion);
      }
      json.writeStringField("n", metrics.get(i).name());
      json.writeStringField("u", metrics.get(i).unit());
      json.writeFieldName("v");
      writeValue(json, i, reading.values().get(i), distortion);
      json.writeEndObject();
    }
    if (distortion.extraMetric() != null) {
      json.writeStartObject();
      json.writeStringField("n", distortion.extraMetric());
      json.writeNumberField("v", 1.21);
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  private static void writeValue(JsonGenerator json, int index, double value, Distortion distortion)
      throws IOException {
    BigDecimal rounded = rounded(value);
    if (index == distortion.nanValueIndex()) {
      // Not valid JSON: the bare token devices with naive printf encoders send.
      json.writeRawValue("NaN");
    } else if (index == distortion.textValueIndex()) {
      json.writeString(rounded.toPlainString());
    } else {
      json.writeNumber(rounded);
    }
  }

  private static void writePadding(JsonGenerator json, Distortion distortion) throws IOException {
    if (distortion.paddingLength() > 0) {
      json.writeStringField("padding", "x".repeat(distortion.paddingLength()));
    }
  }

  static BigDecimal rounded(double value) {
    return BigDecimal.valueOf(value).setScale(VALUE_DECIMALS, RoundingMode.HALF_EVEN).stripTrailingZeros();
  }
}
