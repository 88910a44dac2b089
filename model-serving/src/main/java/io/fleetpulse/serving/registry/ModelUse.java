package io.fleetpulse.serving.registry;

/** What a version is to be used for; the admission check is asked for the first two. */
public enum ModelUse {
  SERVE("served"),
  SHADOW("run in shadow"),
  LOAD("loaded");

  private final String sentence;

  ModelUse(String sentence) {
    this.sentence = sentence;
  }

  String sentence() {
    return sentence;
  }
}
