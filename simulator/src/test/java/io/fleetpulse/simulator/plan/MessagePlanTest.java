package io.fleetpulse.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagePlanTest {

  private static Map<MessageKind, Long> tally(MessagePlan plan, long from, long to) {
    Map<MessageKind, Long> counts = new EnumMap<>(MessageKind.class);
    for (long slot = from; slot < to; slot++) {
      counts.merge(plan.kindOf(slot), 1L, Long::sum);
    }
    return counts;
  }

  @Test
  void splits_a_fixed_message_count_exactly() {
    MessagePlan plan = MessagePlan.create(10_000, 200, new MessagePlan.Shares(0.05, 0.02, 0), 42, 100);

    Map<MessageKind, Long> counts = tally(plan, 0, 10_000);

    assertThat(counts).containsEntry(MessageKind.MALFORMED, 500L).containsEntry(MessageKind.DUPLICATE, 200L)
        .containsEntry(MessageKind.VALID, 9_300L).doesNotContainKeys(MessageKind.LATE, MessageKind.LATE_LEAD);
    assertThat(plan.blockCounts()).isEqualTo(new MessagePlan.BlockCounts(10_000, 500, 200, 0, 9_300));
    assertThat(plan.hasSlot(9_999)).isTrue();
    assertThat(plan.hasSlot(10_000)).isFalse();
  }

  @Test
  void plans_late_messages_as_adjacent_pairs_of_one_device() {
    int devices = 30;
    MessagePlan plan = MessagePlan.create(3_000, devices, new MessagePlan.Shares(0.03, 0.01, 0.04), 7, 100);

    Map<MessageKind, Long> counts = tally(plan, 0, 3_000);
    assertThat(counts).containsEntry(MessageKind.LATE, 120L).containsEntry(MessageKind.LATE_LEAD, 120L)
        .containsEntry(MessageKind.MALFORMED, 90L).containsEntry(MessageKind.DUPLICATE, 30L);
    for (long slot = 0; slot < 3_000; slot++) {
      if (plan.kindOf(slot) == MessageKind.LATE_LEAD) {
        assertThat(plan.kindOf(slot + devices)).as("slot after lead %d", slot).isEqualTo(MessageKind.LATE);
        assertThat(plan.deviceOf(slot + devices)).isEqualTo(plan.deviceOf(slot));
      }
      if (plan.kindOf(slot) == MessageKind.LATE) {
        assertThat(plan.kindOf(slot - devices)).isEqualTo(MessageKind.LATE_LEAD);
      }
    }
  }

  @Test
  void every_device_starts_with_a_valid_message_so_duplicates_have_an_original() {
    MessagePlan plan = MessagePlan.create(1_000, 100, new MessagePlan.Shares(0.3, 0.3, 0.1), 1, 100);

    for (long slot = 0; slot < 100; slot++) {
      assertThat(plan.kindOf(slot)).isEqualTo(MessageKind.VALID);
    }
    assertThat(tally(plan, 0, 1_000)).containsEntry(MessageKind.MALFORMED, 300L)
        .containsEntry(MessageKind.DUPLICATE, 300L).containsEntry(MessageKind.LATE, 100L);
  }

  @Test
  void assigns_slots_to_devices_round_robin() {
    MessagePlan plan = MessagePlan.create(100, 7, new MessagePlan.Shares(0, 0, 0), 1, 100);

    assertThat(plan.deviceOf(0)).isZero();
    assertThat(plan.deviceOf(6)).isEqualTo(6);
    assertThat(plan.deviceOf(7)).isZero();
  }

  @Test
  void the_same_seed_gives_the_same_plan_and_another_seed_another() {
    MessagePlan.Shares shares = new MessagePlan.Shares(0.05, 0.02, 0.01);
    List<MessageKind> first = kinds(MessagePlan.create(5_000, 50, shares, 42, 100));
    List<MessageKind> again = kinds(MessagePlan.create(5_000, 50, shares, 42, 100));
    List<MessageKind> other = kinds(MessagePlan.create(5_000, 50, shares, 43, 100));

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void an_unlimited_plan_repeats_exact_blocks() {
    MessagePlan plan = MessagePlan.create(0, 20, new MessagePlan.Shares(0.05, 0.05, 0), 3, 50);

    assertThat(plan.hasSlot(Long.MAX_VALUE - 1)).isTrue();
    for (int block = 0; block < 3; block++) {
      assertThat(tally(plan, block * 1_000L, (block + 1) * 1_000L))
          .containsEntry(MessageKind.MALFORMED, 50L).containsEntry(MessageKind.DUPLICATE, 50L);
    }
    assertThat(kinds(plan, 1_000, 2_000)).isNotEqualTo(kinds(plan, 0, 1_000));
  }

  @Test
  void rejects_shares_that_leave_no_room_after_each_devices_first_message() {
    assertThatThrownBy(() -> MessagePlan.create(200, 100, new MessagePlan.Shares(0.6, 0, 0), 1, 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
    assertThatThrownBy(() -> MessagePlan.create(100, 10, new MessagePlan.Shares(0, 0, 1.5), 1, 100))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<MessageKind> kinds(MessagePlan plan) {
    return kinds(plan, 0, 5_000);
  }

  private static List<MessageKind> kinds(MessagePlan plan, long from, long to) {
    List<MessageKind> kinds = new ArrayList<>();
    for (long slot = from; slot < to; slot++) {
      kinds.add(plan.kindOf(slot));
    }
    return kinds;
  }
}
