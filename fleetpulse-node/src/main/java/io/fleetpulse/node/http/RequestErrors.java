package io.fleetpulse.node.http;

import io.fleetpulse.api.error.ErrorCode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.Rejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.RequestEntityExpectedRejection;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import org.apache.pekko.http.javadsl.server.ValidationRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the node answers a request that no route took or whose handling failed, for every route of
 * {@link NodeRoutes}: JSON {@code {"code", "message"}} with the code's status. A body over the
 * size limit is 413 {@code request.too-large}, a body of the wrong media type 415 {@code
 * media-type.unsupported}, a missing or unreadable body 400 {@code request.invalid}, a method the
 * path does not answer 405 {@code method.unsupported} with an {@code Allow} header, an unknown path
 * 404 {@code route.unknown}. Messages never carry an exception's text (it can name files and
 * hosts); the detail goes to the log.
 */
final class RequestErrors {

  private static final Logger LOG = LoggerFactory.getLogger(RequestErrors.class);

  private RequestErrors() {}

  static RejectionHandler rejections(JsonResponses json) {
    return RejectionHandler.newBuilder()
        // A body over the limit surfaces as a malformed body caused by the size exception.
        .handle(MalformedRequestContentRejection.class, rejection -> unreadableBody(json, rejection.getCause()))
        // What the JSON unmarshaller throws (IllegalArgumentException) arrives as a validation rejection.
        .handle(ValidationRejection.class, rejection -> rejection.getCause()
            .map(cause -> unreadableBody(json, cause))
            .orElseGet(() -> json.error(ErrorCode.REQUEST_INVALID, rejection.message())))
        .handleAll(UnsupportedRequestContentTypeRejection.class, rejections -> json.error(
            ErrorCode.MEDIA_TYPE_UNSUPPORTED, "send the body as " + rejections.stream()
                .flatMap(rejection -> rejection.getSupported().stream()).map(Object::toString).distinct()
                .collect(Collectors.joining(" or "))))
        .handle(RequestEntityExpectedRejection.class,
            rejection -> json.error(ErrorCode.REQUEST_INVALID, "this request needs a JSON body"))
        .handleAll(MethodRejection.class, rejections -> methodUnsupported(json, rejections))
        .handleNotFound(json.error(ErrorCode.ROUTE_UNKNOWN, "no such resource"))
        .handleAll(Rejection.class, list -> json.error(ErrorCode.REQUEST_INVALID, "request rejected: " + list))
        .build();
  }

  static ExceptionHandler exceptions(JsonResponses json) {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> tooLarge(json))
        .match(TimeoutException.class, e -> json.error(ErrorCode.SERVICE_UNAVAILABLE, "the fleet did not answer in time"))
        .match(CompletionException.class, e -> {
          LOG.warn("a request failed waiting for the fleet: {}", String.valueOf(e.getCause()));
          return tooLarge(e) ? tooLarge(json)
              : json.error(ErrorCode.SERVICE_UNAVAILABLE, "the fleet did not answer; try again");
        })
        .match(RuntimeException.class, e -> {
          LOG.error("a request failed", e);
          return json.error(ErrorCode.INTERNAL_ERROR, "the request failed unexpectedly");
        })
        .build();
  }

  private static Route methodUnsupported(JsonResponses json, List<MethodRejection> rejections) {
    Set<HttpMethod> allowed = new LinkedHashSet<>();
    rejections.forEach(rejection -> allowed.add(rejection.supported()));
    String names = allowed.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
    return Directives.respondWithHeader(Allow.create(allowed.toArray(HttpMethod[]::new)),
        () -> json.error(ErrorCode.METHOD_UNSUPPORTED, "this resource answers " + names));
  }

  private static Route unreadableBody(JsonResponses json, Throwable cause) {
    if (tooLarge(cause)) {
      return tooLarge(json);
    }
    LOG.debug("unreadable request body: {}", String.valueOf(cause));
    return json.error(ErrorCode.REQUEST_INVALID, "the body is not JSON of the expected shape");
  }

  private static Route tooLarge(JsonResponses json) {
    return json.error(ErrorCode.REQUEST_TOO_LARGE,
        "the body is larger than this node accepts (pekko.http.server.parsing.max-content-length)");
  }

  private static boolean tooLarge(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof EntityStreamSizeException) {
        return true;
      }
    }
    return false;
  }
}
