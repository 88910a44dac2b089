package io.fleetpulse.api.profile;

import java.util.List;

/**
 * A model a profile runs on its devices: the registry name, the profile metrics it reads in the
 * model's feature order, how many recent messages make its window, and how often it runs (every
 * {@code every} accepted messages once the window is full).
 *
 * <p>{@code minWindow} (at most {@code window}; equal to it unless the model was trained for
 * less): a device that has sent at least {@code minWindow} but fewer than {@code window} messages
 * is predicted too, its window filled at the front with the mean of its first {@code fillRows}
 * messages (1 to {@code minWindow}; 1: its first message repeated), exactly as the model was
 * trained (its metadata's {@code fill-rows}). A model trained on long windows thus still answers
 * from a device's early life, as it was taught to; the mean of several first messages is the
 * device's state before the window without one message's noise.
 * The first message is the one numbered {@link #FIRST_SEQUENCE} (a turbofan numbers its messages
 * by cycle): only a window that reaches back to it is filled, so a device whose actor restarted
 * mid-life, with only its recent messages to recover, waits for a whole window instead of being
 * given an invented history.
 *
 * <p>{@code failureHorizon} (0: none) is for remaining-useful-life models, whose first output is
 * the life left in messages (cycles): each prediction then also carries the probability that the
 * device fails within that many cycles, from the model version's {@code residual-sd} threshold
 * (the standard deviation of its errors on held-out engines), appended to its outputs.
 */
public record ModelBinding(
    String model, List<String> features, int window, int minWindow, int every, int failureHorizon, int fillRows) {

  /** The sequence number of a device's first message, from which short windows are filled. */
  public static final long FIRST_SEQUENCE = 1;

  public ModelBinding {
    features = List.copyOf(features);
    if (features.isEmpty() || window < 1 || every < 1) {
      throw new IllegalArgumentException("model '" + model + "' needs features, a window >= 1 and every >= 1");
    }
    if (minWindow < 1 || minWindow > window) {
      throw new IllegalArgumentException(
          "model '" + model + "': min-window must be between 1 and the window (" + window + "), not " + minWindow);
    }
    if (failureHorizon < 0) {
      throw new IllegalArgumentException("model '" + model + "': failure-horizon must not be negative");
    }
    if (fillRows < 1 || fillRows > minWindow) {
      throw new IllegalArgumentException(
          "model '" + model + "': fill-rows must be between 1 and the min-window (" + minWindow + "), not " + fillRows);
    }
  }

  /** A binding whose short windows are filled with the first message repeated ({@code fillRows == 1}). */
  public ModelBinding(String model, List<String> features, int window, int minWindow, int every, int failureHorizon) {
    this(model, features, window, minWindow, every, failureHorizon, 1);
  }

  /** A binding whose windows are always whole ({@code minWindow == window}). */
  public ModelBinding(String model, List<String> features, int window, int every, int failureHorizon) {
    this(model, features, window, window, every, failureHorizon, 1);
  }

  public ModelBinding(String model, List<String> features, int window, int every) {
    this(model, features, window, window, every, 0, 1);
  }
}
