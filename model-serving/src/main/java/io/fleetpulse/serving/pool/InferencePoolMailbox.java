package io.fleetpulse.serving.pool;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.PriorityGenerator;
import org.apache.pekko.dispatch.UnboundedStablePriorityMailbox;

/**
 * The pool's mailbox: completions and timers first, then URLLC requests and admin commands, then
 * eMBB, then mMTC; first-in first-out within a priority. With a plain FIFO mailbox a flood of
 * mMTC requests would queue the completion of an urgent batch (and the urgent request itself)
 * behind thousands of messages and blow the URLLC deadline before the pool even saw it.
 * Configured as {@code fleetpulse.serving.pool-mailbox}.
 */
public final class InferencePoolMailbox extends UnboundedStablePriorityMailbox {

  public InferencePoolMailbox(ActorSystem.Settings settings, Config config) {
    super(new PriorityGenerator() {
      @Override
      public int gen(Object message) {
        if (message instanceof InferencePool.Infer infer) {
          return switch (infer.lane()) {
            case URLLC -> 1;
            case EMBB -> 2;
            case MMTC -> 3;
          };
        }
        if (message instanceof InferencePool.Command command && InferencePool.isInternal(command)) {
          return 0;
        }
        return 1;
      }
    });
  }
}
