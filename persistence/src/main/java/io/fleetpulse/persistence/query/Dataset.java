package io.fleetpulse.persistence.query;

import com.datastax.oss.driver.api.core.cql.Row;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One endpoint's table: how it is partitioned (subject column and time bucket), the clustering
 * column a range restricts, the optional equality filter, and how a row becomes an item and a CSV
 * line. The clustering order of every table starts with the time column, so reading the buckets in
 * order yields items in time order, then by the remaining clustering columns.
 *
 * @param name stable name of the endpoint, part of every page token
 * @param resource the path segment after the subject ({@code rollups}, {@code predictions}, {@code alerts})
 * @param filterColumn a clustering column clients may filter on with a query parameter of the same name
 */
public record Dataset<T>(
    String name, Scope scope, String resource, String table, String subjectColumn, BucketKind bucketKind,
    String bucketColumn, String timeColumn, Optional<String> filterColumn, List<String> columns,
    Function<Row, T> mapper, List<CsvColumn<T>> csvColumns) {

  public Dataset {
    columns = List.copyOf(columns);
    csvColumns = List.copyOf(csvColumns);
  }

  /**
   * The CQL reading one bucket of a subject within a range. A filter on a clustering column after
   * the ranged time column needs ALLOW FILTERING; it is applied inside one partition of bounded size
   * (the bucket), never across the cluster.
   */
  public String selectCql(String keyspace, boolean filtered) {
    StringBuilder cql = new StringBuilder("SELECT ")
        .append(String.join(", ", columns))
        .append(" FROM ").append(keyspace).append('.').append(table)
        .append(" WHERE ").append(subjectColumn).append(" = ? AND ").append(bucketColumn).append(" = ?")
        .append(" AND ").append(timeColumn).append(" >= ? AND ").append(timeColumn).append(" < ?");
    if (filtered) {
      String column = filterColumn.orElseThrow(() -> new IllegalStateException(name + " has no filter"));
      cql.append(" AND ").append(column).append(" = ? ALLOW FILTERING");
    }
    return cql.toString();
  }
}
