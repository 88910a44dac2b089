package io.fleetpulse.node.http;

import io.fleetpulse.api.error.ApiError;
import io.fleetpulse.api.error.ErrorCode;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The answer to a request the server cannot even parse (a raw backslash in the path, a header or
 * URI over its limit), before any route or {@link RequestErrors} sees it: JSON like every other
 * error, 413 {@code request.too-large} or 400 {@code request.invalid} with the parser's summary
 * (never the offending input). Configured as {@code pekko.http.server.parsing.error-handler}.
 */
public final class JsonParsingErrors extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.warning("Illegal request, responding with status '{}': {}", status, info.formatPretty());
    ErrorCode code = status.intValue() == ErrorCode.REQUEST_TOO_LARGE.httpStatus()
        ? ErrorCode.REQUEST_TOO_LARGE : ErrorCode.REQUEST_INVALID;
    byte[] body;
    try {
      body = NodeRoutes.JSON.writeValueAsBytes(ApiError.of(code, "the request could not be read: " + info.summary()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
    return HttpResponse.create().withStatus(StatusCodes.get(code.httpStatus()))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }
}
