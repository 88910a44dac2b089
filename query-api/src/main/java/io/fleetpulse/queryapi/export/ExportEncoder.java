package io.fleetpulse.queryapi.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.persistence.query.CsvColumn;
import io.fleetpulse.persistence.query.Dataset;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Turns a stream of item pages into the bytes of an export, one chunk per page: CSV with a header
 * row (the dataset's columns; times ISO-8601; a list such as prediction outputs as one field holding
 * its JSON array, e.g. {@code "[0.1,0.2]"}), or JSON Lines with one item per line exactly as in the
 * paged JSON. Values are written as the JSON API writes them, so the formats agree. In CSV, a
 * number is written as it is and every other value as a text cell, escaped against formula
 * injection ({@link Csv#text}): a negative roll-up stays a number, a device id or note starting
 * with {@code =} or {@code -} is shown as text.
 */
public final class ExportEncoder {

  private final ObjectMapper mapper;

  public ExportEncoder(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The export body; pages are encoded as they arrive, empty pages send nothing. */
  public <T> Source<ByteString, NotUsed> encode(ExportFormat format, Dataset<T> dataset, Source<List<T>, NotUsed> pages) {
    Source<ByteString, NotUsed> body = pages.filter(page -> !page.isEmpty())
        .map(page -> format == ExportFormat.CSV ? csv(dataset, page) : jsonLines(page));
    return format == ExportFormat.CSV ? Source.single(csvHeader(dataset)).concat(body) : body;
  }

  public <T> ByteString csvHeader(Dataset<T> dataset) {
    List<String> headers = new ArrayList<>();
    for (CsvColumn<T> column : dataset.csvColumns()) {
      headers.add(column.header());
    }
    return ByteString.fromString(Csv.line(headers));
  }

  public <T> ByteString csv(Dataset<T> dataset, List<T> items) {
    ByteStringBuilder bytes = new ByteStringBuilder();
    List<String> fields = new ArrayList<>(dataset.csvColumns().size());
    for (T item : items) {
      fields.clear();
      for (CsvColumn<T> column : dataset.csvColumns()) {
        fields.add(cell(column.value().apply(item)));
      }
      bytes.append(ByteString.fromString(Csv.record(fields)));
    }
    return bytes.result();
  }

  public <T> ByteString jsonLines(List<T> items) {
    ByteStringBuilder bytes = new ByteStringBuilder();
    for (T item : items) {
      bytes.putBytes(json(item)).putByte((byte) '\n');
    }
    return bytes.result();
  }

  /** A CSV cell: a number as it is, anything else as an escaped text cell. */
  private String cell(Object value) {
    return value instanceof Number ? Csv.field(value.toString()) : Csv.text(text(value));
  }

  private String text(Object value) {
    if (value == null) {
      return null;
    }
    // Instants print as ISO-8601 and numbers as Jackson prints them; only lists need JSON.
    return value instanceof Collection<?> ? new String(json(value), StandardCharsets.UTF_8) : value.toString();
  }

  private byte[] json(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot render an export item as JSON", e);
    }
  }
}
