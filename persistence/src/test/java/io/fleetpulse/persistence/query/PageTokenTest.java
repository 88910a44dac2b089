package io.fleetpulse.persistence.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PageTokenTest {

  private static final TimeRange RANGE =
      new TimeRange(Instant.parse("2026-11-29T23:00:00Z"), Instant.parse("2026-11-30T01:00:00Z"));
  private static final Query<RollupItem> QUERY = new Query<>(Datasets.DEVICE_ROLLUPS, "rm-1", Optional.empty(), RANGE);
  private static final PageToken MID_BUCKET =
      new PageToken(1, Optional.of(ByteBuffer.wrap(new byte[] {0, 42, 7, -3, 19, 0, 0, 1})));

  private static String pageInvalid(String token, Query<?> query) {
    QueryRejection rejection = catchThrowableOfType(QueryRejection.class,
        () -> PageToken.decode(token, query.description(), query.bucketCount()));
    assertThat(rejection).as("token refused").isNotNull();
    assertThat(rejection.code().code()).isEqualTo("page.invalid");
    return rejection.getMessage();
  }

  @Test
  void round_trips_bucket_and_paging_state_as_url_safe_text() {
    String token = MID_BUCKET.encode(QUERY.description());

    assertThat(token).matches("[A-Za-z0-9_-]+");
    assertThat(PageToken.decode(token, QUERY.description(), QUERY.bucketCount())).isEqualTo(MID_BUCKET);
  }

  @Test
  void round_trips_the_start_of_a_bucket() {
    PageToken start = new PageToken(1, Optional.empty());

    assertThat(PageToken.decode(start.encode(QUERY.description()), QUERY.description(), 2)).isEqualTo(start);
  }

  @Test
  void refuses_a_token_of_another_range() {
    Query<RollupItem> later = new Query<>(Datasets.DEVICE_ROLLUPS, "rm-1", Optional.empty(),
        new TimeRange(RANGE.from(), RANGE.to().plusSeconds(60)));

    assertThat(pageInvalid(MID_BUCKET.encode(QUERY.description()), later)).contains("another query");
  }

  @Test
  void refuses_a_token_of_another_endpoint_subject_or_filter() {
    String token = MID_BUCKET.encode(QUERY.description());

    pageInvalid(token, new Query<>(Datasets.DEVICE_PREDICTIONS, "rm-1", Optional.empty(), RANGE));
    pageInvalid(token, new Query<>(Datasets.DEVICE_ROLLUPS, "rm-2", Optional.empty(), RANGE));
    pageInvalid(token, new Query<>(Datasets.DEVICE_ROLLUPS, "rm-1", Optional.of("vibration"), RANGE));
  }

  @Test
  void refuses_a_token_with_any_byte_altered() {
    byte[] raw = Base64.getUrlDecoder().decode(MID_BUCKET.encode(QUERY.description()));
    for (int i = 0; i < raw.length; i++) {
      byte[] altered = raw.clone();
      altered[i] ^= 0x01;
      pageInvalid(Base64.getUrlEncoder().withoutPadding().encodeToString(altered), QUERY);
    }
  }

  @Test
  void refuses_truncated_garbage_and_non_base64_tokens() {
    String token = MID_BUCKET.encode(QUERY.description());

    pageInvalid(token.substring(0, token.length() - 4), QUERY);
    pageInvalid("AAAA", QUERY);
    pageInvalid("not a token!", QUERY);
    pageInvalid(Base64.getUrlEncoder().encodeToString(new byte[64]), QUERY);
  }

  @Test
  void refuses_a_token_pointing_past_the_last_bucket_even_with_a_valid_digest() {
    String pastTheEnd = new PageToken(2, Optional.empty()).encode(QUERY.description());

    pageInvalid(pastTheEnd, QUERY);
  }

  @Test
  void descriptions_of_different_queries_differ_even_when_parts_could_be_concatenated_alike() {
    Query<RollupItem> a = new Query<>(Datasets.DEVICE_ROLLUPS, "rm-1;", Optional.of("x"), RANGE);
    Query<RollupItem> b = new Query<>(Datasets.DEVICE_ROLLUPS, "rm-1", Optional.of(";x"), RANGE);

    assertThat(a.description()).isNotEqualTo(b.description());
  }
}
