package io.fleetpulse.serving.registry;

/** A model version could not be loaded; the message says which and why. */
public final class ModelLoadException extends Exception {
  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }

  public ModelLoadException(String message) {
    super(message);
  }
}
