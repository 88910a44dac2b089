package io.fleetpulse.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateMeterTest {

  private static final long START = 1_700_000_000_000L;

  private final AtomicLong now = new AtomicLong(START);
  private final RateMeter meter = new RateMeter(5, now::get);

  @Test
  void averages_marks_of_completed_seconds_over_the_window() {
    mark(3);
    advanceSeconds(1);
    mark(2);
    advanceSeconds(1);

    assertThat(meter.perSecond()).isEqualTo(5.0 / 5);
  }

  @Test
  void excludes_the_current_second() {
    mark(4);

    assertThat(meter.perSecond()).isZero();

    now.addAndGet(999);
    assertThat(meter.perSecond()).isZero();

    now.addAndGet(1);
    assertThat(meter.perSecond()).isEqualTo(4.0 / 5);
  }

  @Test
  void drops_seconds_older_than_the_window() {
    mark(5);
    advanceSeconds(1);
    mark(10);

    advanceSeconds(4);
    assertThat(meter.perSecond()).isEqualTo(15.0 / 5);

    advanceSeconds(1);
    assertThat(meter.perSecond()).isEqualTo(10.0 / 5);

    advanceSeconds(1);
    assertThat(meter.perSecond()).isZero();
  }

  @Test
  void a_reused_slot_forgets_the_count_of_its_earlier_second() {
    mark(7);
    advanceSeconds(6); // one slot per window second plus the current one: the first slot comes round again
    mark(1);
    advanceSeconds(1);

    assertThat(meter.perSecond()).isEqualTo(1.0 / 5);
  }

  @Test
  void reports_zero_before_any_mark() {
    assertThat(meter.perSecond()).isZero();
  }

  @Test
  void refuses_a_window_shorter_than_one_second() {
    assertThatThrownBy(() -> new RateMeter(0, now::get)).isInstanceOf(IllegalArgumentException.class);
  }

  private void mark(int times) {
    for (int i = 0; i < times; i++) {
      meter.mark();
    }
  }

  private void advanceSeconds(int seconds) {
    now.addAndGet(seconds * 1000L);
  }
}
