package io.fleetpulse.gateway.auth;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import io.fleetpulse.api.registry.RegistryEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MqttAccess} inside the embedded HiveMQ CE broker, through HiveMQ's extension SDK: every
 * CONNECT is authenticated, by its secret or, over the TLS listener, by a client certificate of
 * the fleet's CA (the PBKDF2 check runs on the extension executor, off the broker's network threads), every PUBLISH and SUBSCRIBE authorised. A connection's principal is kept in a
 * map under a token held in the connection's attribute store, so a session taken over by a new
 * connection of the same client id never sees the old one's principal. When the registry changes a
 * client (revoked, decommissioned), its live connections are disconnected at once; a credential
 * past its rotation grace period ends the connection at its next PUBLISH or SUBSCRIBE.
 */
public final class BrokerAccessExtension implements ExtensionMain {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerAccessExtension.class);
  private static final String TOKEN = "fleetpulse.principal";
  private static final Duration AUTHENTICATION_TIMEOUT = Duration.ofSeconds(10);

  private record Connection(String clientId, Principal principal) {}

  private final MqttAccess access;
  private final ConcurrentHashMap<String, Connection> connections = new ConcurrentHashMap<>();
  private final AtomicLong tokens = new AtomicLong();

  private BrokerAccessExtension(MqttAccess access) {
    this.access = access;
  }

  /** The extension to hand to {@code EmbeddedHiveMQ.builder().withEmbeddedExtension}. */
  public static EmbeddedExtension embedded(MqttAccess access) {
    return EmbeddedExtension.builder()
        .withId("fleetpulse-access")
        .withName("FleetPulse access control")
        .withVersion("1")
        .withAuthor("FleetPulse")
        .withPriority(1000)
        .withStartPriority(1000)
        .withExtensionMain(new BrokerAccessExtension(access))
        .build();
  }

  @Override
  public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
    Services.securityRegistry().setAuthenticatorProvider(providerInput -> (SimpleAuthenticator) this::onConnect);
    Authorizers authorizers = new Authorizers();
    Services.securityRegistry().setAuthorizerProvider(providerInput -> authorizers);
    Services.eventRegistry().setClientLifecycleEventListener(providerInput -> new Lifecycle());
    access.registry().onChange(this::onRegistryChange);
  }

  @Override
  public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
    connections.clear();
  }

  private void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
    String clientId = input.getConnectPacket().getClientId();
    Optional<String> username = input.getConnectPacket().getUserName();
    Optional<String> secret = input.getConnectPacket().getPassword().map(BrokerAccessExtension::text);
    Optional<java.security.cert.X509Certificate> certificate = input.getConnectionInformation().getClientTlsInformation()
        .flatMap(tls -> tls.getClientCertificate());
    ConnectionAttributeStore attributes = input.getConnectionInformation().getConnectionAttributeStore();
    Async<SimpleAuthOutput> async =
        output.async(AUTHENTICATION_TIMEOUT, TimeoutFallback.FAILURE, ConnackReasonCode.SERVER_BUSY, "authentication timed out");
    Services.extensionExecutorService().submit(() -> {
      try {
        MqttAccess.Authentication result = certificate.isPresent() && secret.isEmpty()
            ? access.authenticateCertificate(clientId, username, certificate.get())
            : access.authenticate(clientId, username.orElse(null), secret);
        if (result instanceof MqttAccess.Authenticated authenticated) {
          String token = Long.toString(tokens.incrementAndGet());
          connections.put(token, new Connection(clientId, authenticated.principal()));
          attributes.putAsString(TOKEN, token);
          output.authenticateSuccessfully();
        } else {
          MqttAccess.Refused refused = (MqttAccess.Refused) result;
          LOG.debug("CONNECT of '{}' refused: {} ({})", clientId, refused.reason().code(), refused.detail());
          output.failAuthentication(connack(refused.reason()), refused.reason().code() + ": " + refused.detail());
        }
      } catch (RuntimeException e) {
        LOG.warn("authenticating '{}' failed", clientId, e);
        output.failAuthentication(ConnackReasonCode.UNSPECIFIED_ERROR, "authentication failed");
      } finally {
        async.resume();
      }
    });
  }

  private static ConnackReasonCode connack(AccessRefusal reason) {
    return switch (reason) {
      case CLIENT_ID -> ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
      case NOT_READY -> ConnackReasonCode.SERVER_UNAVAILABLE;
      case DECOMMISSIONED -> ConnackReasonCode.NOT_AUTHORIZED;
      default -> ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD;
    };
  }

  /**
   * The connection's principal while it still holds; empty, with why in {@code refusal}, when it
   * has none (unauthenticated) or was revoked, decommissioned or rotated out since its CONNECT.
   */
  private Optional<Principal> holding(ConnectionAttributeStore attributes, AccessRefusal[] refusal) {
    Optional<Principal> principal = attributes.getAsString(TOKEN).map(connections::get).map(Connection::principal);
    refusal[0] = principal.isEmpty() ? AccessRefusal.UNKNOWN : access.revoked(principal.get()).orElse(null);
    return refusal[0] == null ? principal : Optional.empty();
  }

  private final class Authorizers implements PublishAuthorizer, SubscriptionAuthorizer {

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
      AccessRefusal[] refusal = new AccessRefusal[1];
      Optional<Principal> principal = holding(input.getConnectionInformation().getConnectionAttributeStore(), refusal);
      if (principal.isEmpty()) {
        output.disconnectClient(DisconnectReasonCode.NOT_AUTHORIZED, refusal[0].code());
      } else if (access.mayPublish(principal.get(), input.getPublishPacket().getTopic())) {
        output.authorizeSuccessfully();
      } else {
        output.failAuthorization(AckReasonCode.NOT_AUTHORIZED,
            AccessRefusal.PUBLISH_DENIED.code() + ": '" + input.getPublishPacket().getTopic() + "'");
      }
    }

    @Override
    public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
      AccessRefusal[] refusal = new AccessRefusal[1];
      Optional<Principal> principal = holding(input.getConnectionInformation().getConnectionAttributeStore(), refusal);
      if (principal.isEmpty()) {
        output.disconnectClient(DisconnectReasonCode.NOT_AUTHORIZED, refusal[0].code());
      } else if (access.maySubscribe(principal.get(), input.getSubscription().getTopicFilter())) {
        output.authorizeSuccessfully();
      } else {
        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED,
            AccessRefusal.SUBSCRIBE_DENIED.code() + ": '" + input.getSubscription().getTopicFilter() + "'");
      }
    }
  }

  private final class Lifecycle implements ClientLifecycleEventListener {

    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {}

    @Override
    public void onDisconnect(DisconnectEventInput input) {
      input.getConnectionInformation().getConnectionAttributeStore().getAsString(TOKEN).ifPresent(connections::remove);
    }
  }

  /** Ends the live connections of a client the registry no longer lets connect as it did. */
  private void onRegistryChange(RegistryEntry entry) {
    connections.forEach((token, connection) -> {
      if (!connection.principal().service() && connection.principal().name().equals(entry.deviceId())) {
        access.revoked(connection.principal()).ifPresent(reason -> {
          LOG.info("disconnecting '{}' ({}): {}", connection.clientId(), entry.deviceId(), reason.code());
          Services.clientService().disconnectClient(connection.clientId(), false, DisconnectReasonCode.NOT_AUTHORIZED,
              reason.code());
        });
      }
    });
  }

  private static String text(ByteBuffer buffer) {
    ByteBuffer copy = buffer.asReadOnlyBuffer();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
