package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import org.apache.pekko.actor.typed.ActorRef;

/** A request waiting in the pool; times are {@link System#nanoTime()} readings. */
record PendingRequest(
    String model, Lane lane, float[] values, long enqueuedNanos, long deadlineNanos, ActorRef<InferenceReply> replyTo) {}
