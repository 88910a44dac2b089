package io.fleetpulse.fleet.device;

import static io.fleetpulse.fleet.device.SequenceWindow.Verdict.DUPLICATE;
import static io.fleetpulse.fleet.device.SequenceWindow.Verdict.NEW;
import static io.fleetpulse.fleet.device.SequenceWindow.Verdict.RECOVERED;
import static io.fleetpulse.fleet.device.SequenceWindow.Verdict.TOO_OLD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SequenceWindowTest {

  private static final int SIZE = 64;

  @Test
  void first_sequence_is_new_and_becomes_the_highest() {
    SequenceWindow window = new SequenceWindow(SIZE);
    assertThat(window.highest()).isEmpty();

    assertThat(window.record(1000)).isEqualTo(NEW);

    assertThat(window.highest()).hasValue(1000);
  }

  @Test
  void increasing_sequences_are_new() {
    SequenceWindow window = new SequenceWindow(SIZE);

    for (long s = 1; s <= 3 * SIZE; s++) {
      assertThat(window.record(s)).as("sequence %d", s).isEqualTo(NEW);
    }
    assertThat(window.highest()).hasValue(3 * SIZE);
  }

  @Test
  void an_exact_repeat_is_a_duplicate() {
    SequenceWindow window = new SequenceWindow(SIZE);
    window.record(7);
    window.record(8);

    assertThat(window.record(8)).isEqualTo(DUPLICATE);
    assertThat(window.record(7)).isEqualTo(DUPLICATE);
    assertThat(window.highest()).hasValue(8);
  }

  @Test
  void an_out_of_order_sequence_inside_the_window_is_new_once_then_a_duplicate() {
    SequenceWindow window = new SequenceWindow(SIZE);
    window.record(100);
    window.record(103);

    assertThat(window.record(101)).isEqualTo(NEW);
    assertThat(window.record(101)).isEqualTo(DUPLICATE);
    assertThat(window.record(102)).isEqualTo(NEW);
    assertThat(window.highest()).as("a late sequence does not move the highest").hasValue(103);
  }

  @Test
  void the_window_spans_size_numbers_ending_at_the_highest() {
    SequenceWindow window = new SequenceWindow(SIZE);
    window.record(1000);

    assertThat(window.record(1000 - SIZE + 1)).as("oldest number still remembered").isEqualTo(NEW);
    assertThat(window.record(1000 - SIZE + 1)).isEqualTo(DUPLICATE);
    assertThat(window.record(1000 - SIZE)).as("one below the window").isEqualTo(TOO_OLD);
    assertThat(window.record(0)).isEqualTo(TOO_OLD);
  }

  @Test
  void a_sequence_that_falls_below_the_window_is_too_old_even_when_it_was_seen() {
    SequenceWindow window = new SequenceWindow(SIZE);
    window.record(10);
    window.record(10 + SIZE);

    assertThat(window.record(10)).isEqualTo(TOO_OLD);
  }

  @Test
  void a_small_advance_keeps_the_numbers_seen_inside_the_new_window_and_frees_the_skipped_ones() {
    SequenceWindow window = new SequenceWindow(SIZE);
    for (long s = 0; s < SIZE; s++) {
      window.record(s); // every slot of the bitmap set
    }

    assertThat(window.record(SIZE + 5)).isEqualTo(NEW); // window now [6, 69]

    assertThat(window.record(5)).isEqualTo(TOO_OLD);
    for (long s = 6; s < SIZE; s++) {
      assertThat(window.record(s)).as("seen before the advance, still inside: %d", s).isEqualTo(DUPLICATE);
    }
    for (long s = SIZE; s < SIZE + 5; s++) {
      // these share bitmap slots with 0..4, which were set: the advance must have cleared them
      assertThat(window.record(s)).as("skipped by the advance: %d", s).isEqualTo(NEW);
    }
  }

  @Test
  void a_jump_larger_than_the_window_forgets_everything_before_it() {
    SequenceWindow window = new SequenceWindow(SIZE);
    for (long s = 0; s < SIZE; s++) {
      window.record(s);
    }

    assertThat(window.record(500)).isEqualTo(NEW); // window now [437, 500]

    // Every number seen before the jump is now below the window, so it is refused, not reported as a
    // duplicate, and never mistaken for new.
    for (long s = 0; s < SIZE; s++) {
      assertThat(window.record(s)).as("seen before the jump: %d", s).isEqualTo(TOO_OLD);
    }
    // Inside the new window every number except the highest is unseen, including those whose bitmap
    // slots held the numbers seen before the jump (437 % 64 == 53, 448 % 64 == 0, ...).
    for (long s = 500 - SIZE + 1; s < 500; s++) {
      assertThat(window.record(s)).as("never seen, inside the new window: %d", s).isEqualTo(NEW);
    }
    assertThat(window.record(500)).isEqualTo(DUPLICATE);
  }

  @Test
  void a_jump_of_exactly_the_window_size_leaves_the_old_highest_too_old_and_its_successors_new() {
    SequenceWindow window = new SequenceWindow(SIZE);
    window.record(10);
    window.record(11);

    assertThat(window.record(10 + SIZE)).isEqualTo(NEW); // window now [11, 74]

    assertThat(window.record(10)).isEqualTo(TOO_OLD);
    assertThat(window.record(11)).isEqualTo(DUPLICATE);
    assertThat(window.record(12)).isEqualTo(NEW);
  }

  @Test
  void agrees_with_a_set_of_everything_seen_on_a_random_walk() {
    Random random = new Random(42);
    SequenceWindow window = new SequenceWindow(128);
    Set<Long> seen = new HashSet<>();
    long highest = Long.MIN_VALUE;
    long next = 0;
    for (int i = 0; i < 20_000; i++) {
      long sequence;
      int kind = random.nextInt(10);
      if (kind < 5) {
        next += 1 + random.nextInt(3);
        sequence = next;
      } else if (kind < 9) {
        sequence = next - random.nextInt(200); // redelivery, reordering or too old
      } else {
        next += 100 + random.nextInt(200); // a gap, sometimes longer than the window
        sequence = next;
      }
      SequenceWindow.Verdict expected;
      if (highest != Long.MIN_VALUE && highest - sequence >= 128) {
        expected = TOO_OLD;
      } else if (seen.contains(sequence)) {
        expected = DUPLICATE;
      } else {
        expected = NEW;
      }

      assertThat(window.record(sequence)).as("step %d, sequence %d, highest %d", i, sequence, highest)
          .isEqualTo(expected);

      if (expected == NEW) {
        seen.add(sequence);
        highest = Math.max(highest, sequence);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -64, 1, 63, 65, 100, 1000})
  void rejects_a_size_that_is_not_a_positive_multiple_of_64(int size) {
    assertThatThrownBy(() -> new SequenceWindow(size))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiple of 64");
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 128, 1024})
  void accepts_multiples_of_64(int size) {
    SequenceWindow window = new SequenceWindow(size);
    window.record(size);

    assertThat(window.record(1)).isEqualTo(NEW);
    assertThat(window.record(0)).isEqualTo(TOO_OLD);
  }

  @Test
  void sequence_zero_is_an_ordinary_number() {
    SequenceWindow window = new SequenceWindow(SIZE);

    assertThat(window.record(0)).isEqualTo(NEW);
    assertThat(window.record(0)).isEqualTo(DUPLICATE);
    assertThat(window.record(1)).isEqualTo(NEW);
    assertThat(window.highest()).hasValue(1);
  }

  @Test
  void negative_sequences_are_ordered_like_any_others() {
    SequenceWindow window = new SequenceWindow(SIZE);

    assertThat(window.record(-10)).isEqualTo(NEW);
    assertThat(window.record(-3)).isEqualTo(NEW);
    assertThat(window.record(-5)).isEqualTo(NEW);
    assertThat(window.record(-5)).isEqualTo(DUPLICATE);
    assertThat(window.record(-10)).isEqualTo(DUPLICATE);
    assertThat(window.record(-3 - SIZE)).isEqualTo(TOO_OLD);
    assertThat(window.record(2)).as("crossing zero").isEqualTo(NEW);
    assertThat(window.record(-3)).isEqualTo(DUPLICATE);
    assertThat(window.highest()).hasValue(2);
  }

  @Test
  void the_lowest_long_is_a_sequence_like_any_other() {
    SequenceWindow window = new SequenceWindow(SIZE);

    assertThat(window.record(Long.MIN_VALUE)).isEqualTo(NEW);
    assertThat(window.highest()).hasValue(Long.MIN_VALUE);
    assertThat(window.record(Long.MIN_VALUE)).isEqualTo(DUPLICATE);
    assertThat(window.record(Long.MIN_VALUE + 1)).isEqualTo(NEW);
    assertThat(window.highest()).hasValue(Long.MIN_VALUE + 1);
  }

  @Test
  @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void a_jump_across_the_whole_long_range_does_not_overflow() {
    SequenceWindow window = new SequenceWindow(SIZE);
    window.record(-2);

    // Long.MAX_VALUE - (-2) overflows; the window must treat it as the huge jump it is.
    assertThat(window.record(Long.MAX_VALUE)).isEqualTo(NEW);
    assertThat(window.highest()).hasValue(Long.MAX_VALUE);
    assertThat(window.record(Long.MAX_VALUE - 1)).isEqualTo(NEW);
    assertThat(window.record(-2)).as("far below the window, the difference overflows").isEqualTo(TOO_OLD);
    assertThat(window.record(Long.MIN_VALUE)).isEqualTo(TOO_OLD);
  }

  @Test
  void a_recovered_number_is_confirmed_once_by_its_first_live_delivery_then_is_a_duplicate() {
    SequenceWindow window = new SequenceWindow(SIZE);
    assertThat(window.recover(10)).isEqualTo(NEW);
    assertThat(window.recover(11)).isEqualTo(NEW);
    assertThat(window.recover(11)).as("stored twice reads back once").isEqualTo(DUPLICATE);

    assertThat(window.record(11)).isEqualTo(RECOVERED);
    assertThat(window.record(11)).isEqualTo(DUPLICATE);
    assertThat(window.record(12)).isEqualTo(NEW);
    assertThat(window.record(10)).isEqualTo(RECOVERED);
    assertThat(window.record(10)).isEqualTo(DUPLICATE);
  }

  @Test
  void a_recovery_mark_does_not_outlive_its_number_when_the_window_slides() {
    SequenceWindow window = new SequenceWindow(SIZE);
    window.recover(5);
    // 5 + SIZE lands on the same bit: a new number there must not inherit 5's mark.
    assertThat(window.record(5 + SIZE)).isEqualTo(NEW);
    assertThat(window.record(5 + SIZE)).isEqualTo(DUPLICATE);
    assertThat(window.record(5)).isEqualTo(TOO_OLD);

    window.recover(5 + 2 * SIZE - 1);
    assertThat(window.record(5 + 10 * SIZE)).as("a jump past the window clears every mark").isEqualTo(NEW);
    assertThat(window.record(5 + 10 * SIZE - SIZE + 1)).isEqualTo(NEW);
  }

  // --- counter resets ------------------------------------------------------------------------

  private static final int RESTART_AFTER = 10;
  private static final long T0 = 1_700_000_000_000L;

  /** A window that restarts after RESTART_AFTER current too-old numbers, and the device's clock. */
  private final SequenceWindow restarting = new SequenceWindow(SIZE, RESTART_AFTER);
  private long now = T0;

  /** The next message of a device whose clock runs on, one second per message. */
  /** When each number was last sent, for redeliveries: a redelivered message carries its original time. */
  private final java.util.Map<Long, Long> sentAt = new java.util.HashMap<>();

  private SequenceWindow.Verdict send(long sequence) {
    now += 1000;
    sentAt.put(sequence, now);
    return restarting.record(sequence, now);
  }

  /** The broker delivering the message numbered {@code sequence} again: its original time. */
  private SequenceWindow.Verdict redeliver(long sequence) {
    return restarting.record(sequence, sentAt.get(sequence));
  }

  private void sendAll(long from, long to) {
    for (long s = from; s <= to; s++) {
      assertThat(send(s)).as("sequence %d", s).isEqualTo(NEW);
    }
  }

  @Test
  void a_counter_that_starts_again_at_1_is_accepted_from_its_tenth_message_on() {
    sendAll(1, 500);

    for (long s = 1; s < RESTART_AFTER; s++) {
      assertThat(send(s)).as("rebooted, sequence %d", s).isEqualTo(TOO_OLD);
    }
    assertThat(send(RESTART_AFTER)).isEqualTo(NEW);

    assertThat(restarting.highest()).hasValue(RESTART_AFTER);
    sendAll(RESTART_AFTER + 1, 40);
    assertThat(redeliver(30)).as("the new counter's redelivery").isEqualTo(DUPLICATE);
  }

  @Test
  void a_single_huge_number_is_left_behind_after_the_run_of_ordinary_ones_it_made_too_old() {
    sendAll(1, 100);
    assertThat(send(1_000_000_000_000L)).isEqualTo(NEW);

    for (long s = 101; s < 100 + RESTART_AFTER; s++) {
      assertThat(send(s)).as("sequence %d", s).isEqualTo(TOO_OLD);
    }
    assertThat(send(100 + RESTART_AFTER)).isEqualTo(NEW);

    sendAll(100 + RESTART_AFTER + 1, 300);
    assertThat(restarting.highest()).hasValue(300);
    assertThat(redeliver(1_000_000_000_000L)).as("its redelivery: judged by the window it left").isEqualTo(DUPLICATE);
    assertThat(restarting.highest()).hasValue(300);
    assertThat(send(301)).isEqualTo(NEW);
  }

  @Test
  void a_new_number_breaks_the_run_and_duplicates_neither_count_nor_break_it() {
    sendAll(1, 100);
    send(1_000_000_000_000L);
    for (long s = 101; s <= 105; s++) {
      assertThat(send(s)).isEqualTo(TOO_OLD);
    }
    assertThat(redeliver(1_000_000_000_000L)).as("a redelivery inside the window").isEqualTo(DUPLICATE);
    assertThat(send(1_000_000_000_000L - 7)).as("new inside the window: the run starts again").isEqualTo(NEW);
    for (long s = 106; s < 106 + RESTART_AFTER - 1; s++) {
      assertThat(send(s)).as("sequence %d", s).isEqualTo(TOO_OLD);
    }
    assertThat(redeliver(1_000_000_000_000L - 7)).isEqualTo(DUPLICATE);

    assertThat(send(106 + RESTART_AFTER - 1)).as("the tenth in a row since the last new one").isEqualTo(NEW);
  }

  @Test
  void a_redelivered_backlog_timed_before_the_newest_message_never_restarts_the_window() {
    sendAll(1, 1000);
    long newest = now;

    // A node died with the device's first messages in flight; the broker sends them again, long
    // after the device's newer ones got in through another node.
    for (long s = 1; s <= 500; s++) {
      assertThat(restarting.record(s, T0 + s * 1000)).as("redelivered %d", s).isEqualTo(TOO_OLD);
    }
    assertThat(restarting.record(999, newest - 1000)).isEqualTo(DUPLICATE);

    assertThat(restarting.highest()).hasValue(1000);
    assertThat(send(1001)).isEqualTo(NEW);
  }

  @Test
  void after_a_restart_late_redeliveries_of_the_old_counter_are_duplicates_not_new() {
    for (long s = 1; s <= 500; s++) {
      if (s != 495) { // in flight when the device rebooted, delivered late
        send(s);
      }
    }
    for (long s = 1; s <= RESTART_AFTER; s++) {
      send(s);
    }
    assertThat(restarting.highest()).hasValue(RESTART_AFTER);

    assertThat(restarting.record(499, T0)).as("seen before the reboot").isEqualTo(DUPLICATE);
    assertThat(restarting.record(495, T0)).as("never seen: new, once").isEqualTo(NEW);
    assertThat(restarting.record(495, T0)).isEqualTo(DUPLICATE);
    assertThat(restarting.highest()).as("the new counter stays the highest").hasValue(RESTART_AFTER);
    assertThat(send(RESTART_AFTER + 1)).isEqualTo(NEW);
  }

  @Test
  void the_old_counter_s_window_is_forgotten_before_the_new_counter_reaches_it() {
    sendAll(1, 500); // the window left by the restart holds 437..500
    for (long s = 1; s <= RESTART_AFTER; s++) {
      send(s);
    }

    // Were the old window still asked, 437..500 would be duplicates.
    sendAll(RESTART_AFTER + 1, 600);
  }

  @Test
  void restarts_again_when_the_counter_resets_again() {
    sendAll(1, 500);
    for (int reboot = 0; reboot < 3; reboot++) {
      for (long s = 1; s < RESTART_AFTER; s++) {
        assertThat(send(s)).isEqualTo(TOO_OLD);
      }
      assertThat(send(RESTART_AFTER)).isEqualTo(NEW);
      sendAll(RESTART_AFTER + 1, 200);
    }
    assertThat(restarting.highest()).hasValue(200);
  }

  @Test
  void a_window_without_a_restart_count_refuses_a_reset_counter_forever() {
    SequenceWindow window = new SequenceWindow(SIZE);
    for (long s = 1; s <= 500; s++) {
      window.record(s, T0 + s);
    }

    for (long s = 1; s <= 100; s++) {
      assertThat(window.record(s, T0 + 1000 + s)).isEqualTo(TOO_OLD);
    }
  }

  @Test
  void a_window_rebuilt_from_the_same_messages_in_time_order_restarts_where_the_live_one_did() {
    List<long[]> stored = new ArrayList<>(); // sequence, time: every message, the refused ones too
    for (long s = 1; s <= 300; s++) {
      stored.add(new long[] {s, now += 1000});
    }
    stored.add(new long[] {1_000_000_000_000L, now += 1000});
    for (long s = 301; s <= 340; s++) {
      stored.add(new long[] {s, now += 1000});
    }
    List<SequenceWindow.Verdict> live = new ArrayList<>();
    SequenceWindow rebuilt = new SequenceWindow(SIZE, RESTART_AFTER);
    List<SequenceWindow.Verdict> replayed = new ArrayList<>();
    for (long[] message : stored) {
      live.add(restarting.record(message[0], message[1]));
      replayed.add(rebuilt.recover(message[0], message[1]));
    }

    assertThat(replayed).isEqualTo(live);
    assertThat(live).filteredOn(verdict -> verdict == TOO_OLD).hasSize(RESTART_AFTER - 1);
    assertThat(rebuilt.highest()).hasValue(340);
    assertThat(rebuilt.record(341, now += 1000)).isEqualTo(NEW);
    assertThat(rebuilt.record(320, now)).as("the live delivery of a replayed message").isEqualTo(RECOVERED);
    assertThat(rebuilt.record(320, now)).isEqualTo(DUPLICATE);
    long hugeAt = stored.get(300)[1]; // a redelivery carries the message's own time
    assertThat(rebuilt.record(1_000_000_000_000L, hugeAt)).as("the huge one, replayed into the window left")
        .isEqualTo(RECOVERED);
    assertThat(rebuilt.record(1_000_000_000_000L, hugeAt)).isEqualTo(DUPLICATE);
    assertThat(rebuilt.record(305, now)).as("refused live and in the replay: never applied").isEqualTo(NEW);
  }

  @Test
  void a_replay_that_ends_inside_the_run_is_finished_by_the_live_messages() {
    SequenceWindow rebuilt = new SequenceWindow(SIZE, RESTART_AFTER);
    for (long s = 1; s <= 300; s++) {
      rebuilt.recover(s, now += 1000);
    }
    for (long s = 1; s <= 4; s++) {
      assertThat(rebuilt.recover(s, now += 1000)).isEqualTo(TOO_OLD);
    }

    for (long s = 5; s < RESTART_AFTER; s++) {
      assertThat(rebuilt.record(s, now += 1000)).as("live %d", s).isEqualTo(TOO_OLD);
    }
    assertThat(rebuilt.record(RESTART_AFTER, now += 1000)).isEqualTo(NEW);
    assertThat(rebuilt.record(RESTART_AFTER + 1, now += 1000)).isEqualTo(NEW);
  }

  @Test
  void rejects_a_negative_restart_count() {
    assertThatThrownBy(() -> new SequenceWindow(SIZE, -1)).hasMessageContaining("must not be negative");
  }

  @Test
  void a_counter_that_resets_inside_the_window_restarts_it_while_redeliveries_stay_duplicates() {
    SequenceWindow window = new SequenceWindow(SIZE, 10);
    for (long seq = 1; seq <= 30; seq++) {
      assertThat(window.record(seq, seq * 1000)).isEqualTo(SequenceWindow.Verdict.NEW);
    }
    assertThat(window.record(30, 30_000)).as("a redelivery: its own time").isEqualTo(SequenceWindow.Verdict.DUPLICATE);
    assertThat(window.record(12, 12_000)).as("a redelivery").isEqualTo(SequenceWindow.Verdict.DUPLICATE);

    // The device rebooted: 1, 2, ... again, timed after everything it sent before.
    for (long seq = 1; seq <= 9; seq++) {
      assertThat(window.record(seq, 30_000 + seq * 1000)).as("seq %d after the reset", seq)
          .isEqualTo(SequenceWindow.Verdict.TOO_OLD);
    }
    assertThat(window.record(10, 40_000)).as("the tenth in a row restarts the window").isEqualTo(SequenceWindow.Verdict.NEW);
    assertThat(window.record(11, 41_000)).isEqualTo(SequenceWindow.Verdict.NEW);
    assertThat(window.highest()).hasValue(11);
    assertThat(window.record(11, 41_000)).as("a redelivery of the new counter's").isEqualTo(SequenceWindow.Verdict.DUPLICATE);
  }

  @Test
  void without_timestamps_a_reset_inside_the_window_gives_plain_duplicates() {
    SequenceWindow window = new SequenceWindow(SIZE, 10);
    for (long seq = 1; seq <= 30; seq++) {
      window.record(seq);
    }
    for (long seq = 1; seq <= 12; seq++) {
      assertThat(window.record(seq)).isEqualTo(SequenceWindow.Verdict.DUPLICATE);
    }
  }
}
