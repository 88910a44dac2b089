package io.fleetpulse.queryapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueryApiSettingsTest {

  private static Config defaults() {
    return ConfigFactory.empty().withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void reads_the_documented_defaults() {
    QueryApiSettings settings = QueryApiSettings.fromConfig(defaults());

    assertThat(settings.maxSpanDevice()).isEqualTo(Duration.ofDays(31));
    assertThat(settings.maxSpanSite()).isEqualTo(Duration.ofDays(2));
    assertThat(settings.defaultPageSize()).isEqualTo(500);
    assertThat(settings.maxPageSize()).isEqualTo(5000);
    assertThat(settings.exportFetchSize()).isEqualTo(1000);
    assertThat(settings.queryTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void refuses_a_default_page_size_above_the_maximum() {
    Config config = ConfigFactory.parseString("fleetpulse.query { default-page-size = 600, max-page-size = 500 }")
        .withFallback(defaults());

    assertThatThrownBy(() -> QueryApiSettings.fromConfig(config))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("default-page-size");
  }

  @Test
  void refuses_a_zero_span() {
    Config config = ConfigFactory.parseString("fleetpulse.query.max-span-site = 0s").withFallback(defaults());

    assertThatThrownBy(() -> QueryApiSettings.fromConfig(config))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-span-site");
  }
}
