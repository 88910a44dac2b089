package io.fleetpulse.node.http;

import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertReply;
import io.fleetpulse.api.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The answer of a bulk acknowledge or clear: how many alerts it named ({@code requested}), how
 * many its device actors changed and stored ({@code done}), found already in that state ({@code
 * already}) or could not change ({@code failed}, the first few listed with their codes), and for a
 * group larger than one call acts on, how many are left for the next call ({@code remaining}).
 */
public record BulkAlertResult(String action, int requested, int done, int already, int failed, int remaining,
    List<Failure> failures) {

  /** One alert not changed, and why. */
  public record Failure(String deviceId, UUID alertId, String code, String message) {}

  /** Counts one call's replies; used by one stream stage at a time, never shared. */
  static final class Tally {
    private final String action;
    private final int listed;
    private int requested;
    private int done;
    private int already;
    private int failed;
    private final List<Failure> failures = new ArrayList<>();

    /** @param listed most failures the answer lists */
    Tally(String action, int listed) {
      this.action = action;
      this.listed = listed;
    }

    /** A device actor's reply for {@code alert}; null when asking it failed (it did not answer in time). */
    Tally add(Alert alert, AlertReply reply) {
      requested++;
      if (reply instanceof AlertReply.Changed) {
        done++;
      } else if (reply instanceof AlertReply.Refused refused && (refused.code() == ErrorCode.ALERT_ALREADY_ACKNOWLEDGED
          || refused.code() == ErrorCode.ALERT_ALREADY_CLEARED)) {
        already++;
      } else if (reply instanceof AlertReply.Refused refused) {
        fail(alert.deviceId(), alert.alertId(), refused.code(), refused.message());
      } else {
        fail(alert.deviceId(), alert.alertId(), ErrorCode.SERVICE_UNAVAILABLE,
            "the device did not answer in time; try again");
      }
      return this;
    }

    /** An id that is no open alert of the site. */
    Tally unknown(UUID alertId, String site) {
      requested++;
      fail(null, alertId, ErrorCode.ALERT_UNKNOWN, "no open alert " + alertId + " at site '" + site + "'");
      return this;
    }

    private void fail(String deviceId, UUID alertId, ErrorCode code, String message) {
      failed++;
      if (failures.size() < listed) {
        failures.add(new Failure(deviceId, alertId, code.code(), message));
      }
    }

    BulkAlertResult result(int remaining) {
      return new BulkAlertResult(action, requested, done, already, failed, remaining, List.copyOf(failures));
    }
  }
}
