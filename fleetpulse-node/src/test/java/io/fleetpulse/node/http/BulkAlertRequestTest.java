package io.fleetpulse.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertReply;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.alert.AlertStatus;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.node.http.BulkAlertRequest.Action;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BulkAlertRequestTest {

  private static final int MAX = 5000;
  private static final int NOTE = 2000;

  private static BulkAlertRequest.Selection valid(BulkAlertRequest request, Action action) throws Exception {
    return request.validate(action, MAX, NOTE);
  }

  private static void refused(BulkAlertRequest request, Action action, ErrorCode code, String message) {
    assertThatThrownBy(() -> request.validate(action, MAX, NOTE)).isInstanceOf(BulkAlertRequest.Invalid.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((BulkAlertRequest.Invalid) e).code()).isEqualTo(code));
  }

  private static BulkAlertRequest group(String type, String severity, String status) {
    return new BulkAlertRequest(new BulkAlertRequest.GroupKey(type, severity, status), null, null);
  }

  @Test
  void a_group_without_status_acts_on_every_open_status_the_action_changes() throws Exception {
    assertThat(valid(group("level-high", "minor", null), Action.ACKNOWLEDGE)).isEqualTo(new BulkAlertRequest.ByGroup(
        "level-high", AlertSeverity.MINOR, List.of(AlertStatus.ACTIVE_UNACK, AlertStatus.CLEARED_UNACK)));
    assertThat(valid(group("level-high", "MINOR", null), Action.CLEAR)).isEqualTo(new BulkAlertRequest.ByGroup(
        "level-high", AlertSeverity.MINOR, List.of(AlertStatus.ACTIVE_UNACK, AlertStatus.ACTIVE_ACK)));
    assertThat(valid(group("level-high", "MINOR", "ACTIVE_UNACK"), Action.ACKNOWLEDGE).statuses())
        .containsExactly(AlertStatus.ACTIVE_UNACK);
  }

  @Test
  void refuses_neither_or_both_group_and_ids() {
    refused(new BulkAlertRequest(null, null, "n"), Action.ACKNOWLEDGE, ErrorCode.REQUEST_INVALID, "not neither");
    refused(new BulkAlertRequest(new BulkAlertRequest.GroupKey("t", "minor", null), List.of(UUID.randomUUID().toString()),
        null), Action.ACKNOWLEDGE, ErrorCode.REQUEST_INVALID, "not both");
  }

  @Test
  void refuses_a_group_without_type_or_severity_or_with_unknown_values() {
    refused(group(null, "minor", null), Action.ACKNOWLEDGE, ErrorCode.REQUEST_INVALID, "\"type\" and \"severity\"");
    refused(group(" ", "minor", null), Action.ACKNOWLEDGE, ErrorCode.REQUEST_INVALID, "\"type\" and \"severity\"");
    refused(group("t", null, null), Action.ACKNOWLEDGE, ErrorCode.REQUEST_INVALID, "\"type\" and \"severity\"");
    refused(group("t", "dire", null), Action.ACKNOWLEDGE, ErrorCode.REQUEST_INVALID, "dire");
    refused(group("t", "minor", "SLEEPING"), Action.ACKNOWLEDGE, ErrorCode.REQUEST_INVALID, "SLEEPING");
  }

  @Test
  void refuses_a_status_the_action_does_not_change() {
    refused(group("t", "minor", "ACTIVE_ACK"), Action.ACKNOWLEDGE, ErrorCode.REQUEST_INVALID, "acknowledge changes");
    refused(group("t", "minor", "CLEARED_UNACK"), Action.CLEAR, ErrorCode.REQUEST_INVALID, "clear changes");
    refused(group("t", "minor", "CLEARED_ACK"), Action.ACKNOWLEDGE, ErrorCode.REQUEST_INVALID, "acknowledge changes");
  }

  @Test
  void ids_are_uuids_deduplicated_and_at_most_the_maximum() throws Exception {
    UUID one = UUID.randomUUID();
    assertThat(valid(new BulkAlertRequest(null, List.of(one.toString(), one.toString()), null), Action.CLEAR))
        .isEqualTo(new BulkAlertRequest.ByIds(java.util.Set.of(one)));
    refused(new BulkAlertRequest(null, List.of("not-a-uuid"), null), Action.CLEAR, ErrorCode.REQUEST_INVALID,
        "'not-a-uuid' is not an alert id");
    refused(new BulkAlertRequest(null, Collections.singletonList(null), null), Action.CLEAR,
        ErrorCode.REQUEST_INVALID, "is not an alert id");
    refused(new BulkAlertRequest(null, List.of(), null), Action.CLEAR, ErrorCode.REQUEST_INVALID, "empty");
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= MAX; i++) {
      many.add(UUID.randomUUID().toString());
    }
    refused(new BulkAlertRequest(null, many, null), Action.ACKNOWLEDGE, ErrorCode.ALERT_SELECTION_TOO_LARGE,
        "5001 alerts named; one call takes at most 5000");
    assertThat(valid(new BulkAlertRequest(null, many.subList(0, MAX), null), Action.ACKNOWLEDGE)).isNotNull();
  }

  @Test
  void refuses_a_note_over_the_limit() {
    refused(new BulkAlertRequest(null, List.of(UUID.randomUUID().toString()), "x".repeat(NOTE + 1)), Action.CLEAR,
        ErrorCode.REQUEST_INVALID, "'note' is longer than 2000");
  }

  @Test
  void a_group_picks_its_members_oldest_first() throws Exception {
    Alert newer = AlertGroupsTest.alert("d-1", "plant-1", "level-high", AlertSeverity.MINOR, 20);
    Alert older = AlertGroupsTest.alert("d-2", "plant-1", "level-high", AlertSeverity.MINOR, 10);
    Alert otherType = AlertGroupsTest.alert("d-3", "plant-1", "bearing-overheat", AlertSeverity.MINOR, 5);
    Alert otherSeverity = AlertGroupsTest.alert("d-4", "plant-1", "level-high", AlertSeverity.MAJOR, 5);
    Alert acknowledged = AlertGroupsTest.alert("d-5", "plant-1", "level-high", AlertSeverity.MINOR, 5)
        .acknowledged("ada", null, 6);
    BulkAlertRequest.ByGroup selection = (BulkAlertRequest.ByGroup) valid(group("level-high", "minor", null),
        Action.ACKNOWLEDGE);
    assertThat(selection.pick(List.of(newer, otherType, older, otherSeverity, acknowledged))).containsExactly(older, newer);
  }

  @Test
  void the_result_counts_done_already_and_failed_with_reasons_listed_up_to_the_limit() {
    Alert alert = AlertGroupsTest.alert("d-1", "plant-1", "level-high", AlertSeverity.MINOR, 1);
    BulkAlertResult.Tally tally = new BulkAlertResult.Tally("acknowledge", 2);
    tally.add(alert, new AlertReply.Changed(alert.acknowledged("ada", null, 2)));
    tally.add(alert, new AlertReply.Changed(alert.acknowledged("ada", null, 2)));
    tally.add(alert, new AlertReply.Refused(ErrorCode.ALERT_ALREADY_ACKNOWLEDGED, "already"));
    tally.add(alert, new AlertReply.Refused(ErrorCode.ALERT_ALREADY_CLEARED, "already"));
    tally.add(alert, new AlertReply.Refused(ErrorCode.ALERT_STORE_UNAVAILABLE, "not stored"));
    tally.add(alert, null);
    tally.unknown(UUID.randomUUID(), "plant-1");
    BulkAlertResult result = tally.result(7);
    assertThat(result.requested()).isEqualTo(7);
    assertThat(result.done()).isEqualTo(2);
    assertThat(result.already()).isEqualTo(2);
    assertThat(result.failed()).isEqualTo(3);
    assertThat(result.remaining()).isEqualTo(7);
    assertThat(result.failures()).extracting(BulkAlertResult.Failure::code)
        .containsExactly("alert.store-unavailable", "service.unavailable");
    assertThat(result.failures().get(0).deviceId()).isEqualTo("d-1");
  }
}
