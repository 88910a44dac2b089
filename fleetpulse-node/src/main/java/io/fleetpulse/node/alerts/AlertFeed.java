package io.fleetpulse.node.alerts;

import io.fleetpulse.api.alert.AlertChange;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert changes this node has seen lately, from every node of the cluster, numbered in the
 * order they arrived here: what live streams send and what a reconnecting stream resumes from. A
 * position is {@code <incarnation>.<number>}; the incarnation changes when the node restarts, so a
 * client resuming from another node's (or an earlier life's) position is told to reload instead of
 * silently missing changes, as is one whose position has left the buffer. Keeps the newest
 * {@code capacity} changes. Thread-safe. Live streams follow it through {@link AlertFeedSource}:
 * each {@link #subscribe subscribes} a listener that an append wakes, instead of polling.
 */
public final class AlertFeed implements AlertFeedSource.Feed {

  private static final Logger LOG = LoggerFactory.getLogger(AlertFeed.class);

  /** A change, its position in this feed, and its JSON (rendered once for every stream). */
  public record Entry(long number, AlertChange change, String json) {}

  /**
   * What follows a position: the entries after it, or {@code reload} when the position is from
   * another incarnation or older than the buffer (the client must reload its lists); {@code
   * position} is where to read next: after the last entry, the head on reload, else unchanged.
   */
  public record Since(List<Entry> entries, boolean reload, String position) {}

  /** Ends a {@link #subscribe subscription}. */
  @FunctionalInterface
  public interface Subscription {
    void cancel();
  }

  private final String incarnation = UUID.randomUUID().toString().substring(0, 8);
  private final int capacity;
  private final com.fasterxml.jackson.databind.ObjectMapper mapper;
  private final ArrayDeque<Entry> entries;
  private long next = 1;
  private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();

  public AlertFeed(int capacity, com.fasterxml.jackson.databind.ObjectMapper mapper) {
    if (capacity < 1) {
      throw new IllegalArgumentException("the alert feed needs room for at least one change");
    }
    this.capacity = capacity;
    this.mapper = mapper;
    this.entries = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  public Entry append(AlertChange change) {
    String json;
    try {
      json = mapper.writeValueAsString(change);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render alert " + change.alert().alertId(), e);
    }
    Entry entry = store(change, json);
    // Outside the lock: a listener only signals its stream, which then reads with since().
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        // The appender is the node's feed actor: one listener's fault must not stop it.
        LOG.warn("an alert feed listener failed", e);
      }
    }
    return entry;
  }

  private synchronized Entry store(AlertChange change, String json) {
    Entry entry = new Entry(next++, change, json);
    entries.addLast(entry);
    if (entries.size() > capacity) {
      entries.removeFirst();
    }
    return entry;
  }

  /**
   * Runs {@code listener} after every append, on the appending thread (the node's feed actor), until
   * the subscription is cancelled: it must return at once and never block (signal, then read with
   * {@link #since} elsewhere). An append racing the subscription may or may not call it, so a new
   * subscriber reads once after subscribing.
   */
  @Override
  public Subscription subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** How many listeners are subscribed (streams not yet ended). */
  int subscribers() {
    return listeners.size();
  }

  /** The position of {@code entry} as clients see it. */
  public String position(Entry entry) {
    return incarnation + "." + entry.number();
  }

  /** The current end of the feed: a new client starts here. */
  public synchronized String head() {
    return incarnation + "." + (next - 1);
  }

  /** The entries after {@code position}, at most {@code max}. */
  @Override
  public synchronized Since since(String position, int max) {
    Optional<Long> after = number(position);
    if (after.isEmpty() || after.get() > next - 1) {
      return new Since(List.of(), true, head());
    }
    long oldest = entries.isEmpty() ? next : entries.peekFirst().number();
    if (after.get() < oldest - 1) {
      return new Since(List.of(), true, head());
    }
    List<Entry> out = new ArrayList<>();
    for (Entry entry : entries) {
      if (entry.number() > after.get()) {
        out.add(entry);
        if (out.size() == max) {
          break;
        }
      }
    }
    return new Since(out, false, out.isEmpty() ? position : position(out.get(out.size() - 1)));
  }

  private Optional<Long> number(String position) {
    int dot = position == null ? -1 : position.lastIndexOf('.');
    if (dot < 0 || !position.substring(0, dot).equals(incarnation)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(position.substring(dot + 1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
