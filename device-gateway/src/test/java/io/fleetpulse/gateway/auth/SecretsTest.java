package io.fleetpulse.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {

  @Test
  void a_hash_verifies_its_own_secret_only_and_records_its_salt_and_iterations() {
    String secret = Secrets.newSecret();
    String hash = Secrets.hash(secret, 1000);

    assertThat(secret).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(hash).startsWith("pbkdf2-sha256$1000$").doesNotContain(secret);
    assertThat(Secrets.verify(secret, hash)).isTrue();
    assertThat(Secrets.verify(secret + "x", hash)).isFalse();
    assertThat(Secrets.hash(secret, 1000)).as("salted: a second hash differs").isNotEqualTo(hash);
    assertThat(Secrets.newSecret()).isNotEqualTo(secret);
  }

  @Test
  void a_hash_of_another_form_verifies_nothing() {
    assertThat(Secrets.verify("s", "plain-text")).isFalse();
    assertThat(Secrets.verify("s", "pbkdf2-sha256$0$AAAA$AAAA")).isFalse();
    assertThat(Secrets.verify("s", "pbkdf2-sha256$x$AAAA$AAAA")).isFalse();
    assertThat(Secrets.verify("s", "pbkdf2-sha256$10$!!$AAAA")).isFalse();
    assertThat(Secrets.verify("s", "md5$10$AAAA$AAAA")).isFalse();
  }
}
