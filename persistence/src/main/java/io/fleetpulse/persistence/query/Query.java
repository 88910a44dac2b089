package io.fleetpulse.persistence.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One validated request for a dataset: whose data (device id or site), an optional equality filter
 * and the range. Its {@link #description()} identifies it in page tokens.
 */
public record Query<T>(Dataset<T> dataset, String subject, Optional<String> filter, TimeRange range) {

  public Query {
    if (filter.isPresent() && dataset.filterColumn().isEmpty()) {
      throw new IllegalArgumentException(dataset.name() + " has no filter");
    }
  }

  public int bucketCount() {
    return dataset.bucketKind().count(range);
  }

  /** The bind values of the query reading the {@code bucketIndex}-th bucket, in {@link Dataset#selectCql} order. */
  public Object[] bindValues(int bucketIndex) {
    List<Object> values = new ArrayList<>(5);
    values.add(subject);
    values.add(dataset.bucketKind().bucket(range, bucketIndex));
    values.add(range.from());
    values.add(range.to());
    filter.ifPresent(values::add);
    return values.toArray();
  }

  /**
   * Everything that decides which rows the query returns, unambiguously (each part length-prefixed,
   * since a subject may contain any character): a page token is valid only for the same description.
   */
  public String description() {
    StringBuilder text = new StringBuilder();
    for (String part : List.of(dataset.name(), subject, filter.map(f -> "=" + f).orElse(""),
        range.from().toString(), range.to().toString())) {
      text.append(part.length()).append(':').append(part).append(';');
    }
    return text.toString();
  }
}
