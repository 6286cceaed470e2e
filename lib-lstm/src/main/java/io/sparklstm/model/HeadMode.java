package io.sparklstm.model;

/** Where the linear head reads the LSTM. */
public enum HeadMode {
  /** On the top layer's final state h_n, directions concatenated [forward | backward]: (B, D*H_out). */
  LAST("last"),
  /** On every valid step of {@code output}: (T, B, D*H_out). */
  EVERY_STEP("every-step");

  private final String configName;

  HeadMode(String configName) {
    this.configName = configName;
  }

  /** The name used in configs and model metadata: {@code last} or {@code every-step}. */
  public String configName() {
    return configName;
  }

  /** Parses {@code last} or {@code every-step}. */
  public static HeadMode parse(String name) {
    for (HeadMode m : values()) {
      if (m.configName.equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("head mode must be \"last\" or \"every-step\", got \"" + name + "\"");
  }
}
