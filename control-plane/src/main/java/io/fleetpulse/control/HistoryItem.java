package io.fleetpulse.control;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * One event of a control-plane entity's history, as the API shows it: the journal's sequence
 * number, when, by whom, what ({@code event}, a stable name) and its details. The history is the
 * control plane's audit trail.
 */
public record HistoryItem(long sequence, long atMillis, String by, String event, Map<String, Object> details) {

  /** Every event of one entity, oldest first, each made an item by {@code item}. */
  public static CompletionStage<List<HistoryItem>> read(CurrentEventsByPersistenceIdQuery journal,
      PersistenceId entity, Function<EventEnvelope, HistoryItem> item, ActorSystem<?> system) {
    return journal.currentEventsByPersistenceId(entity.id(), 0, Long.MAX_VALUE).map(item::apply)
        .runWith(Sink.seq(), system);
  }
}
