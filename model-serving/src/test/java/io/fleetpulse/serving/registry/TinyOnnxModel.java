package io.fleetpulse.serving.registry;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes tiny ONNX models byte by byte in protobuf's wire format, for graphs PyTorch's exporter
 * does not produce (scalar, integer or sequence outputs). Every model reads the scorer's input,
 * {@code window}: float {@code [batch, 4, 3]}. Field numbers are those of onnx.proto.
 */
final class TinyOnnxModel {

  static final int FLOAT = 1;
  static final int INT64 = 7;

  private final ByteArrayOutputStream graph = new ByteArrayOutputStream();

  TinyOnnxModel() {
    bytes(graph, 2, utf8("tiny"));
    bytes(graph, 11, tensorValue("window", FLOAT, "batch", 4L, 3L));
  }

  /** Adds a node; {@code attributes} from {@link #intAttribute} and {@link #intsAttribute}. */
  TinyOnnxModel node(String opType, String input, String output, byte[]... attributes) {
    ByteArrayOutputStream node = new ByteArrayOutputStream();
    bytes(node, 1, utf8(input));
    bytes(node, 2, utf8(output));
    bytes(node, 3, utf8(output + "-node"));
    bytes(node, 4, utf8(opType));
    for (byte[] attribute : attributes) {
      bytes(node, 5, attribute);
    }
    bytes(graph, 1, node.toByteArray());
    return this;
  }

  /** Declares a graph output {@code name}: a tensor of {@code elementType} with dims (Long sizes, String names). */
  TinyOnnxModel tensorOutput(String name, int elementType, Object... dims) {
    bytes(graph, 12, tensorValue(name, elementType, dims));
    return this;
  }

  /** Declares a graph output {@code name}: a sequence of float tensors. */
  TinyOnnxModel sequenceOutput(String name) {
    ByteArrayOutputStream tensorType = new ByteArrayOutputStream();
    varint(tensorType, 1, FLOAT);
    ByteArrayOutputStream element = new ByteArrayOutputStream();
    bytes(element, 1, tensorType.toByteArray());
    ByteArrayOutputStream sequence = new ByteArrayOutputStream();
    bytes(sequence, 1, element.toByteArray());
    ByteArrayOutputStream type = new ByteArrayOutputStream();
    bytes(type, 4, sequence.toByteArray());
    ByteArrayOutputStream value = new ByteArrayOutputStream();
    bytes(value, 1, utf8(name));
    bytes(value, 2, type.toByteArray());
    bytes(graph, 12, value.toByteArray());
    return this;
  }

  byte[] toBytes() {
    ByteArrayOutputStream opset = new ByteArrayOutputStream();
    bytes(opset, 1, utf8(""));
    varint(opset, 2, 11);
    ByteArrayOutputStream model = new ByteArrayOutputStream();
    varint(model, 1, 6); // IR version 6 goes with opset 11
    bytes(model, 2, utf8("fleetpulse-test"));
    bytes(model, 7, graph.toByteArray());
    bytes(model, 8, opset.toByteArray());
    return model.toByteArray();
  }

  static byte[] intAttribute(String name, long value) {
    ByteArrayOutputStream attribute = new ByteArrayOutputStream();
    bytes(attribute, 1, utf8(name));
    varint(attribute, 3, value);
    varint(attribute, 20, 2); // AttributeType INT
    return attribute.toByteArray();
  }

  static byte[] intsAttribute(String name, long... values) {
    ByteArrayOutputStream attribute = new ByteArrayOutputStream();
    bytes(attribute, 1, utf8(name));
    for (long value : values) {
      varint(attribute, 8, value);
    }
    varint(attribute, 20, 7); // AttributeType INTS
    return attribute.toByteArray();
  }

  private static byte[] tensorValue(String name, int elementType, Object... dims) {
    ByteArrayOutputStream shape = new ByteArrayOutputStream();
    for (Object dim : dims) {
      ByteArrayOutputStream dimension = new ByteArrayOutputStream();
      if (dim instanceof String parameter) {
        bytes(dimension, 2, utf8(parameter));
      } else {
        varint(dimension, 1, (Long) dim);
      }
      bytes(shape, 1, dimension.toByteArray());
    }
    ByteArrayOutputStream tensorType = new ByteArrayOutputStream();
    varint(tensorType, 1, elementType);
    bytes(tensorType, 2, shape.toByteArray()); // present even when empty: rank 0, not unknown
    ByteArrayOutputStream type = new ByteArrayOutputStream();
    bytes(type, 1, tensorType.toByteArray());
    ByteArrayOutputStream value = new ByteArrayOutputStream();
    bytes(value, 1, utf8(name));
    bytes(value, 2, type.toByteArray());
    return value.toByteArray();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void varint(ByteArrayOutputStream out, int field, long value) {
    rawVarint(out, (long) field << 3);
    rawVarint(out, value);
  }

  private static void bytes(ByteArrayOutputStream out, int field, byte[] value) {
    rawVarint(out, ((long) field << 3) | 2);
    rawVarint(out, value.length);
    out.writeBytes(value);
  }

  private static void rawVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
