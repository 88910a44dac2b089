package io.fleetpulse.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.simulator.payload.MalformedKind;
import io.fleetpulse.simulator.signal.FaultSchedule;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class MessageFactoryTest {

  private static final long START = 1_760_000_000_000L;
  private static final Duration LATE_AGE = Duration.ofSeconds(5);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static List<OutgoingMessage> generate(int devices, long messages, MessagePlan.Shares shares, long seed) {
    List<SimulatedDevice> fleet = Fleet.layout(devices, 5, 3, 0.6, 0.1, seed);
    MessagePlan plan = MessagePlan.create(messages, devices, shares, seed, 100);
    MessageFactory factory = new MessageFactory(fleet, plan, new MessageFactory.Options(seed, 0.5, LATE_AGE,
        new FaultSchedule(Duration.ofDays(3), Duration.ofHours(8)), START, 70_100, Duration.ofDays(3650)));
    List<OutgoingMessage> out = new ArrayList<>();
    for (long slot = 0; plan.hasSlot(slot); slot++) {
      long wall = START + slot * 10;
      out.add(factory.create(slot, wall, START + slot * 600));
    }
    return out;
  }

  private static JsonNode json(OutgoingMessage message) {
    try {
      return MAPPER.readTree(message.payload());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static long seqOf(JsonNode json) {
    return json.isArray() ? json.get(0).get("seq").asLong() : json.get("seq").asLong();
  }

  private static long timestampOf(JsonNode json) {
    return json.isArray() ? Math.round(json.get(0).get("bt").asDouble() * 1000) : json.get("ts").asLong();
  }

  @Test
  void valid_unique_messages_carry_each_sequence_number_once_from_one() {
    List<OutgoingMessage> messages = generate(50, 5_000, new MessagePlan.Shares(0.05, 0.02, 0.02), 42);

    Map<String, List<Long>> seqs = new TreeMap<>();
    for (OutgoingMessage message : messages) {
      if (message.kind().validUnique()) {
        long seq = seqOf(json(message));
        assertThat(seq).isEqualTo(message.seq());
        seqs.computeIfAbsent(message.device().deviceId(), id -> new ArrayList<>()).add(seq);
      }
    }
    assertThat(seqs).hasSize(50);
    seqs.forEach((device, list) -> assertThat(list).as(device)
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, list.size()).boxed().toList()));
    assertThat(seqs.values().stream().mapToInt(List::size).sum()).isEqualTo(5_000 - 250 - 100);
  }

  @Test
  void malformed_messages_do_not_consume_a_sequence_number() {
    List<OutgoingMessage> messages = generate(10, 1_000, new MessagePlan.Shares(0.1, 0, 0), 3);

    Map<String, Long> lastValid = new HashMap<>();
    for (OutgoingMessage message : messages) {
      String device = message.device().deviceId();
      if (message.kind() == MessageKind.MALFORMED) {
        assertThat(message.seq()).isEqualTo(lastValid.get(device) + 1);
      } else {
        assertThat(message.seq()).isEqualTo(lastValid.getOrDefault(device, 0L) + 1);
        lastValid.put(device, message.seq());
      }
    }
  }

  @Test
  void duplicates_repeat_an_earlier_payload_of_the_same_device_byte_for_byte() {
    List<OutgoingMessage> messages = generate(20, 2_000, new MessagePlan.Shares(0.05, 0.05, 0.02), 9);

    Map<String, List<byte[]>> sent = new HashMap<>();
    int duplicates = 0;
    for (OutgoingMessage message : messages) {
      List<byte[]> earlier = sent.computeIfAbsent(message.topic(), topic -> new ArrayList<>());
      boolean repeat = earlier.stream().anyMatch(payload -> Arrays.equals(payload, message.payload()));
      assertThat(repeat).as("slot kind %s", message.kind()).isEqualTo(message.kind() == MessageKind.DUPLICATE);
      duplicates += repeat ? 1 : 0;
      earlier.add(message.payload());
    }
    assertThat(duplicates).isEqualTo(100);
  }

  @Test
  void late_messages_have_a_lower_sequence_than_already_sent_and_an_older_timestamp() {
    List<OutgoingMessage> messages = generate(10, 1_000, new MessagePlan.Shares(0, 0, 0.05), 11);

    Map<String, Long> highest = new HashMap<>();
    Map<String, Long> previousTimestamp = new HashMap<>();
    int late = 0;
    for (OutgoingMessage message : messages) {
      String device = message.device().deviceId();
      JsonNode json = json(message);
      if (message.kind() == MessageKind.LATE) {
        late++;
        assertThat(seqOf(json)).isEqualTo(highest.get(device) - 1);
        assertThat(timestampOf(json)).isLessThanOrEqualTo(previousTimestamp.get(device) - LATE_AGE.toMillis());
      } else {
        assertThat(seqOf(json)).isGreaterThan(highest.getOrDefault(device, 0L));
      }
      highest.merge(device, seqOf(json), Math::max);
      previousTimestamp.put(device, timestampOf(json));
    }
    assertThat(late).isEqualTo(50);
  }

  @Test
  void malformed_kinds_cycle_so_counts_per_code_are_exact() {
    List<OutgoingMessage> messages = generate(200, 10_000, new MessagePlan.Shares(0.05, 0.02, 0), 42);

    Map<String, Long> byCode = new TreeMap<>();
    messages.stream().filter(m -> m.kind() == MessageKind.MALFORMED)
        .forEach(m -> byCode.merge(m.malformed().orElseThrow().code(), 1L, Long::sum));

    assertThat(byCode.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(500);
    assertThat(byCode).hasSize(8).containsEntry(MalformedKind.BROKEN_JSON.code(), 63L)
        .containsEntry(MalformedKind.OUT_OF_RANGE.code(), 63L).containsEntry(MalformedKind.UNKNOWN_METRIC.code(), 62L)
        .containsEntry(MalformedKind.TOO_LARGE.code(), 62L);
  }

  @Test
  void alternates_payload_forms_per_device_at_the_default_share() {
    List<OutgoingMessage> messages = generate(5, 100, new MessagePlan.Shares(0, 0, 0), 1);

    long compact = messages.stream().filter(m -> json(m).isObject()).count();
    assertThat(compact).isEqualTo(50);
    assertThat(json(messages.get(0)).isArray()).isNotEqualTo(json(messages.get(5)).isArray());
  }

  @Test
  void the_same_seed_produces_the_same_bytes_and_another_seed_other_values() {
    MessagePlan.Shares shares = new MessagePlan.Shares(0.05, 0.02, 0.02);
    List<OutgoingMessage> first = generate(20, 1_000, shares, 42);
    List<OutgoingMessage> again = generate(20, 1_000, shares, 42);
    List<OutgoingMessage> other = generate(20, 1_000, shares, 43);

    for (int i = 0; i < first.size(); i++) {
      assertThat(again.get(i).payload()).isEqualTo(first.get(i).payload());
      assertThat(again.get(i).topic()).isEqualTo(first.get(i).topic());
    }
    long different = 0;
    for (int i = 0; i < first.size(); i++) {
      different += Arrays.equals(first.get(i).payload(), other.get(i).payload()) ? 0 : 1;
    }
    assertThat(different).isGreaterThan(900);
  }
}
