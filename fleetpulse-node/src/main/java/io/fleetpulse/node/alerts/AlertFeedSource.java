package io.fleetpulse.node.alerts;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * A live stream's view of an {@link AlertFeed}: what {@code GET /api/alerts/stream} sends. Emits
 * the feed's entries after a position, at most {@code batch} per element, or one {@code reload}
 * element when the position cannot be resumed (then goes on from the head). It reads when
 * downstream asks and something may be new: at the start, right after a full batch, and when an
 * append wakes it; with nothing new it waits for the next append, so a change is pushed as it
 * arrives and an idle stream costs nothing (no timer). Wake-ups are conflated: however many
 * appends happen while one is pending, a stream holds one, and the read that follows takes all
 * that is new. The feed's appender (an actor) only sets a flag and signals the stream; the
 * stream reads on its own thread.
 */
public final class AlertFeedSource {

  /** What a stream needs of the feed: {@link AlertFeed} is it; tests count its reads. */
  interface Feed {
    AlertFeed.Since since(String position, int max);

    AlertFeed.Subscription subscribe(Runnable listener);
  }

  private AlertFeedSource() {}

  /** Follows {@code feed} from {@code position} (a position it gave, or anything to get {@code reload}). */
  public static Source<AlertFeed.Since, NotUsed> follow(AlertFeed feed, String position, int batch) {
    return follow((Feed) feed, position, batch);
  }

  static Source<AlertFeed.Since, NotUsed> follow(Feed feed, String position, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("a stream reads at least one change at a time");
    }
    return Source.fromGraph(new Follow(feed, position, batch));
  }

  private static final class Follow extends GraphStage<SourceShape<AlertFeed.Since>> {

    private final Outlet<AlertFeed.Since> out = Outlet.create("AlertFeedSource.out");
    private final SourceShape<AlertFeed.Since> shape = SourceShape.of(out);
    private final Feed feed;
    private final String start;
    private final int batch;

    Follow(Feed feed, String start, int batch) {
      this.feed = feed;
      this.start = start;
      this.batch = batch;
    }

    @Override
    public SourceShape<AlertFeed.Since> shape() {
      return shape;
    }

    @Override
    public Attributes initialAttributes() {
      return Attributes.name("alertFeed");
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new GraphStageLogic(shape) {
        private final AtomicBoolean wakePending = new AtomicBoolean();
        private String position = start;
        private AlertFeed.Subscription subscription;

        {
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              read();
            }
          });
        }

        @Override
        public void preStart() {
          AsyncCallback<Done> wake = createAsyncCallback(done -> {
            wakePending.set(false);
            if (isAvailable(out)) {
              read();
            }
          });
          // Runs on the appender's thread: one compare-and-set, and at most one pending signal.
          subscription = feed.subscribe(() -> {
            if (wakePending.compareAndSet(false, true)) {
              wake.invoke(Done.getInstance());
            }
          });
          // An append between the caller taking its position and this subscription woke nobody:
          // the first pull reads it (onPull always reads), so nothing falls in between.
        }

        private void read() {
          AlertFeed.Since since = feed.since(position, batch);
          position = since.position();
          if (since.reload() || !since.entries().isEmpty()) {
            push(out, since);
          }
          // Else nothing is new: the next append's wake-up reads again.
        }

        @Override
        public void postStop() {
          if (subscription != null) {
            subscription.cancel();
          }
        }
      };
    }
  }
}
