package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReadingRingTest {

  private final ReadingRing ring = new ReadingRing(3, 2);

  @Test
  void holds_at_most_its_capacity_and_drops_the_oldest() {
    for (int i = 1; i <= 5; i++) {
      ring.add(i * 100L, new float[] {i, -i});
    }

    assertThat(ring.size()).isEqualTo(3);
    assertThat(ring.capacity()).isEqualTo(3);
    List<ReadingRing.Row> rows = ring.latest(10);
    assertThat(rows).extracting(ReadingRing.Row::timestampMillis).containsExactly(300L, 400L, 500L);
    assertThat(rows.get(0).values()).containsExactly(3f, -3f);
    assertThat(rows.get(2).values()).containsExactly(5f, -5f);
  }

  @Test
  void latest_returns_the_newest_rows_oldest_first() {
    ring.add(1, new float[] {1, 1});
    ring.add(2, new float[] {2, 2});

    assertThat(ring.size()).isEqualTo(2);
    assertThat(ring.latest(10)).extracting(ReadingRing.Row::timestampMillis).containsExactly(1L, 2L);
    assertThat(ring.latest(1)).extracting(ReadingRing.Row::timestampMillis).containsExactly(2L);
    assertThat(ring.latest(0)).isEmpty();

    ring.add(3, new float[] {3, 3});
    ring.add(4, new float[] {4, 4}); // wraps around

    assertThat(ring.latest(2)).extracting(ReadingRing.Row::timestampMillis).containsExactly(3L, 4L);
  }

  @Test
  void an_empty_ring_has_no_rows() {
    assertThat(ring.size()).isZero();
    assertThat(ring.latest(5)).isEmpty();
  }

  @Test
  void rows_are_copies_not_views_of_the_ring() {
    float[] row = {1, 2};
    ring.add(1, row);
    row[0] = 99; // the caller reuses its array

    float[] read = ring.latest(1).get(0).values();
    assertThat(read).containsExactly(1f, 2f);

    read[1] = 77; // the reader scribbles on its copy
    assertThat(ring.latest(1).get(0).values()).containsExactly(1f, 2f);
  }

  @Test
  void keeps_nan_for_missing_metrics() {
    ring.add(1, new float[] {Float.NaN, 2});

    assertThat(ring.latest(1).get(0).values()[0]).isNaN();
  }

  @Test
  void rejects_a_row_of_the_wrong_width() {
    assertThatThrownBy(() -> ring.add(1, new float[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 values")
        .hasMessageContaining("width is 2");
    assertThatThrownBy(() -> ring.add(1, new float[] {1})).isInstanceOf(IllegalArgumentException.class);
    assertThat(ring.size()).as("a rejected row is not stored").isZero();
  }

  /**
   * Timestamps and sequence numbers are kept as int offsets from a base that moves, or as longs
   * once a ring's rows span more than an int: against a sorted list of every kept row, over keys
   * close together, decades apart and near the ends of the long range, in and out of order.
   */
  @Test
  void keeps_every_key_exact_however_far_apart_against_a_sorted_reference() {
    java.util.Random random = new java.util.Random(11);
    for (int round = 0; round < 300; round++) {
      int capacity = 1 + random.nextInt(8);
      ReadingRing keys = new ReadingRing(capacity, 1);
      List<ReadingRing.Row> expected = new java.util.ArrayList<>();
      long timestamp = round % 3 == 0 ? Long.MIN_VALUE / 2 : 1_700_000_000_000L;
      long sequence = round % 5 == 0 ? Long.MAX_VALUE - 1_000_000 : 0;
      for (int i = 0; i < 60; i++) {
        long step = switch (random.nextInt(6)) {
          case 0 -> 1L << (31 + random.nextInt(20)); // past an int: the base moves or the ring widens
          case 1 -> -random.nextInt(50_000); // late
          default -> random.nextInt(2_000);
        };
        timestamp += step;
        sequence = random.nextInt(10) == 0 ? sequence - random.nextInt(3) : sequence + 1 + random.nextInt(3);
        if (round % 7 == 0 && random.nextInt(10) == 0) {
          sequence = random.nextLong(); // a device that lost its counter
        }
        float value = i;

        int newer = keys.add(timestamp, sequence, new float[] {value});

        ReadingRing.Row row = new ReadingRing.Row(timestamp, sequence, new float[] {value});
        java.util.Comparator<ReadingRing.Row> eventOrder = java.util.Comparator
            .comparingLong(ReadingRing.Row::timestampMillis).thenComparingLong(ReadingRing.Row::sequence);
        if (expected.size() == capacity && eventOrder.compare(row, expected.get(0)) < 0) {
          assertThat(newer).isEqualTo(-1);
        } else {
          if (expected.size() == capacity) {
            expected.remove(0);
          }
          int at = expected.size();
          while (at > 0 && eventOrder.compare(row, expected.get(at - 1)) < 0) {
            at--;
          }
          expected.add(at, row);
          assertThat(newer).isEqualTo(expected.size() - 1 - at);
        }
        List<ReadingRing.Row> rows = keys.latest(capacity);
        assertThat(rows).extracting(ReadingRing.Row::timestampMillis)
            .as("round %d, message %d", round, i)
            .containsExactlyElementsOf(expected.stream().map(ReadingRing.Row::timestampMillis).toList());
        assertThat(rows).extracting(ReadingRing.Row::sequence)
            .containsExactlyElementsOf(expected.stream().map(ReadingRing.Row::sequence).toList());
        assertThat(rows).extracting(r -> r.values()[0])
            .containsExactlyElementsOf(expected.stream().map(r -> r.values()[0]).toList());
        assertThat(keys.newestSequences(capacity))
            .containsExactly(expected.stream().mapToLong(ReadingRing.Row::sequence).toArray());
      }
    }
  }

  @Test
  void rejects_a_ring_without_capacity_or_width() {
    assertThatThrownBy(() -> new ReadingRing(0, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReadingRing(2, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void names_the_rows_newer_than_a_held_one_in_event_order() {
    ring.add(10, 1, new float[] {1, 1});
    ring.add(30, 3, new float[] {3, 3});
    ring.add(20, 2, new float[] {2, 2});
    assertThat(ring.newerThan(1)).containsExactly(2L, 3L);
    assertThat(ring.newerThan(2)).containsExactly(3L);
    assertThat(ring.newerThan(3)).as("the newest").isEmpty();
    assertThat(ring.newerThan(7)).as("not held").isEmpty();
  }

  @Test
  void a_row_that_arrives_late_takes_its_place_in_event_order() {
    ring.add(10, 1, new float[] {1, 1});
    ring.add(30, 3, new float[] {3, 3});
    assertThat(ring.add(20, 2, new float[] {2, 2})).as("rows newer than it").isEqualTo(1); // overtaken on the way
    assertThat(ring.newestSequences(1)).containsExactly(3L);
    assertThat(ring.window(2, 2)).extracting(ReadingRing.Row::sequence).containsExactly(1L, 2L);
    assertThat(ring.window(3, 2)).as("only two rows end with 2").isEmpty();
    assertThat(ring.window(2, 99)).isEmpty();

    assertThat(ring.latest(3)).extracting(ReadingRing.Row::sequence).containsExactly(1L, 2L, 3L);
    assertThat(ring.latest(3).get(1).values()).containsExactly(2, 2);

    ring.add(25, 4, new float[] {4, 4}); // full: the oldest (1) goes, 4 sorts between 2 and 3
    assertThat(ring.latest(3)).extracting(ReadingRing.Row::sequence).containsExactly(2L, 4L, 3L);
    assertThat(ring.latest(3)).extracting(ReadingRing.Row::timestampMillis).containsExactly(20L, 25L, 30L);
  }

  @Test
  void a_short_window_can_be_filled_with_the_mean_of_the_first_messages() {
    ReadingRing ring = new ReadingRing(8, 2);
    ring.add(10, 1, new float[] {1, 10});
    ring.add(20, 2, new float[] {2, 20});
    ring.add(40, 4, new float[] {4, 40});
    assertThat(ring.window(6, 3, 3, 1, 4)).extracting(r -> r.values()[0]).as("three of six: the mean of 1, 2, 4 fills")
        .containsExactly(7f / 3, 7f / 3, 7f / 3, 1f, 2f, 4f);
    assertThat(ring.window(6, 3, 3, 1, 4).get(0).values()[1]).isEqualTo(70f / 3);
    assertThat(ring.window(6, 3, 3, 1, 4).get(0).sequence()).as("the fill has the first row's keys").isEqualTo(1L);
    assertThat(ring.window(6, 3, 2, 1, 4)).extracting(r -> r.values()[0]).as("the mean of the first two")
        .containsExactly(1.5f, 1.5f, 1.5f, 1f, 2f, 4f);
    assertThat(ring.window(6, 3, 1, 1, 4)).extracting(r -> r.values()[0]).as("one fill row: the first message")
        .containsExactly(1f, 1f, 1f, 1f, 2f, 4f);

    ring.add(30, 3, new float[] {3, 30}); // late: the fill is the mean of the first three in event order
    assertThat(ring.window(6, 3, 3, 1, 4)).extracting(r -> r.values()[0]).containsExactly(2f, 2f, 1f, 2f, 3f, 4f);
    ring.add(50, 5, new float[] {5, 50});
    ring.add(60, 6, new float[] {6, 60});
    assertThat(ring.window(6, 3, 3, 1, 6)).extracting(r -> r.values()[0]).as("a whole window: no fill")
        .containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
    assertThatThrownBy(() -> ring.window(6, 3, 4, 1, 6)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fill-rows must be between 1 and the min-window (3), not 4");
  }

  @Test
  void a_short_window_is_filled_with_the_first_message_from_its_minimum_length_on() {
    ReadingRing five = new ReadingRing(5, 1);
    five.add(10, 1, new float[] {1});
    five.add(20, 2, new float[] {2});
    assertThat(five.window(4, 3, 1, 1, 2)).as("two rows, three needed").isEmpty();
    five.add(30, 3, new float[] {3});
    assertThat(five.window(4, 3, 1, 1, 3)).extracting(r -> r.values()[0]).containsExactly(1f, 1f, 2f, 3f);
    assertThat(five.window(4, 3, 1, 1, 3)).extracting(ReadingRing.Row::sequence).containsExactly(1L, 1L, 2L, 3L);
    assertThat(five.window(4, 3, 1, 1, 2)).as("a window ending earlier").isEmpty();
    assertThat(five.window(4, 3)).as("without a minimum length, whole windows only").isEmpty();
    five.add(40, 4, new float[] {4});
    assertThat(five.window(4, 3, 1, 1, 4)).extracting(r -> r.values()[0]).containsExactly(1f, 2f, 3f, 4f);
    assertThat(five.window(4, 3, 1, 1, 3)).extracting(r -> r.values()[0]).containsExactly(1f, 1f, 2f, 3f);

    // The next rows push the first message out: the oldest row held is no longer it, so a short
    // window is not filled with another; whole windows are unaffected.
    five.add(50, 5, new float[] {5});
    five.add(60, 6, new float[] {6});
    assertThat(five.window(4, 3, 1, 1, 4)).isEmpty();
    assertThat(five.window(4, 3, 1, 1, 6)).extracting(r -> r.values()[0]).containsExactly(3f, 4f, 5f, 6f);
  }

  @Test
  void a_ring_that_does_not_start_with_the_first_message_fills_nothing_until_it_arrives() {
    ReadingRing ring = new ReadingRing(8, 1);
    for (int sequence = 41; sequence <= 44; sequence++) { // an actor restarted mid-life
      ring.add(sequence * 10L, sequence, new float[] {sequence});
    }
    assertThat(ring.window(6, 3, 1, 1, 44)).as("the oldest row is message 41, not the first").isEmpty();

    ReadingRing late = new ReadingRing(8, 1);
    late.add(20, 2, new float[] {2});
    late.add(30, 3, new float[] {3});
    late.add(40, 4, new float[] {4});
    assertThat(late.window(6, 3, 1, 1, 4)).as("the first message is still on its way").isEmpty();
    assertThat(late.add(10, 1, new float[] {1})).isEqualTo(3);
    assertThat(late.window(6, 3, 1, 1, 4)).extracting(r -> r.values()[0]).containsExactly(1f, 1f, 1f, 2f, 3f, 4f);
  }

  @Test
  void a_row_older_than_every_row_of_a_full_ring_is_dropped() {
    ring.add(10, 1, new float[] {1, 1});
    ring.add(20, 2, new float[] {2, 2});
    ring.add(30, 3, new float[] {3, 3});

    assertThat(ring.add(5, 0, new float[] {0, 0})).isEqualTo(-1);
    assertThat(ring.latest(3)).extracting(ReadingRing.Row::sequence).containsExactly(1L, 2L, 3L);
  }

  @Test
  void equal_times_are_ordered_by_sequence() {
    ring.add(10, 2, new float[] {2, 2});
    ring.add(10, 1, new float[] {1, 1});
    assertThat(ring.latest(2)).extracting(ReadingRing.Row::sequence).containsExactly(1L, 2L);
  }
}
