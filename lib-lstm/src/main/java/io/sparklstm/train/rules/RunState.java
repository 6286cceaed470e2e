package io.sparklstm.train.rules;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The driver's rule state as a checkpoint stores it: float vectors (written as tensors) and exact
 * decimal strings (written in the checkpoint's metadata), under names unique within the run.
 */
public record RunState(Map<String, float[]> tensors, Map<String, String> values) {
  public static RunState empty() {
    return new RunState(new LinkedHashMap<>(), new LinkedHashMap<>());
  }

  /** A vector that must be present with {@code length} floats. */
  public float[] tensor(String name, int length) {
    float[] v = tensors.get(name);
    if (v == null || v.length != length) {
      throw new IllegalArgumentException("checkpoint: " + name + " is " + (v == null ? "missing" : v.length
          + " floats") + ", expected " + length + " floats");
    }
    return v;
  }

  /** A value that must be present. */
  public String value(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("checkpoint: value " + name + " is missing");
    }
    return v;
  }
}
