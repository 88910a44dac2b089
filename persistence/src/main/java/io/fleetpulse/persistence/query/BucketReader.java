package io.fleetpulse.persistence.query;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.ProtocolError;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.persistence.schema.SchemaMigrations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads a range of a time-bucketed table one partition (bucket) at a time, in bucket order, with
 * the driver's paging: a JSON page resumes at a {@link PageToken}, an export is a {@link Source}
 * that fetches the next driver page only when downstream asks for more. Every call is asynchronous
 * ({@code executeAsync}); results are mapped on the given executor (the actor system's dispatcher)
 * rather than on the driver's I/O threads. Failures of Cassandra surface as the driver's
 * {@code DriverException} in the returned stage or stream.
 */
public final class BucketReader {

  private final CqlSession session;
  private final String keyspace;
  private final Duration queryTimeout;
  private final Executor executor;
  private final ConcurrentHashMap<String, CompletableFuture<PreparedStatement>> prepared = new ConcurrentHashMap<>();

  /**
   * @param keyspace the keyspace of the FleetPulse tables; it is part of the CQL text, so it must be
   *     a plain identifier
   */
  public BucketReader(CqlSession session, String keyspace, Duration queryTimeout, Executor executor) {
    SchemaMigrations.requireKeyspace(keyspace);
    this.session = session;
    this.keyspace = keyspace;
    this.queryTimeout = queryTimeout;
    this.executor = executor;
  }

  /**
   * Up to {@code limit} items from {@code start} on, crossing into the next buckets until the page is
   * full or the range ends. A page may hold fewer items than the limit and still have a next one
   * (Cassandra decides where its pages end); the last page has none.
   */
  public <T> CompletionStage<Page<T>> page(Query<T> query, Optional<PageToken> start, int limit) {
    if (query.bucketCount() == 0) {
      return CompletableFuture.completedFuture(new Page<>(List.of(), Optional.empty()));
    }
    return prepare(query).thenComposeAsync(
        statement -> fill(query, statement, start.orElseGet(PageToken::start), limit, new ArrayList<>(), start.isPresent()),
        executor);
  }

  /**
   * The whole range as a stream of driver pages of up to {@code fetchSize} items, in order. Nothing
   * is read before the stream is materialized and at most one page is held at a time.
   */
  public <T> Source<List<T>, NotUsed> pages(Query<T> query, int fetchSize) {
    return Source.unfoldAsync(new Cursor(0, null), cursor -> next(query, cursor, fetchSize));
  }

  /** Whether the registry knows the device ({@code devices}) or the site ({@code devices_by_site}). */
  public CompletionStage<Boolean> exists(Scope scope, String subject) {
    String cql = scope == Scope.DEVICE
        ? "SELECT device_id FROM " + keyspace + ".devices WHERE device_id = ?"
        : "SELECT site FROM " + keyspace + ".devices_by_site WHERE site = ? LIMIT 1";
    return prepare(cql)
        .thenCompose(statement -> session.executeAsync(statement.bind(subject).setTimeout(queryTimeout)))
        .thenApply(rows -> rows.one() != null);
  }

  private <T> CompletionStage<Page<T>> fill(
      Query<T> query, PreparedStatement statement, PageToken at, int limit, List<T> items, boolean clientState) {
    BoundStatement bound = bind(query, statement, at.bucketIndex()).setPageSize(limit - items.size());
    if (at.pagingState().isPresent()) {
      bound = bound.setPagingState(at.pagingState().get());
    }
    CompletionStage<AsyncResultSet> rows = session.executeAsync(bound);
    if (clientState && at.pagingState().isPresent()) {
      rows = refuseForeignPagingState(rows);
    }
    return rows.thenComposeAsync(result -> {
      for (Row row : result.currentPage()) {
        items.add(query.dataset().mapper().apply(row));
      }
      PageToken next = result.hasMorePages()
          ? new PageToken(at.bucketIndex(), Optional.of(result.getExecutionInfo().getPagingState()))
          : new PageToken(at.bucketIndex() + 1, Optional.empty());
      if (next.bucketIndex() >= query.bucketCount()) {
        return CompletableFuture.completedFuture(new Page<>(items, Optional.empty()));
      }
      if (items.size() >= limit) {
        return CompletableFuture.completedFuture(new Page<>(items, Optional.of(next)));
      }
      return fill(query, statement, next, limit, items, false);
    }, executor);
  }

  /**
   * A paging state Cassandra cannot read comes from a client (ours pass the token digest), so it is
   * the client's error, not an outage.
   */
  private static CompletionStage<AsyncResultSet> refuseForeignPagingState(CompletionStage<AsyncResultSet> rows) {
    return rows.handle((result, error) -> {
      if (error == null) {
        return result;
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof ProtocolError || cause instanceof InvalidQueryException) {
        throw QueryRejection.of(ErrorCode.PAGE_INVALID, "Cassandra cannot resume from this page token");
      }
      throw error instanceof CompletionException completion ? completion : new CompletionException(error);
    });
  }

  /** Where an export is: the next bucket to open, and the result set of the current one while it has pages left. */
  private record Cursor(int nextBucket, AsyncResultSet current) {}

  private <T> CompletionStage<Optional<Pair<Cursor, List<T>>>> next(Query<T> query, Cursor cursor, int fetchSize) {
    if (cursor.current() != null && cursor.current().hasMorePages()) {
      return cursor.current().fetchNextPage()
          .thenApplyAsync(result -> Optional.of(Pair.create(new Cursor(cursor.nextBucket(), result), items(query, result))),
              executor);
    }
    if (cursor.nextBucket() >= query.bucketCount()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return prepare(query)
        .thenCompose(statement -> session.executeAsync(bind(query, statement, cursor.nextBucket()).setPageSize(fetchSize)))
        .thenApplyAsync(result -> Optional.of(Pair.create(new Cursor(cursor.nextBucket() + 1, result), items(query, result))),
            executor);
  }

  private static <T> List<T> items(Query<T> query, AsyncResultSet result) {
    List<T> items = new ArrayList<>(result.remaining());
    for (Row row : result.currentPage()) {
      items.add(query.dataset().mapper().apply(row));
    }
    return items;
  }

  private BoundStatement bind(Query<?> query, PreparedStatement statement, int bucketIndex) {
    return statement.bind(query.bindValues(bucketIndex)).setTimeout(queryTimeout).setIdempotent(true);
  }

  private CompletionStage<PreparedStatement> prepare(Query<?> query) {
    return prepare(query.dataset().selectCql(keyspace, query.filter().isPresent()));
  }

  /** Prepares each statement once; a failed preparation (Cassandra down) is forgotten so the next request retries it. */
  private CompletionStage<PreparedStatement> prepare(String cql) {
    CompletableFuture<PreparedStatement> statement = prepared.computeIfAbsent(cql,
        text -> session.prepareAsync(SimpleStatement.newInstance(text).setTimeout(queryTimeout)).toCompletableFuture());
    statement.whenComplete((ok, error) -> {
      if (error != null) {
        prepared.remove(cql, statement);
      }
    });
    return statement;
  }
}
