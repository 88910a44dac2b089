package io.fleetpulse.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.error.ApiError;
import io.fleetpulse.api.error.ErrorCode;
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

  /** The error's answer: its code's HTTP status and {@link ApiError} body. */
  Route error(ErrorCode code, String message) {
    return json(StatusCodes.get(code.httpStatus()), ApiError.of(code, message));
  }
}
