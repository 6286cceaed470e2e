package io.sparklstm.model;

/** The training loss, both with PyTorch's {@code reduction='mean'} over valid elements. */
public enum LossType {
  /** {@code nn.MSELoss()}: mean of squared errors over every valid output element. */
  MSE("mse"),
  /** {@code nn.CrossEntropyLoss()}: mean over valid rows (or steps) of -log softmax(logits)[class]. */
  CROSS_ENTROPY("cross-entropy");

  private final String configName;

  LossType(String configName) {
    this.configName = configName;
  }

  /** {@code mse} or {@code cross-entropy}. */
  public String configName() {
    return configName;
  }

  /** Parses {@code mse} or {@code cross-entropy}. */
  public static LossType parse(String name) {
    for (LossType t : values()) {
      if (t.configName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("loss must be \"mse\" or \"cross-entropy\", got \"" + name + "\"");
  }
}
