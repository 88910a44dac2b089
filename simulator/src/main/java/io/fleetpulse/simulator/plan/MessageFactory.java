package io.fleetpulse.simulator.plan;

import io.fleetpulse.simulator.payload.MalformedKind;
import io.fleetpulse.simulator.payload.MalformedPayloads;
import io.fleetpulse.simulator.payload.PayloadEncoder;
import io.fleetpulse.simulator.payload.PayloadFormat;
import io.fleetpulse.simulator.payload.Reading;
import io.fleetpulse.simulator.signal.DeviceTraits;
import io.fleetpulse.simulator.signal.FaultSchedule;
import io.fleetpulse.simulator.signal.SignalModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns plan slots into {@link OutgoingMessage}s: keeps each device's sequence number, signal
 * model, payload-format rotation, last valid payload (for duplicates) and held-back reading (for
 * late messages). Malformed messages cycle through {@link MalformedKind} in slot order. Given the
 * same seed, slots and clock readings it produces the same bytes. Not thread-safe: the publishing
 * loop owns it.
 */
public final class MessageFactory {

  /** Everything the factory needs besides the fleet and the plan. */
  public record Options(
      long seed,
      double compactShare,
      Duration lateAge,
      FaultSchedule faults,
      long simulationStartMillis,
      int oversizePayloadBytes,
      Duration skewedTimestampAge) {}

  private final MessagePlan plan;
  private final List<DeviceState> states;
  private final double compactShare;
  private final long lateAgeMillis;
  private final PayloadEncoder encoder = new PayloadEncoder();
  private final MalformedPayloads malformedPayloads;
  private long malformedOrdinal;

  public MessageFactory(List<SimulatedDevice> fleet, MessagePlan plan, Options options) {
    if (!(options.compactShare() >= 0 && options.compactShare() <= 1)) {
      throw new IllegalArgumentException("compact share must lie in [0, 1]");
    }
    this.plan = plan;
    this.compactShare = options.compactShare();
    this.lateAgeMillis = options.lateAge().toMillis();
    this.malformedPayloads =
        new MalformedPayloads(encoder, options.oversizePayloadBytes(), options.skewedTimestampAge());
    this.states = new ArrayList<>(fleet.size());
    for (SimulatedDevice device : fleet) {
      DeviceTraits traits = new DeviceTraits(
          options.seed(), device.index(), device.faulty(), options.simulationStartMillis(), options.faults());
      states.add(new DeviceState(device, SignalModel.create(device.profile(), traits)));
    }
  }

  /** The message for {@code slot}, timestamped {@code wallMillis}, with signals at {@code simulatedMillis}. */
  public OutgoingMessage create(long slot, long wallMillis, long simulatedMillis) {
    DeviceState state = states.get(plan.deviceOf(slot));
    SimulatedDevice device = state.device;
    MessageKind kind = plan.kindOf(slot);
    switch (kind) {
      case VALID -> {
        Reading reading = state.read(++state.lastSeq, wallMillis, simulatedMillis);
        state.lastValidPayload = encoder.encode(reading, state.nextFormat(compactShare));
        return message(device, state.lastValidPayload, kind, reading.seq(), Optional.empty());
      }
      case LATE_LEAD -> {
        Reading held = state.read(++state.lastSeq, wallMillis - lateAgeMillis, simulatedMillis);
        state.heldLatePayload = encoder.encode(held, state.nextFormat(compactShare));
        state.heldLateSeq = held.seq();
        Reading ahead = state.read(++state.lastSeq, wallMillis, simulatedMillis);
        state.lastValidPayload = encoder.encode(ahead, state.nextFormat(compactShare));
        return message(device, state.lastValidPayload, kind, ahead.seq(), Optional.empty());
      }
      case LATE -> {
        if (state.heldLatePayload == null) {
          throw new IllegalStateException("plan error: late slot " + slot + " without a held reading");
        }
        byte[] payload = state.heldLatePayload;
        state.heldLatePayload = null;
        return message(device, payload, kind, state.heldLateSeq, Optional.empty());
      }
      case DUPLICATE -> {
        if (state.lastValidPayload == null) {
          throw new IllegalStateException("plan error: duplicate slot " + slot + " before any valid message");
        }
        return message(device, state.lastValidPayload, kind, state.lastSeq, Optional.empty());
      }
      case MALFORMED -> {
        MalformedKind malformed = MalformedKind.cycle(malformedOrdinal++);
        Reading reading = state.read(state.lastSeq + 1, wallMillis, simulatedMillis);
        byte[] payload = malformedPayloads.build(malformed, reading, state.nextFormat(compactShare));
        return message(device, payload, kind, reading.seq(), Optional.of(malformed));
      }
      default -> throw new IllegalStateException("unknown message kind " + kind);
    }
  }

  private static OutgoingMessage message(
      SimulatedDevice device, byte[] payload, MessageKind kind, long seq, Optional<MalformedKind> malformed) {
    return new OutgoingMessage(device, device.telemetryTopic(), payload, kind, seq, malformed);
  }

  private static final class DeviceState {
    private final SimulatedDevice device;
    private final SignalModel signal;
    private long lastSeq;
    private long formatCounter;
    private byte[] lastValidPayload;
    private byte[] heldLatePayload;
    private long heldLateSeq;

    DeviceState(SimulatedDevice device, SignalModel signal) {
      this.device = device;
      this.signal = signal;
    }

    Reading read(long seq, long timestampMillis, long simulatedMillis) {
      return Reading.of(device.deviceId(), device.profile(), seq, timestampMillis, signal.sample(simulatedMillis));
    }

    /** Exactly {@code compactShare} of each device's payloads are compact, evenly interleaved. */
    PayloadFormat nextFormat(double compactShare) {
      long counter = formatCounter++;
      boolean compact = Math.floor((counter + 1) * compactShare) > Math.floor(counter * compactShare);
      return compact ? PayloadFormat.COMPACT : PayloadFormat.SENML;
    }
  }
}
