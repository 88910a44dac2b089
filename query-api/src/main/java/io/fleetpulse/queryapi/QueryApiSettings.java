package io.fleetpulse.queryapi;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The query API's configuration ({@code fleetpulse.query} in {@code reference.conf}), read
 * once at start. What it reads, and from which keyspace, is the persistence module's
 * ({@code io.fleetpulse.persistence.query}).
 *
 * @param maxSpanDevice widest range of a device endpoint
 * @param maxSpanSite widest range of a site endpoint
 * @param defaultPageSize items per JSON page when the request names no limit
 * @param maxPageSize largest limit a request may ask for
 * @param exportFetchSize rows per Cassandra round trip while streaming an export
 * @param queryTimeout time Cassandra has to answer one query
 */
public record QueryApiSettings(
    Duration maxSpanDevice, Duration maxSpanSite, int defaultPageSize, int maxPageSize,
    int exportFetchSize, Duration queryTimeout) {

  public static final String CONFIG_PATH = "fleetpulse.query";

  public QueryApiSettings {
    requirePositive("max-span-device", maxSpanDevice);
    requirePositive("max-span-site", maxSpanSite);
    requirePositive("query-timeout", queryTimeout);
    if (maxPageSize < 1) {
      throw new IllegalArgumentException("max-page-size must be at least 1, not " + maxPageSize);
    }
    if (defaultPageSize < 1 || defaultPageSize > maxPageSize) {
      throw new IllegalArgumentException(
          "default-page-size must be within 1.." + maxPageSize + " (max-page-size), not " + defaultPageSize);
    }
    if (exportFetchSize < 1) {
      throw new IllegalArgumentException("export-fetch-size must be at least 1, not " + exportFetchSize);
    }
  }

  /** Reads {@code fleetpulse.query} from the application's config. */
  public static QueryApiSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    return new QueryApiSettings(
        c.getDuration("max-span-device"),
        c.getDuration("max-span-site"),
        c.getInt("default-page-size"),
        c.getInt("max-page-size"),
        c.getInt("export-fetch-size"),
        c.getDuration("query-timeout"));
  }

  private static void requirePositive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be positive, not " + value);
    }
  }
}
