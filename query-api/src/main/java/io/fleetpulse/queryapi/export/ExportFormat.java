package io.fleetpulse.queryapi.export;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.MediaTypes;

/** The streamed export formats ({@code format=csv}, {@code format=jsonl}): content type and file extension. */
public enum ExportFormat {
  CSV("csv", ContentTypes.create(MediaTypes.TEXT_CSV, HttpCharsets.UTF_8)),
  JSONL("jsonl", MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8, "jsonl", "ndjson").toContentType());

  private final String parameter;
  private final ContentType contentType;

  ExportFormat(String parameter, ContentType contentType) {
    this.parameter = parameter;
    this.contentType = contentType;
  }

  /** The {@code format} value that selects it, also the exported file's extension. */
  public String parameter() {
    return parameter;
  }

  public ContentType contentType() {
    return contentType;
  }

  public static Optional<ExportFormat> of(String parameter) {
    for (ExportFormat format : values()) {
      if (format.parameter.equals(parameter)) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }
}
