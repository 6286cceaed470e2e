package io.sparklstm.io;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code spark-lstm.config} metadata string:
 * {@code {"lstm": {nn.LSTM kwargs in snake_case}, "head": {"out_features": n, "mode": "last"} | null}}.
 *
 * <p>Written with every key in a fixed order. Read strictly: unknown keys inside {@code lstm} and
 * {@code head} are errors (they would change the architecture); omitted nn.LSTM kwargs take
 * PyTorch's defaults; other top-level keys are ignored (room for later additions).
 */
final class ConfigJson {
  static final String KEY = "spark-lstm.config";

  /** 4 * hidden_size must fit an int (the rows of weight_ih). */
  static final int MAX_HIDDEN_SIZE = Integer.MAX_VALUE / 4;

  private static final Set<String> LSTM_KEYS = Set.of("input_size", "hidden_size", "num_layers", "bias",
      "batch_first", "dropout", "bidirectional", "proj_size");
  private static final Set<String> HEAD_KEYS = Set.of("out_features", "mode");

  private ConfigJson() {}

  static String write(ModelConfig config) {
    LstmConfig c = config.lstm();
    Map<String, Object> lstm = new LinkedHashMap<>();
    lstm.put("input_size", c.inputSize());
    lstm.put("hidden_size", c.hiddenSize());
    lstm.put("num_layers", c.numLayers());
    lstm.put("bias", c.bias());
    lstm.put("batch_first", c.batchFirst());
    lstm.put("dropout", c.dropout());
    lstm.put("bidirectional", c.bidirectional());
    lstm.put("proj_size", c.projSize());
    Map<String, Object> head = null;
    if (config.hasHead()) {
      head = new LinkedHashMap<>();
      head.put("out_features", config.head().outputSize());
      head.put("mode", config.head().mode().configName());
    }
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("lstm", lstm);
    top.put("head", head);
    return Json.write(top);
  }

  /**
   * Parses and validates the config; {@code defaultMode} is the head's mode when {@code head} has
   * none. {@code where} starts every message (file and metadata key).
   */
  static ModelConfig read(String text, HeadMode defaultMode, String where) throws ModelFileException {
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(where + " is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> top)) {
      throw new ModelFileException(where + " must be a JSON object with \"lstm\" and \"head\"");
    }
    if (!(top.get("lstm") instanceof Map<?, ?> lstm)) {
      throw new ModelFileException(where + ": \"lstm\" must be an object of nn.LSTM arguments, is "
          + (top.containsKey("lstm") ? Json.write(shallow(top.get("lstm"))) : "missing"));
    }
    Section l = new Section(lstm, "lstm", where);
    l.checkKeys(LSTM_KEYS);
    int hidden = l.integer("hidden_size", null);
    if (hidden > MAX_HIDDEN_SIZE) {
      throw new ModelFileException(where + ": lstm.hidden_size " + hidden + " is too large (at most "
          + MAX_HIDDEN_SIZE + ")");
    }
    LstmConfig lstmConfig;
    try {
      lstmConfig = new LstmConfig(l.integer("input_size", null), hidden, l.integer("num_layers", 1),
          l.bool("bias", true), l.bool("batch_first", false), l.number("dropout", 0.0),
          l.bool("bidirectional", false), l.integer("proj_size", 0));
    } catch (IllegalArgumentException e) { // LstmConfig's range checks, worded as PyTorch's
      throw new ModelFileException(where + ": lstm: " + e.getMessage());
    }
    Object headValue = top.get("head");
    if (headValue == null) {
      return new ModelConfig(lstmConfig, null);
    }
    if (!(headValue instanceof Map<?, ?> head)) {
      throw new ModelFileException(where + ": \"head\" must be an object or null, is " + Json.write(shallow(headValue)));
    }
    Section h = new Section(head, "head", where);
    h.checkKeys(HEAD_KEYS);
    int out = h.integer("out_features", null);
    if (out <= 0) {
      throw new ModelFileException(where + ": head.out_features must be > 0, got " + out);
    }
    HeadMode mode = defaultMode;
    if (head.containsKey("mode")) {
      Object m = head.get("mode");
      if (!(m instanceof String s) || !(s.equals("last") || s.equals("every-step"))) {
        throw new ModelFileException(where + ": head.mode must be \"last\" or \"every-step\", got "
            + Json.write(shallow(m)));
      }
      mode = HeadMode.parse(s);
    }
    return new ModelConfig(lstmConfig, new HeadConfig(out, mode));
  }

  /** One object of the config ("lstm" or "head"): typed getters whose messages name the key. */
  private record Section(Map<?, ?> map, String name, String where) {
    void checkKeys(Set<String> known) throws ModelFileException {
      for (Object key : map.keySet()) {
        if (!known.contains(key)) {
          throw new ModelFileException(where + ": " + name + " has an unknown key \"" + shallow(key) + "\" (known: "
              + known.stream().sorted().toList() + ")");
        }
      }
    }

    /** A JSON integer in int range; {@code fallback} when absent (null: required). */
    int integer(String key, Integer fallback) throws ModelFileException {
      if (!map.containsKey(key)) {
        if (fallback == null) {
          throw new ModelFileException(where + ": " + name + "." + key + " is missing");
        }
        return fallback;
      }
      Object v = map.get(key);
      if (!(v instanceof Long l)) {
        throw new ModelFileException(where + ": " + name + "." + key + " must be an integer, got " + Json.write(shallow(v)));
      }
      if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
        throw new ModelFileException(where + ": " + name + "." + key + " " + l + " is out of range");
      }
      return (int) (long) l;
    }

    boolean bool(String key, boolean fallback) throws ModelFileException {
      if (!map.containsKey(key)) {
        return fallback;
      }
      if (!(map.get(key) instanceof Boolean b)) {
        throw new ModelFileException(where + ": " + name + "." + key + " must be true or false, got "
            + Json.write(shallow(map.get(key))));
      }
      return b;
    }

    double number(String key, double fallback) throws ModelFileException {
      if (!map.containsKey(key)) {
        return fallback;
      }
      if (!(map.get(key) instanceof Number n)) {
        throw new ModelFileException(where + ": " + name + "." + key + " must be a number, got "
            + Json.write(shallow(map.get(key))));
      }
      return n.doubleValue();
    }
  }

  /** Objects and lists shown as {...} / [...] in messages, so a message stays one short line. */
  private static Object shallow(Object v) {
    if (v instanceof Map) {
      return "{...}";
    }
    if (v instanceof List) {
      return "[...]";
    }
    if (v instanceof String s && s.length() > 40) {
      return s.substring(0, 40) + "...";
    }
    return v;
  }
}
