package io.fleetpulse.simulator.plan;

import io.fleetpulse.simulator.signal.Profile;

/**
 * One simulated device: its id (which makes the node auto-provision its profile), its site, the
 * gateway connection that publishes for it, and whether it suffers injected faults.
 */
public record SimulatedDevice(int index, String deviceId, Profile profile, String site, int connection, boolean faulty) {

  public String telemetryTopic() {
    return "fleet/" + site + "/" + deviceId + "/telemetry";
  }
}
