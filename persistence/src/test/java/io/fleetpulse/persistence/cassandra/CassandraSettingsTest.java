package io.fleetpulse.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraSettingsTest {

  private static CassandraSettings read(String overrides) {
    return CassandraSettings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void by_default_there_are_no_credentials_and_no_tls() {
    CassandraSettings settings = read("");

    assertThat(settings.credentials()).isEmpty();
    assertThat(settings.tls()).isEmpty();
    assertThat(settings.contactPoints()).containsExactly("127.0.0.1:9042");
  }

  @Test
  void reads_credentials_and_a_truststore_when_set_and_hides_the_passwords_in_its_text() {
    CassandraSettings settings = read("""
        fleetpulse.persistence.cassandra {
          authentication { username = fleetpulse, password = "s3cret" }
          tls { enabled = true, truststore = "/etc/fleetpulse/cassandra/truststore.p12", truststore-password = "trust-me",
                hostname-validation = false }
        }
        """);

    assertThat(settings.credentials()).contains(new CassandraSettings.Credentials("fleetpulse", "s3cret"));
    assertThat(settings.tls()).contains(new CassandraSettings.Tls(
        Optional.of(Path.of("/etc/fleetpulse/cassandra/truststore.p12")), "trust-me", false));
    assertThat(settings.toString()).doesNotContain("s3cret", "trust-me");
  }

  @Test
  void tls_without_a_truststore_trusts_the_jvm_default_and_validates_host_names() {
    CassandraSettings settings = read("fleetpulse.persistence.cassandra.tls.enabled = true");

    assertThat(settings.tls()).contains(new CassandraSettings.Tls(Optional.empty(), "", true));
    assertThat(CassandraSessions.sslContext(settings.tls().get()).getProtocol()).isEqualTo("TLS");
  }

  @Test
  void refuses_half_configured_credentials_or_a_truststore_with_tls_off() {
    assertThatThrownBy(() -> read("fleetpulse.persistence.cassandra.authentication.password = x"))
        .hasMessageContaining("username is empty");
    assertThatThrownBy(() -> read("fleetpulse.persistence.cassandra.tls.truststore = /x.p12"))
        .hasMessageContaining("tls.enabled is false");
  }

  @Test
  void reads_a_pkcs12_truststore_and_fails_clearly_on_a_missing_one(@TempDir Path directory) throws Exception {
    Path trustStore = directory.resolve("truststore.p12");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      store.store(out, "trust-me".toCharArray());
    }
    Config config = ConfigFactory.parseString("""
        fleetpulse.persistence.cassandra.tls { enabled = true, truststore = "%s", truststore-password = "trust-me" }
        """.formatted(trustStore));
    CassandraSettings settings = CassandraSettings.fromConfig(config.withFallback(ConfigFactory.defaultReference()).resolve());

    assertThat(CassandraSessions.sslContext(settings.tls().get())).isNotNull();
    CqlSessionBuilder builder = CassandraSessions.secure(CqlSession.builder(), settings);
    assertThat(builder).isNotNull();
    assertThatThrownBy(() -> CassandraSessions.sslContext(
        new CassandraSettings.Tls(Optional.of(directory.resolve("missing.p12")), "x", true)))
        .hasMessageContaining("missing.p12");
    assertThatThrownBy(() -> CassandraSessions.sslContext(new CassandraSettings.Tls(Optional.of(trustStore), "wrong", true)))
        .hasMessageContaining("truststore.p12");
  }
}
