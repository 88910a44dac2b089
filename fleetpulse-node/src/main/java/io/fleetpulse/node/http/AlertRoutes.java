package io.fleetpulse.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertReply;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.alert.AlertStatus;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.fleet.Devices;
import io.fleetpulse.persistence.alerts.CassandraAlertStore;
import io.fleetpulse.persistence.query.PageToken;
import io.fleetpulse.persistence.query.QueryRejection;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operators' alert API. Per device (through its actor, wherever it runs):
 * {@code GET /api/devices/{id}/alerts} (open alerts), {@code POST
 * /api/devices/{id}/alerts/{alertId}/acknowledge} and {@code .../clear} with an optional {@code
 * {"note"}} (by the signed-in identity), answered with the changed alert once it is stored. Per site (from Cassandra, needs
 * storage): {@code GET /api/sites/{site}/alerts?status=&severity=&limit=&pageToken=} (newest
 * first, one status at a time) and {@code GET /api/sites/{site}/alerts/summary} (open alerts by
 * status and severity), {@code GET /api/sites/{site}/alerts/groups?status=} (open alerts by site,
 * type, severity and status: {@link AlertGroups}) and the bulk {@code POST
 * /api/sites/{site}/alerts/acknowledge} and {@code .../clear} ({@link BulkAlertRequest}: a group or
 * alert ids of the site, each alert changed by its own device actor as the single-alert route does,
 * a bounded number at a time; answered with {@link BulkAlertResult}). Refusals: 404 {@code device.unknown} (answered before any device actor
 * starts), 404 {@code alert.unknown}, 409 {@code alert.already-acknowledged} or {@code
 * alert.already-cleared}, 400 {@code request.invalid}, 503 {@code alert.store-unavailable}.
 */
final class AlertRoutes extends AllDirectives {

  private static final int MAX_PAGE = 500;
  private static final int MAX_NOTE = 2000;
  private static final List<AlertStatus> OPEN =
      List.of(AlertStatus.ACTIVE_UNACK, AlertStatus.ACTIVE_ACK, AlertStatus.CLEARED_UNACK);

  /** Body of acknowledge and clear (optional); who acts is the signed-in identity, never the body's. */
  public record OperatorAction(String note) {}

  /** One page of a site's alerts. */
  public record AlertPage(List<Alert> alerts, String nextPageToken) {}

  private final Devices devices;
  private final Optional<CassandraAlertStore> reader;
  private final JsonResponses json;
  private final ObjectMapper mapper;
  private final io.fleetpulse.node.alerts.AlertFeed feed;
  private final io.fleetpulse.node.NodeSettings.Alerts settings;
  private final io.fleetpulse.security.ConsoleSecurity security;
  private final Predicate<String> knownDevice;
  private final org.apache.pekko.actor.typed.ActorSystem<?> system;

  /**
   * @param knownDevice whether a device id was ever registered (decommissioned ones included, so
   *     their open alerts can still be cleared); asked from memory before any device actor starts
   */
  AlertRoutes(org.apache.pekko.actor.typed.ActorSystem<?> system, Devices devices, Optional<CassandraAlertStore> reader, JsonResponses json, ObjectMapper mapper,
      io.fleetpulse.node.alerts.AlertFeed feed, io.fleetpulse.node.NodeSettings.Alerts settings,
      io.fleetpulse.security.ConsoleSecurity security, Predicate<String> knownDevice) {
    this.system = system;
    this.security = security;
    this.knownDevice = knownDevice;
    this.devices = devices;
    this.reader = reader;
    this.json = json;
    this.mapper = mapper;
    this.feed = feed;
    this.settings = settings;
  }

  /**
   * Under {@code /api/alerts}: {@code GET stream?site=} sends every alert change (JSON of {@code
   * {alert, previousStatus}}, event type {@code alert}) as Server-Sent Events, from the client's
   * {@code Last-Event-ID} when it reconnects; an event of type {@code reload} says changes were
   * missed (another node, or too far behind) and the client must reload its lists.
   */
  Route streamRoutes() {
    return path("stream", () -> get(() -> security.identity(identity -> parameterOptional("site", site ->
        optionalHeaderValueByName("Last-Event-ID", lastEventId -> {
          io.fleetpulse.security.StreamLimiter streams = security.streams();
          if (!streams.acquire(identity.name())) {
            return json.error(ErrorCode.STREAM_LIMIT, "'" + identity.name() + "' holds " + streams.limit()
                + " live streams on this node already; close one first");
          }
          // Ends at the next event or heartbeat after the credential stops holding (revoked, signed
          // out, expired, account disabled).
          return completeOK(stream(site, lastEventId).takeWhile(event -> security.stillValid(identity))
              .watchTermination((notUsed, done) -> {
            done.whenComplete((finished, failure) -> streams.release(identity.name()));
            return notUsed;
          }), org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling.toEventStream());
        })))));
  }

  /**
   * The feed from the client's position, pushed as changes arrive (no poll), a batch at a time;
   * comment lines keep an idle stream open.
   */
  private org.apache.pekko.stream.javadsl.Source<org.apache.pekko.http.javadsl.model.sse.ServerSentEvent, org.apache.pekko.NotUsed>
      stream(Optional<String> site, Optional<String> lastEventId) {
    String start = lastEventId.orElseGet(feed::head);
    return io.fleetpulse.node.alerts.AlertFeedSource.follow(feed, start, settings.streamBatch())
        .mapConcat(since -> events(since, site))
        .keepAlive(settings.streamKeepAlive(), org.apache.pekko.http.javadsl.model.sse.ServerSentEvent::heartbeat);
  }

  private List<org.apache.pekko.http.javadsl.model.sse.ServerSentEvent> events(
      io.fleetpulse.node.alerts.AlertFeed.Since since, Optional<String> site) {
    if (since.reload()) {
      return List.of(event("{}", "reload", since.position()));
    }
    List<org.apache.pekko.http.javadsl.model.sse.ServerSentEvent> events = new ArrayList<>();
    for (io.fleetpulse.node.alerts.AlertFeed.Entry entry : since.entries()) {
      if (site.isEmpty() || site.get().equals(entry.change().alert().site())) {
        events.add(event(entry.json(), "alert", feed.position(entry)));
      }
    }
    return events;
  }

  private static org.apache.pekko.http.javadsl.model.sse.ServerSentEvent event(String data, String type, String id) {
    return org.apache.pekko.http.javadsl.model.sse.ServerSentEvent.create(data, Optional.of(type), Optional.of(id),
        java.util.OptionalInt.empty());
  }

  /** Under {@code /api/devices/{deviceId}}. */
  Route deviceRoutes(String deviceId) {
    return pathPrefix("alerts", () -> concat(
        pathEndOrSingleSlash(() -> get(() -> known(deviceId, () ->
            onSuccess(devices.alerts(deviceId), reply -> json.ok(reply.open()))))),
        path(PathMatchers.segment().slash("acknowledge"), alertId -> post(() -> action(deviceId, alertId, (id, by, body) ->
            devices.acknowledgeAlert(deviceId, id, by, body.note())))),
        path(PathMatchers.segment().slash("clear"), alertId -> post(() -> action(deviceId, alertId, (id, by, body) ->
            devices.clearAlert(deviceId, id, by, body.note()))))));
  }

  /** {@code inner} for a device ever registered; 404 {@code device.unknown} without asking (or starting) its actor. */
  private Route known(String deviceId, Supplier<Route> inner) {
    return knownDevice.test(deviceId) ? inner.get()
        : json.error(ErrorCode.DEVICE_UNKNOWN, "no device '" + deviceId + "' is registered");
  }

  /** Under {@code /api/sites}. */
  Route siteRoutes() {
    return concat(
        path(PathMatchers.segment().slash("alerts").slash("summary"), site -> get(() -> summary(site))),
        path(PathMatchers.segment().slash("alerts").slash("groups"), site -> get(() -> groups(site))),
        path(PathMatchers.segment().slash("alerts").slash("acknowledge"), site -> post(() ->
            bulk(site, BulkAlertRequest.Action.ACKNOWLEDGE))),
        path(PathMatchers.segment().slash("alerts").slash("clear"), site -> post(() ->
            bulk(site, BulkAlertRequest.Action.CLEAR))),
        path(PathMatchers.segment().slash("alerts"), site -> get(() -> list(site))));
  }

  private interface Action {
    CompletionStage<AlertReply> apply(UUID alertId, String by, OperatorAction body);
  }

  private Route action(String deviceId, String alertIdText, Action action) {
    UUID alertId;
    try {
      alertId = UUID.fromString(alertIdText);
    } catch (IllegalArgumentException e) {
      return json.error(ErrorCode.REQUEST_INVALID, "'" + alertIdText + "' is not an alert id (a UUID)");
    }
    return security.identity(identity -> extractRequestEntity(entity -> entity(
        org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(), text -> {
      if (!text.isBlank() && !entity.getContentType().mediaType().equals(
          org.apache.pekko.http.javadsl.model.MediaTypes.APPLICATION_JSON)) {
        return json.error(ErrorCode.MEDIA_TYPE_UNSUPPORTED, "send the note as application/json, not "
            + entity.getContentType().mediaType());
      }
      OperatorAction parsed;
      try {
        parsed = text.isBlank() ? null : mapper.readValue(text, OperatorAction.class);
      } catch (java.io.IOException e) {
        return json.error(ErrorCode.REQUEST_INVALID, "the body is a JSON object {\"note\": \"...\"}, or empty");
      }
      OperatorAction body = parsed == null ? new OperatorAction(null) : parsed;
      if (body.note() != null && body.note().length() > MAX_NOTE) {
        return json.error(ErrorCode.REQUEST_INVALID, "'note' is longer than " + MAX_NOTE + " characters");
      }
      return known(deviceId, () -> onSuccess(action.apply(alertId, identity.name(), body),
          reply -> reply instanceof AlertReply.Refused refused
              ? json.error(refused.code(), refused.message())
              : json.ok(((AlertReply.Changed) reply).alert())));
    })));
  }

  private Route list(String site) {
    if (reader.isEmpty()) {
      return storageDisabled();
    }
    return parameterOptional("status", statusText -> parameterOptional("severity", severityText ->
        parameterOptional("limit", limitText -> parameterOptional("pageToken", pageToken -> {
          AlertStatus status;
          Optional<AlertSeverity> severity;
          int limit;
          try {
            status = AlertStatus.parse(statusText.orElse(AlertStatus.ACTIVE_UNACK.name()));
            severity = severityText.map(AlertSeverity::parse);
            limit = limitText.map(Integer::parseInt).orElse(100);
          } catch (IllegalArgumentException e) {
            return json.error(ErrorCode.REQUEST_INVALID, e.getMessage());
          }
          if (!OPEN.contains(status)) {
            return json.error(ErrorCode.REQUEST_INVALID, "the site lists hold open alerts ("
                + OPEN + "); cleared and acknowledged ones are in the history: /api/data/sites/" + site + "/alerts");
          }
          if (limit < 1 || limit > MAX_PAGE) {
            return json.error(ErrorCode.REQUEST_INVALID, "limit must be within 1.." + MAX_PAGE);
          }
          // The data API's page tokens: bound to this site and status, so a token of another list
          // or an altered one is refused with page.invalid instead of reaching Cassandra.
          String description = "site-alerts|" + site + "|" + status.name();
          Optional<java.nio.ByteBuffer> from;
          try {
            from = pageToken.flatMap(token -> PageToken.decode(token, description, 1).pagingState());
          } catch (QueryRejection e) {
            return json.error(e.code(), e.getMessage());
          }
          CompletionStage<AlertPage> page = reader.get().bySiteStatus(site, status, limit, from)
              .thenApply(rows -> new AlertPage(rows.alerts().stream()
                  .filter(alert -> severity.isEmpty() || alert.severity() == severity.get())
                  .toList(), rows.next().map(next -> new PageToken(0, Optional.of(next)).encode(description)).orElse(null)));
          return onSuccess(page, json::ok);
        }))));
  }

  private Route summary(String site) {
    if (reader.isEmpty()) {
      return storageDisabled();
    }
    List<CompletableFuture<Map.Entry<AlertStatus, Map<AlertSeverity, Integer>>>> counts = new ArrayList<>();
    for (AlertStatus status : OPEN) {
      counts.add(countAll(site, status, Optional.empty(), new EnumMap<>(AlertSeverity.class))
          .thenApply(bySeverity -> Map.entry(status, bySeverity)).toCompletableFuture());
    }
    CompletionStage<Map<String, Object>> body = CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new))
        .thenApply(done -> {
          Map<String, Object> summary = new LinkedHashMap<>();
          summary.put("site", site);
          Map<String, Map<String, Integer>> byStatus = new LinkedHashMap<>();
          int open = 0;
          for (CompletableFuture<Map.Entry<AlertStatus, Map<AlertSeverity, Integer>>> count : counts) {
            Map<String, Integer> bySeverity = new LinkedHashMap<>();
            for (AlertSeverity severity : AlertSeverity.values()) {
              int n = count.join().getValue().getOrDefault(severity, 0);
              bySeverity.put(severity.name().toLowerCase(Locale.ROOT), n);
              open += n;
            }
            byStatus.put(count.join().getKey().name(), bySeverity);
          }
          summary.put("open", open);
          summary.put("byStatus", byStatus);
          return summary;
        });
    return onSuccess(body, json::ok);
  }

  private Route groups(String site) {
    if (reader.isEmpty()) {
      return storageDisabled();
    }
    return parameterOptional("status", statusText -> {
      List<AlertStatus> statuses;
      try {
        statuses = statusText.isEmpty() ? OPEN : List.of(AlertStatus.parse(statusText.get()));
      } catch (IllegalArgumentException e) {
        return json.error(ErrorCode.REQUEST_INVALID, e.getMessage());
      }
      if (!OPEN.containsAll(statuses)) {
        return json.error(ErrorCode.REQUEST_INVALID, "groups are of open alerts (" + OPEN + ")");
      }
      return onSuccess(open(site, statuses), alerts -> json.ok(Map.of("site", site, "groups", AlertGroups.of(alerts))));
    });
  }

  /**
   * A bulk acknowledge or clear: the body is checked whole first; then the site's open alerts are
   * read (so only this site's alerts are touched, whatever ids the body names) and each chosen
   * alert is asked of its device actor, at most {@code bulk-parallelism} at once, never waiting on
   * a thread: each alert's change is stored and recorded with the caller's identity as the
   * single-alert route's is.
   */
  private Route bulk(String site, BulkAlertRequest.Action action) {
    return withRequestTimeout(settings.bulkRequestTimeout(), () -> security.identity(identity ->
        json.body(BulkAlertRequest.class, request -> {
      BulkAlertRequest.Selection selection;
      try {
        selection = request.validate(action, settings.bulkMaxAlerts(), MAX_NOTE);
      } catch (BulkAlertRequest.Invalid e) {
        return json.error(e.code(), e.getMessage());
      }
      if (reader.isEmpty()) {
        return storageDisabled();
      }
      CompletionStage<BulkAlertResult> result = open(site, selection.statuses()).thenCompose(open -> {
        BulkAlertResult.Tally tally = new BulkAlertResult.Tally(action.id(), settings.bulkFailuresListed());
        List<Alert> targets;
        int remaining = 0;
        if (selection instanceof BulkAlertRequest.ByGroup group) {
          List<Alert> members = group.pick(open);
          targets = members.subList(0, Math.min(members.size(), settings.bulkMaxAlerts()));
          remaining = members.size() - targets.size();
        } else {
          Map<UUID, Alert> byId = new LinkedHashMap<>();
          open.forEach(alert -> byId.put(alert.alertId(), alert));
          targets = new ArrayList<>();
          for (UUID id : ((BulkAlertRequest.ByIds) selection).ids()) {
            Alert alert = byId.get(id);
            if (alert == null) {
              tally.unknown(id, site);
            } else {
              targets.add(alert);
            }
          }
        }
        int left = remaining;
        return org.apache.pekko.stream.javadsl.Source.from(targets)
            .mapAsyncUnordered(settings.bulkParallelism(), alert -> ask(action, alert, identity.name(), request.note())
                .handle((reply, failure) -> org.apache.pekko.japi.Pair.create(alert, failure == null ? reply : null)))
            .runFold(tally, (counts, answered) -> counts.add(answered.first(), answered.second()), system)
            .thenApply(counts -> counts.result(left));
      });
      return onSuccess(result, json::ok);
    })));
  }

  private CompletionStage<AlertReply> ask(BulkAlertRequest.Action action, Alert alert, String by, String note) {
    return action == BulkAlertRequest.Action.ACKNOWLEDGE
        ? devices.acknowledgeAlert(alert.deviceId(), alert.alertId(), by, note)
        : devices.clearAlert(alert.deviceId(), alert.alertId(), by, note);
  }

  /** Every open alert of the site in these statuses, read a page at a time. */
  private CompletionStage<List<Alert>> open(String site, List<AlertStatus> statuses) {
    CompletionStage<List<Alert>> all = CompletableFuture.completedFuture(new ArrayList<>());
    for (AlertStatus status : statuses) {
      all = all.thenCompose(into -> collect(site, status, Optional.empty(), into));
    }
    return all;
  }

  private CompletionStage<List<Alert>> collect(
      String site, AlertStatus status, Optional<java.nio.ByteBuffer> from, List<Alert> into) {
    return reader.get().bySiteStatus(site, status, MAX_PAGE, from).thenCompose(page -> {
      into.addAll(page.alerts());
      return page.next().isEmpty()
          ? CompletableFuture.completedFuture(into) : collect(site, status, page.next(), into);
    });
  }

  private CompletionStage<Map<AlertSeverity, Integer>> countAll(
      String site, AlertStatus status, Optional<java.nio.ByteBuffer> from, Map<AlertSeverity, Integer> into) {
    return reader.get().bySiteStatus(site, status, MAX_PAGE, from).thenCompose(page -> {
      page.alerts().forEach(alert -> into.merge(alert.severity(), 1, Integer::sum));
      return page.next().isEmpty()
          ? CompletableFuture.completedFuture(into) : countAll(site, status, page.next(), into);
    });
  }

  private Route storageDisabled() {
    return json.error(ErrorCode.STORAGE_DISABLED, "site alert lists need storage (fleetpulse.persistence.enabled)");
  }
}
