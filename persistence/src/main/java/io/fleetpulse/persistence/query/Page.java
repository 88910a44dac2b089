package io.fleetpulse.persistence.query;

import java.util.List;
import java.util.Optional;

/** One page of items in range order, and where the next starts; empty {@code next} when the range is exhausted. */
public record Page<T>(List<T> items, Optional<PageToken> next) {

  public Page {
    items = List.copyOf(items);
  }
}
