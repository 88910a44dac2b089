package io.fleetpulse.queryapi;

import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fleetpulse.api.error.ApiError;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.persistence.query.BucketReader;
import io.fleetpulse.persistence.query.Dataset;
import io.fleetpulse.persistence.query.Datasets;
import io.fleetpulse.persistence.query.Page;
import io.fleetpulse.persistence.query.Query;
import io.fleetpulse.persistence.query.QueryRejection;
import io.fleetpulse.persistence.query.Scope;
import io.fleetpulse.queryapi.export.ExportEncoder;
import io.fleetpulse.queryapi.export.ExportFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.model.headers.ContentDisposition;
import org.apache.pekko.http.javadsl.model.headers.ContentDispositionTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data team's query API under {@code /api/data}: roll-ups, predictions and alert history of a
 * device or a site over a time range, as JSON pages or as a streamed CSV / JSON Lines export
 * (docs/query-api.md). The node mounts {@link #route()} beside its own routes, before them: this
 * route rejects every path outside {@code /api/data} and answers every request inside it, errors
 * included, as JSON {@code {"code", "message"}} (400 bad input, 404 unknown device, site or path,
 * 405 other methods, 503 when Cassandra fails or times out).
 *
 * <p>Nothing here blocks: Cassandra is queried with {@code executeAsync}, one partition at a time,
 * and an export pulls the next driver page only when the client has taken the previous one, so a
 * request holds at most one page in memory whatever its range.
 */
public final class QueryRoutes extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(QueryRoutes.class);

  static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  /** The body of {@code GET /api/data}: every endpoint and its parameters, in a stable order. */
  private static final Map<String, Object> INDEX = index();

  private final BucketReader reader;
  private final RequestParser parser;
  private final ExportEncoder encoder = new ExportEncoder(JSON);
  private final QueryApiSettings settings;
  private final Executor executor;

  /** @param reader the persistence module's reader of the stored tables (its own timeout and executor) */
  public QueryRoutes(ActorSystem<?> system, BucketReader reader, QueryApiSettings settings) {
    this.settings = settings;
    this.executor = system.executionContext();
    this.reader = reader;
    this.parser = new RequestParser(settings);
  }

  /** Every request under {@code /api/data}; anything else is rejected, left to the routes after this one. */
  public Route route() {
    // A string path matcher matches a prefix of a segment: without the check /api/database would be ours.
    return pathPrefix(PathMatchers.segment("api").slash("data"), () -> extractUnmatchedPath(rest ->
        rest.isEmpty() || rest.startsWith("/") ? dataRoutes() : reject()));
  }

  private Route dataRoutes() {
    return handleExceptions(exceptions(), () -> concat(
        get(() -> concat(
            pathEndOrSingleSlash(() -> complete(json(StatusCodes.OK, INDEX))),
            pathPrefix(Scope.DEVICE.pathSegment(), () -> endpoints(Scope.DEVICE)),
            pathPrefix(Scope.SITE.pathSegment(), () -> endpoints(Scope.SITE)),
            complete(error(ErrorCode.ROUTE_UNKNOWN, "no such data endpoint: GET /api/data lists them")))),
        complete(error(ErrorCode.METHOD_UNSUPPORTED, "the data API answers GET only")
            .addHeader(Allow.create(HttpMethods.GET)))));
  }

  private Route endpoints(Scope scope) {
    return path(PathMatchers.segment().slash(PathMatchers.segment()), (subject, resource) ->
        Datasets.find(scope, resource)
            .map(dataset -> parameterMap(parameters -> serve(dataset, subject, parameters)))
            .orElseGet(() -> complete(error(ErrorCode.ROUTE_UNKNOWN,
                "a " + scope.noun() + " has rollups, predictions and alerts, not '" + resource + "'"))));
  }

  private <T> Route serve(Dataset<T> dataset, String subject, Map<String, String> parameters) {
    DataRequest<T> request;
    try {
      request = parser.parse(dataset, subject, parameters);
    } catch (QueryRejection rejection) {
      return complete(rejected(rejection));
    }
    Scope scope = dataset.scope();
    CompletionStage<HttpResponse> response = reader.exists(scope, subject)
        .thenComposeAsync(known -> {
          if (!known) {
            throw QueryRejection.of(scope.unknownCode(), "no " + scope.noun() + " '" + subject + "' is registered");
          }
          return respond(request);
        }, executor)
        .exceptionally(this::failed);
    return completeWithFuture(response);
  }

  private <T> CompletionStage<HttpResponse> respond(DataRequest<T> request) {
    if (request.export().isPresent()) {
      return CompletableFuture.completedFuture(export(request.query(), request.export().get()));
    }
    return reader.page(request.query(), request.page(), request.limit()).thenApply(page -> page(request.query(), page));
  }

  /** The JSON body of a page: {@code nextPage} is null on the last one. */
  record PageBody(List<?> items, String nextPage) {}

  private HttpResponse page(Query<?> query, Page<?> page) {
    String next = page.next().map(token -> token.encode(query.description())).orElse(null);
    return json(StatusCodes.OK, new PageBody(page.items(), next));
  }

  private <T> HttpResponse export(Query<T> query, ExportFormat format) {
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .addHeader(ContentDisposition.create(ContentDispositionTypes.ATTACHMENT, Map.of("filename", fileName(query, format))))
        .withEntity(HttpEntities.createChunked(format.contentType(),
            encoder.encode(format, query.dataset(), reader.pages(query, settings.exportFetchSize()))));
  }

  /** {@code <subject>_<resource>_<from>_<to>.<format>}, with anything unsafe in a file name replaced. */
  static String fileName(Query<?> query, ExportFormat format) {
    String name = query.subject() + "_" + query.dataset().resource() + "_" + compact(query.range().from().toString())
        + "_" + compact(query.range().to().toString());
    return name.replaceAll("[^A-Za-z0-9._-]", "_") + "." + format.parameter();
  }

  private static String compact(String instant) {
    return instant.replace("-", "").replace(":", "");
  }

  private HttpResponse failed(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof QueryRejection rejection) {
      return rejected(rejection);
    }
    if (cause instanceof DriverException) {
      LOG.warn("data query failed in Cassandra: {}", cause.toString());
      String why = cause instanceof DriverTimeoutException ? "did not answer in time" : "failed the query";
      return error(ErrorCode.STORAGE_UNAVAILABLE, "the data store " + why + "; try again later");
    }
    LOG.error("data query failed", cause);
    return error(ErrorCode.INTERNAL_ERROR, "the query failed unexpectedly");
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder().match(Throwable.class, e -> complete(failed(e))).build();
  }

  private HttpResponse rejected(QueryRejection rejection) {
    return error(rejection.code(), rejection.getMessage());
  }

  private static Map<String, Object> index() {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("from", "required: ISO-8601 instant, inclusive (2026-11-29T08:00:00Z)");
    parameters.put("to", "required: ISO-8601 instant, exclusive");
    parameters.put("format", "json (default, paged), csv or jsonl (the whole range, streamed)");
    parameters.put("limit", "items per JSON page");
    parameters.put("page", "the nextPage token of the previous response");
    List<Map<String, Object>> endpoints = new ArrayList<>();
    for (Dataset<?> dataset : Datasets.ALL) {
      Map<String, Object> endpoint = new LinkedHashMap<>();
      endpoint.put("path", "/api/data/" + dataset.scope().pathSegment() + "/{"
          + (dataset.scope() == Scope.DEVICE ? "deviceId" : "site") + "}/" + dataset.resource());
      endpoint.put("filter", dataset.filterColumn().orElse(null));
      endpoints.add(endpoint);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("endpoints", endpoints);
    index.put("parameters", parameters);
    index.put("documentation", "docs/query-api.md");
    return index;
  }

  private static HttpResponse error(ErrorCode code, String message) {
    return json(StatusCodes.get(code.httpStatus()), ApiError.of(code, message));
  }

  private static HttpResponse json(StatusCode status, Object body) {
    try {
      return HttpResponse.create().withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }
}
