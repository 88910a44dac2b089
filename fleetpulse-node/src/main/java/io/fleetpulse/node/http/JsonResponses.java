package io.fleetpulse.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.error.ApiError;
import io.fleetpulse.api.error.ErrorCode;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/** Renders every API response as JSON; errors as {@link ApiError}. */
final class JsonResponses {

  private final ObjectMapper mapper;

  JsonResponses(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  Route ok(Object body) {
    return json(StatusCodes.OK, body);
  }

  Route json(StatusCode status, Object body) {
    try {
      return Directives.complete(status, HttpEntities.create(ContentTypes.APPLICATION_JSON, mapper.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  /**
   * The request's JSON body as {@code type} for {@code inner}. A body of {@code null} is refused
   * 400 {@code request.invalid} here; an empty or malformed one, another media type or one over
   * the size limit is rejected and answered by {@link RequestErrors}.
   */
  <T> Route body(Class<T> type, Function<T, Route> inner) {
    return Directives.entity(Jackson.unmarshaller(mapper, type), body -> body == null
        ? error(ErrorCode.REQUEST_INVALID, "the body must be a JSON object, not null")
        : inner.apply(body));
  }

  /** The error's answer: its code's HTTP status and {@link ApiError} body. */
  Route error(ErrorCode code, String message) {
    return json(StatusCodes.get(code.httpStatus()), ApiError.of(code, message));
  }
}
