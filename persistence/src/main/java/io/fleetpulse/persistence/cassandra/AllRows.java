package io.fleetpulse.persistence.cassandra;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** Every row of a query, page after page as the driver fetches them, mapped as they come. */
public final class AllRows {

  private AllRows() {}

  /** The rows {@code mapper} maps to something (a null result leaves the row out), in the query's order. */
  public static <T> CompletionStage<List<T>> read(CompletionStage<AsyncResultSet> first, Function<Row, T> mapper) {
    return read(first, mapper, new ArrayList<>());
  }

  private static <T> CompletionStage<List<T>> read(CompletionStage<AsyncResultSet> stage, Function<Row, T> mapper,
      List<T> into) {
    return stage.thenCompose(page -> {
      for (Row row : page.currentPage()) {
        T item = mapper.apply(row);
        if (item != null) {
          into.add(item);
        }
      }
      return page.hasMorePages() ? read(page.fetchNextPage(), mapper, into) : CompletableFuture.completedFuture(into);
    });
  }
}
