package io.fleetpulse.serving.registry;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version with its ONNX Runtime session, shared by every batch that runs it (sessions
 * are thread-safe). Tensors and results are closed after each run, so native memory does not grow
 * with the number of batches. The session is closed once the version is retired and the last run
 * using it has finished.
 */
public final class LoadedModel {

  private final ModelMetadata metadata;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final AtomicInteger users = new AtomicInteger(1); // the registry's own reference
  private volatile boolean closed;

  LoadedModel(ModelMetadata metadata, OrtEnvironment environment, OrtSession session) {
    this.metadata = metadata;
    this.environment = environment;
    this.session = session;
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  /** Checks the graph against the metadata; empty when they agree, else what disagrees. */
  Optional<String> disagreement() throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    NodeInfo input = inputs.get(metadata.input().name());
    if (input == null) {
      return Optional.of("the graph has no input '" + metadata.input().name() + "' (it has " + inputs.keySet() + ")");
    }
    if (!(input.getInfo() instanceof TensorInfo tensor) || tensor.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
      return Optional.of("input '" + metadata.input().name() + "' is not a float tensor");
    }
    long[] shape = tensor.getShape();
    if (shape.length != 3
        || !fits(shape[1], metadata.input().window())
        || !fits(shape[2], metadata.input().features().size())) {
      return Optional.of("input shape " + java.util.Arrays.toString(shape) + " does not fit [batch, "
          + metadata.input().window() + ", " + metadata.input().features().size() + "]");
    }
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    for (ModelMetadata.Output output : metadata.outputs()) {
      NodeInfo info = outputs.get(output.name());
      if (info == null) {
        return Optional.of("the graph has no output '" + output.name() + "' (it has " + outputs.keySet() + ")");
      }
      if (!(info.getInfo() instanceof TensorInfo outputTensor) || outputTensor.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
        return Optional.of("output '" + output.name() + "' is not a float tensor");
      }
      long[] outputShape = outputTensor.getShape();
      if (outputShape.length < 1 || outputShape.length > 2
          || !fits(outputShape.length == 1 ? 1 : outputShape[1], output.size())) {
        return Optional.of("output '" + output.name() + "' has shape " + java.util.Arrays.toString(outputShape)
            + ", metadata says [batch, " + output.size() + "]");
      }
    }
    return Optional.empty();
  }

  private static boolean fits(long graphDimension, int declared) {
    return graphDimension < 0 || graphDimension == declared;
  }

  /** Takes a reference for a run; false when the version is already closed. */
  public boolean acquire() {
    while (true) {
      int current = users.get();
      if (current == 0) {
        return false;
      }
      if (users.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  public void release() {
    if (users.decrementAndGet() == 0) {
      closeSession();
    }
  }

  /**
   * Runs a batch. {@code values} holds {@code batchSize} samples of {@code window x features}
   * floats, row-major; the result has one row per sample with every output's values in metadata
   * order. Blocking: call it on the inference dispatcher.
   */
  public float[][] run(float[] values, int batchSize) throws OrtException {
    int perSample = metadata.input().valuesPerSample();
    if (values.length != perSample * batchSize) {
      throw new IllegalArgumentException("expected " + perSample * batchSize + " values, got " + values.length);
    }
    long[] shape = {batchSize, metadata.input().window(), metadata.input().features().size()};
    float[][] rows = new float[batchSize][metadata.outputWidth()];
    try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), shape);
        OrtSession.Result result = session.run(Map.of(metadata.input().name(), tensor))) {
      int offset = 0;
      for (ModelMetadata.Output output : metadata.outputs()) {
        OnnxTensor out = (OnnxTensor) result.get(output.name()).orElseThrow();
        FloatBuffer buffer = out.getFloatBuffer();
        for (int sample = 0; sample < batchSize; sample++) {
          for (int k = 0; k < output.size(); k++) {
            rows[sample][offset + k] = buffer.get(sample * output.size() + k);
          }
        }
        offset += output.size();
      }
    }
    return rows;
  }

  void retire() {
    release();
  }

  private void closeSession() {
    if (!closed) {
      closed = true;
      try {
        session.close();
      } catch (OrtException e) {
        throw new IllegalStateException("closing the session of " + metadata.name() + " " + metadata.version(), e);
      }
    }
  }
}
