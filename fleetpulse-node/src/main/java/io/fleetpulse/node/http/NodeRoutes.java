package io.fleetpulse.node.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.control.HistoryItem;
import io.fleetpulse.control.models.ModelDecisions;
import io.fleetpulse.control.registry.BulkProvisioning;
import io.fleetpulse.control.registry.DeviceRegistrations;
import io.fleetpulse.control.registry.RegistryReply;
import io.fleetpulse.fleet.Devices;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.directory.FleetDirectory;
import io.fleetpulse.gateway.DeviceGateway;
import io.fleetpulse.gateway.auth.MqttAccess;
import io.fleetpulse.gateway.registry.DeviceRegistration;
import io.fleetpulse.gateway.registry.DeviceRegistry;
import io.fleetpulse.serving.pool.InferencePool;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * The node's HTTP API (JSON) and dashboard. Every error is JSON {@code {"code", "message"}}:
 * unknown devices are 404 {@code device.unknown}, bad input 400 with its own code, a fleet part
 * that does not answer in time 503 {@code service.unavailable}.
 */
public final class NodeRoutes extends AllDirectives {

  public static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private static final int MAX_PAGE = 1000;

  private final ActorSystem<?> system;
  private final DeviceProfiles profiles;
  private final DeviceRegistry registry;
  private final Devices devices;
  private final ActorRef<FleetDirectory.Command> directory;
  private final Optional<DeviceGateway> gateway;
  private final DeviceRegistrations registrations;
  private final BulkProvisioning bulk;
  private static final ByteString NEWLINE = ByteString.fromString("\n");
  private static final org.apache.pekko.http.javadsl.model.ContentType JSON_LINES =
      org.apache.pekko.http.javadsl.model.MediaTypes.applicationWithFixedCharset(
          "x-ndjson", org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8, "jsonl", "ndjson").toContentType();
  /** Counters that stay zero on a node without the gateway role. */
  private final io.fleetpulse.gateway.ingest.GatewayMetrics noGateway =
      new io.fleetpulse.gateway.ingest.GatewayMetrics(new io.fleetpulse.gateway.ingest.RateMeter(10, System::currentTimeMillis));
  private final FleetSettings fleetSettings;
  private final Cluster cluster;
  private final JsonResponses responses = new JsonResponses(JSON);
  private final Optional<ModelRoutes> models;
  private final Optional<PrometheusMeterRegistry> metrics;
  private final AlertRoutes alerts;

  private final Optional<MqttAccess> access;
  private final io.fleetpulse.security.ConsoleSecurity security;
  private final io.fleetpulse.security.AccessRoutes console;
  private final BrokerAccessRoutes brokerAccess;

  public NodeRoutes(
      ActorSystem<?> system, DeviceProfiles profiles, DeviceRegistry registry, DeviceRegistrations registrations,
      Devices devices,
      ActorRef<FleetDirectory.Command> directory, Optional<DeviceGateway> gateway, FleetSettings fleetSettings, Cluster cluster,
      Optional<ActorRef<InferencePool.Command>> pool, ModelDecisions modelDecisions,
      Optional<PrometheusMeterRegistry> metrics,
      Optional<io.fleetpulse.persistence.alerts.CassandraAlertStore> alertsReader, io.fleetpulse.node.alerts.AlertFeed alertFeed,
      io.fleetpulse.node.NodeSettings.Alerts alertSettings, Optional<MqttAccess> access,
      io.fleetpulse.security.ConsoleSecurity security, io.fleetpulse.security.AccessRoutes console) {
    this.access = access;
    this.security = security;
    this.console = console;
    this.brokerAccess = new BrokerAccessRoutes(access, responses, JSON);
    this.system = system;
    this.profiles = profiles;
    this.registry = registry;
    this.registrations = registrations;
    this.bulk = registrations.bulk();
    this.devices = devices;
    this.directory = directory;
    this.gateway = gateway;
    this.fleetSettings = fleetSettings;
    this.cluster = cluster;
    this.models = pool.map(p -> new ModelRoutes(system, p, modelDecisions, security,
        fleetSettings.directory().askTimeout(), responses));
    this.metrics = metrics;
    this.alerts = new AlertRoutes(system, devices, alertsReader, responses, JSON, alertFeed, alertSettings, security,
        deviceId -> registry.find(deviceId).isPresent() || registrations.viewed(deviceId).isPresent());
  }

  public Route route() {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> concat(
        pathPrefix("health", this::healthRoutes),
        pathPrefix("api", this::apiRoutes),
        path("metrics", () -> get(this::prometheus)),
        pathEndOrSingleSlash(() -> get(() -> getFromResource("dashboard/index.html", ContentTypes.TEXT_HTML_UTF8))))));
  }

  private Route healthRoutes() {
    return concat(
        path("live", () -> get(() -> json(StatusCodes.OK, Map.of("status", "alive")))),
        path("ready", () -> get(this::readiness)));
  }

  private Route apiRoutes() {
    return concat(
        path(PathMatchers.segment("fleet").slash("summary"), () -> get(this::summary)),
        path("profiles", () -> get(() -> json(StatusCodes.OK, profiles.all()))),
        path("cluster", () -> get(this::clusterState)),
        pathPrefix("devices", this::deviceRoutes),
        pathPrefix("mqtt", brokerAccess::route),
        pathPrefix("sites", alerts::siteRoutes),
        pathPrefix("alerts", alerts::streamRoutes),
        console.route(),
        models.map(ModelRoutes::route).orElseGet(() -> pathPrefix("models", () ->
            error(ErrorCode.INFERENCE_DISABLED, "this node has no inference role"))));
  }

  private Route prometheus() {
    if (metrics.isEmpty()) {
      return error(ErrorCode.METRICS_DISABLED, "metrics are not enabled on this node");
    }
    return complete(StatusCodes.OK, HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.get().scrape()));
  }

  private Route deviceRoutes() {
    return concat(
        pathEndOrSingleSlash(() -> get(this::listDevices)),
        path("bulk", () -> post(() -> security.identity(this::bulk))),
        pathPrefix(PathMatchers.segment(), deviceId -> alerts.deviceRoutes(deviceId)),
        path(PathMatchers.segment().slash("decommission"), deviceId -> post(() -> security.identity(identity ->
            registryReply(registrations.decommission(deviceId, identity.name()))))),
        path(PathMatchers.segment().slash("history"), deviceId -> get(() -> history(deviceId))),
        path(PathMatchers.segment().slash("credentials"), deviceId -> concat(
            post(() -> security.identity(identity -> parameterOptional("graceSeconds",
                grace -> issueCredential(deviceId, grace, identity.name())))),
            delete(() -> security.identity(identity ->
                registryReply(registrations.revokeCredentials(deviceId, identity.name())))))),
        path(PathMatchers.segment(), deviceId -> concat(
            get(() -> device(deviceId)),
            put(() -> security.identity(identity -> parameterOptional("credentials", credentials ->
                responses.body(RegistrationRequest.class,
                    request -> register(deviceId, request, !"none".equals(credentials.orElse("")), identity.name()))))))));
  }

  /** Body of {@code PUT /api/devices/{id}}; {@code metadata} (free key-value pairs) is optional. */
  public record RegistrationRequest(String site, String profile, Map<String, String> metadata) {}

  /**
   * {@code POST /api/devices/{id}/credentials[?graceSeconds=N]}: a new secret, shown once; the
   * secrets valid until now stay valid N seconds more (0 ends them at once; absent: the configured
   * rotation grace).
   */
  private Route issueCredential(String deviceId, Optional<String> graceSeconds, String by) {
    long grace;
    try {
      grace = graceSeconds.map(Long::parseLong).orElse(-1L);
    } catch (NumberFormatException e) {
      return error(ErrorCode.REQUEST_INVALID, "graceSeconds must be a whole number of seconds");
    }
    if (graceSeconds.isPresent() && (grace < 0 || grace > 30L * 86_400)) {
      return error(ErrorCode.REQUEST_INVALID, "graceSeconds must be within 0..2592000 (30 days)");
    }
    return registryReply(registrations.issueCredential(deviceId,
        graceSeconds.isEmpty() ? null : java.time.Duration.ofSeconds(grace), by));
  }

  private Route readiness() {
    boolean clusterUp = cluster.selfMember().status() == MemberStatus.up();
    boolean gatewayReady = gateway.map(DeviceGateway::isReady).orElse(true);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", clusterUp && gatewayReady ? "ready" : "not-ready");
    body.put("checks", Map.of("cluster", clusterUp ? "up" : cluster.selfMember().status().toString(),
        "gateway", gateway.isEmpty() ? "not-this-node" : gatewayReady ? "subscribed" : "not-subscribed"));
    return json(clusterUp && gatewayReady ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body);
  }

  /** Members with their roles and status, this node, the leader, and device actors per node. */
  private Route clusterState() {
    CompletionStage<Map<String, Object>> body = devices.actorsPerNode(system).thenApply(actors -> {
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("self", cluster.selfMember().address().toString());
      org.apache.pekko.cluster.ClusterEvent.CurrentClusterState current = cluster.state();
      state.put("leader", current.getLeader() == null ? null : current.getLeader().toString());
      List<Map<String, Object>> members = new java.util.ArrayList<>();
      for (org.apache.pekko.cluster.Member member : current.getMembers()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", member.address().toString());
        m.put("status", member.status().toString());
        m.put("roles", new java.util.TreeSet<>(member.getRoles()));
        m.put("reachable", !current.getUnreachable().contains(member));
        m.put("deviceActors", actors.getOrDefault(member.address().toString(), 0));
        members.add(m);
      }
      state.put("members", members);
      return state;
    });
    return onSuccess(body, b -> json(StatusCodes.OK, b));
  }

  private Route summary() {
    CompletionStage<FleetSummary> summary =
        AskPattern.ask(directory, FleetDirectory.GetOverview::new, fleetSettings.directory().askTimeout(), system.scheduler())
            .thenApplyAsync(overview -> FleetSummary.of(overview, registry.size(),
                gateway.map(DeviceGateway::metrics).orElse(noGateway).snapshot(), access.map(MqttAccess::counters)),
                system.executionContext());
    return onSuccess(summary, s -> json(StatusCodes.OK, s));
  }

  private Route listDevices() {
    return parameterOptional("after", after -> parameterOptional("limit", limitText -> parameterOptional("role", roleText -> {
      io.fleetpulse.api.profile.ClientRole role;
      try {
        role = roleText.map(io.fleetpulse.api.profile.ClientRole::parse).orElse(io.fleetpulse.api.profile.ClientRole.DEVICE);
      } catch (IllegalArgumentException e) {
        return error(ErrorCode.REQUEST_INVALID, e.getMessage());
      }
      int limit;
      try {
        limit = limitText.map(Integer::parseInt).orElse(100);
      } catch (NumberFormatException e) {
        return error(ErrorCode.REQUEST_INVALID, "limit must be an integer");
      }
      if (limit < 1 || limit > MAX_PAGE) {
        return error(ErrorCode.REQUEST_INVALID, "limit must be within 1.." + MAX_PAGE);
      }
      List<DeviceRegistration> page = registry.list(after.orElse(null), limit, role);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("devices", page);
      body.put("next", page.size() == limit ? page.get(page.size() - 1).deviceId() : null);
      return json(StatusCodes.OK, body);
    })));
  }

  private Route device(String deviceId) {
    Optional<DeviceRegistration> registration = registry.find(deviceId);
    if (registration.isEmpty()) {
      return registrations.viewed(deviceId).isPresent()
          ? error(ErrorCode.DEVICE_DECOMMISSIONED, "device '" + deviceId + "' was decommissioned (its history: "
              + "/api/devices/" + deviceId + "/history)")
          : error(ErrorCode.DEVICE_UNKNOWN, "no device '" + deviceId + "' is registered");
    }
    return onSuccess(devices.view(deviceId), reply -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("registration", registration.get());
      body.put("state", reply.view());
      access.ifPresent(a -> body.put("brokerRefusals", a.counters().ofClient(deviceId)));
      return json(StatusCodes.OK, body);
    });
  }

  private Route register(String deviceId, RegistrationRequest request, boolean issueCredential, String by) {
    if (request == null || request.site() == null || request.profile() == null) {
      return error(ErrorCode.REQUEST_INVALID, "site and profile are required");
    }
    if (profiles.find(request.profile()).isEmpty()) {
      return error(ErrorCode.PROFILE_UNKNOWN, "no device profile '" + request.profile() + "'");
    }
    return registryReply(registrations.register(deviceId, request.site(), request.profile(), request.metadata(),
        by, issueCredential));
  }

  /**
   * {@code POST /api/devices/bulk}: a CSV ({@code text/csv}) or JSON Lines ({@code
   * application/x-ndjson}) upload, one device per line, answered as it goes with one JSON line per
   * input line ({@link BulkProvisioning}).
   */
  private Route bulk(io.fleetpulse.security.Identity identity) {
    return parameterOptional("credentials", credentials -> extractRequestEntity(entity -> {
      String mediaType = entity.getContentType().mediaType().toString();
      BulkProvisioning.Format format;
      if (mediaType.equals("text/csv")) {
        format = BulkProvisioning.Format.CSV;
      } else if (mediaType.equals("application/x-ndjson") || mediaType.equals("application/jsonl")) {
        format = BulkProvisioning.Format.JSON_LINES;
      } else {
        return error(ErrorCode.MEDIA_TYPE_UNSUPPORTED,
            "send text/csv (id,site,profile[,key=value...]) or application/x-ndjson, not " + mediaType);
      }
      org.apache.pekko.stream.javadsl.Source<ByteString, ?> results = bulk
          .provision(entity.withoutSizeLimit().getDataBytes(), format, identity.name(),
              !"none".equals(credentials.orElse("")))
          .map(result -> ByteString.fromArray(JSON.writeValueAsBytes(result)).concat(NEWLINE));
      return complete(HttpResponse.create().withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.createChunked(JSON_LINES, results)));
    }));
  }

  /** {@code GET /api/devices/{id}/history}: every change of the device's registration, oldest first. */
  private Route history(String deviceId) {
    Optional<CompletionStage<List<HistoryItem>>> items = registrations.history(deviceId);
    if (items.isEmpty()) {
      return error(ErrorCode.STORAGE_DISABLED, "the registry's history needs storage (fleetpulse.persistence.enabled)");
    }
    return onSuccess(items.get(), list -> list.isEmpty()
        ? error(ErrorCode.DEVICE_UNKNOWN, "device '" + deviceId + "' has no history")
        : json(StatusCodes.OK, Map.of("deviceId", deviceId, "events", list)));
  }

  private Route registryReply(CompletionStage<RegistryReply> reply) {
    return onSuccess(reply, answer -> answer instanceof RegistryReply.Accepted accepted
        ? json(StatusCodes.OK, registrationBody(accepted.entry(), accepted.secret()))
        : error(((RegistryReply.Refused) answer).code(), ((RegistryReply.Refused) answer).message()));
  }

  /**
   * An entry as the API shows it: its credentials by validity only (never a hash), and the secret
   * issued by this very request, if any: the only time anyone sees it.
   */
  static Map<String, Object> registrationBody(RegistryEntry entry, String secret) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("deviceId", entry.deviceId());
    body.put("site", entry.site());
    body.put("profile", entry.profile());
    body.put("autoProvisioned", entry.autoProvisioned());
    body.put("decommissioned", entry.decommissioned());
    body.put("revision", entry.revision());
    body.put("updatedAtMillis", entry.updatedAtMillis());
    body.put("credentials", entry.credentials().stream()
        .map(credential -> credential.notAfterMillis() == Long.MAX_VALUE ? Map.of("current", true)
            : Map.of("current", false, "validUntil", java.time.Instant.ofEpochMilli(credential.notAfterMillis()).toString()))
        .toList());
    if (secret != null) {
      body.put("secret", secret);
    }
    return body;
  }

  private Route json(StatusCode status, Object body) {
    return responses.json(status, body);
  }

  private Route error(ErrorCode code, String message) {
    return responses.error(code, message);
  }

  private ExceptionHandler exceptions() {
    return RequestErrors.exceptions(responses);
  }

  private RejectionHandler rejections() {
    return RequestErrors.rejections(responses);
  }
}
