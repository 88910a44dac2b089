package io.fleetpulse.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.error.ApiError;
import io.fleetpulse.api.error.ErrorCode;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** The security layer's answers, in the API's JSON ({@link ApiError} for errors). */
final class HttpErrors {

  private final ObjectMapper mapper;

  HttpErrors(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  HttpResponse json(StatusCode status, Object body) {
    try {
      return HttpResponse.create().withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, mapper.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  HttpResponse error(ErrorCode code, String message) {
    return json(StatusCodes.get(code.httpStatus()), ApiError.of(code, message));
  }
}
