package io.fleetpulse.node.http;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.gateway.auth.MqttAccess;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The questions an external broker asks about its clients, answered from this node's registry
 * view with the rules of the embedded broker ({@link MqttAccess}): EMQX 5's HTTP authentication
 * ({@code POST /api/mqtt/authenticate}) and HTTP authorisation ({@code POST /api/mqtt/authorize}),
 * each answered {@code {"result": "allow" | "deny"}}. The broker must send the gateway's secret
 * in {@value #KEY_HEADER}; without it the answer is 401 {@code broker-key.invalid}, so nobody else
 * can use the node to try secrets.
 */
final class BrokerAccessRoutes {

  static final String KEY_HEADER = "x-fleetpulse-broker-key";

  /** What EMQX sends to authenticate: its body template's placeholders. */
  record AuthenticationRequest(String username, String password, String clientid) {}

  /** What EMQX sends to authorise: {@code action} is {@code publish} or {@code subscribe}. */
  record AuthorizationRequest(String username, String clientid, String topic, String action) {}

  private final Optional<MqttAccess> access;
  private final JsonResponses responses;
  private final ObjectMapper json;

  BrokerAccessRoutes(Optional<MqttAccess> access, JsonResponses responses, ObjectMapper json) {
    this.access = access;
    this.responses = responses;
    this.json = json;
  }

  Route route() {
    return concat(
        path("authenticate", () -> post(() -> withKey(access -> entity(Jackson.unmarshaller(json,
            AuthenticationRequest.class), request -> allowIf(access.authenticate(request.clientid(), request.username(),
                Optional.ofNullable(request.password())) instanceof MqttAccess.Authenticated))))),
        path("authorize", () -> post(() -> withKey(access -> entity(Jackson.unmarshaller(json,
            AuthorizationRequest.class), request -> allowIf(("publish".equals(request.action())
                || "subscribe".equals(request.action()))
                && access.authorize(request.username(), request.topic(), "publish".equals(request.action()))))))));
  }

  private Route withKey(java.util.function.Function<MqttAccess, Route> inner) {
    if (access.isEmpty()) {
      return responses.error(ErrorCode.ROUTE_UNKNOWN,
          "this node answers no broker's access questions: give it the gateway's secret (fleetpulse.gateway.broker.password)");
    }
    return optionalHeaderValueByName(KEY_HEADER, key -> access.get().isBrokerKey(key.orElse(null))
        ? inner.apply(access.get())
        : responses.error(ErrorCode.BROKER_KEY_INVALID, "send the gateway's secret in " + KEY_HEADER));
  }

  private Route allowIf(boolean allowed) {
    return responses.ok(Map.of("result", allowed ? "allow" : "deny", "is_superuser", false));
  }
}
