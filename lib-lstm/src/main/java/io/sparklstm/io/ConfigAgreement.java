package io.sparklstm.io;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model settings of a training config ({@code model.lstm.*}, {@code model.head.*}) against the
 * architecture in a model file: what a user gave must agree with the file, key by key.
 */
final class ConfigAgreement {
  static final String INPUT_SIZE = "model.lstm.input-size";
  static final String HIDDEN_SIZE = "model.lstm.hidden-size";
  static final String NUM_LAYERS = "model.lstm.num-layers";
  static final String BIAS = "model.lstm.bias";
  static final String BATCH_FIRST = "model.lstm.batch-first";
  static final String DROPOUT = "model.lstm.dropout";
  static final String BIDIRECTIONAL = "model.lstm.bidirectional";
  static final String PROJ_SIZE = "model.lstm.proj-size";
  static final String OUTPUT_SIZE = "model.head.output-size";
  static final String MODE = "model.head.mode";
  static final List<String> KEYS = List.of(INPUT_SIZE, HIDDEN_SIZE, NUM_LAYERS, BIAS, BATCH_FIRST, DROPOUT,
      BIDIRECTIONAL, PROJ_SIZE, OUTPUT_SIZE, MODE);

  private ConfigAgreement() {}

  /** Every setting of {@code config} under its config key (no mode without a head; output-size 0). */
  static Map<String, Object> settings(ModelConfig config) {
    LstmConfig c = config.lstm();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(INPUT_SIZE, c.inputSize());
    m.put(HIDDEN_SIZE, c.hiddenSize());
    m.put(NUM_LAYERS, c.numLayers());
    m.put(BIAS, c.bias());
    m.put(BATCH_FIRST, c.batchFirst());
    m.put(DROPOUT, c.dropout());
    m.put(BIDIRECTIONAL, c.bidirectional());
    m.put(PROJ_SIZE, c.projSize());
    m.put(OUTPUT_SIZE, config.hasHead() ? config.head().outputSize() : 0);
    if (config.hasHead()) {
      m.put(MODE, config.head().mode().configName());
    }
    return m;
  }

  /**
   * Checks the caller's settings for unknown keys and wrong types (a programming or config error,
   * so IllegalArgumentException, not a file error).
   */
  static void checkGiven(Map<String, Object> given) {
    for (Map.Entry<String, Object> e : given.entrySet()) {
      String key = e.getKey();
      Object v = e.getValue();
      boolean ok = switch (key) {
        case INPUT_SIZE, HIDDEN_SIZE, NUM_LAYERS, PROJ_SIZE, OUTPUT_SIZE -> isInteger(v);
        case BIAS, BATCH_FIRST, BIDIRECTIONAL -> v instanceof Boolean;
        case DROPOUT -> v instanceof Number;
        case MODE -> v instanceof String s && (s.equals("last") || s.equals("every-step"));
        default -> throw new IllegalArgumentException("unknown model setting \"" + key + "\"; known: " + KEYS);
      };
      if (!ok) {
        throw new IllegalArgumentException("model setting " + key + " has a value of the wrong type: " + v);
      }
    }
  }

  private static boolean isInteger(Object v) {
    return (v instanceof Integer || v instanceof Long) || (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()));
  }

  /** One line per setting in {@code given} that differs from {@code file}. */
  static List<String> disagreements(Map<String, Object> given, ModelConfig file, String source) {
    Map<String, Object> actual = settings(file);
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : given.entrySet()) {
      if (!actual.containsKey(e.getKey())) {
        continue; // model.head.mode when the file has no head: nothing to agree with
      }
      Object want = e.getValue();
      Object have = actual.get(e.getKey());
      boolean same = want instanceof Number w ? w.doubleValue() == ((Number) have).doubleValue() : want.equals(have);
      if (!same) {
        out.add(e.getKey() + " is " + show(want) + " in the config but " + show(have) + " in " + source);
      }
    }
    return out;
  }

  private static String show(Object v) {
    if (v instanceof Number n && !(v instanceof Double || v instanceof Float)) {
      return Long.toString(n.longValue());
    }
    return String.valueOf(v);
  }
}
