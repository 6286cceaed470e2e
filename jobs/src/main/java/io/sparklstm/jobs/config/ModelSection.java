package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code model.*}: the architecture (nn.LSTM arguments and the linear head), the loss, and an
 * optional model file to start from. Sizes without a default are optional here; {@link #lstmConfig()}
 * and {@link #headConfig()} require them.
 */
public final class ModelSection {
  /** {@code model.loss}. */
  public enum Loss {
    MSE("mse"), CROSS_ENTROPY("cross-entropy");

    private final String configName;

    Loss(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    static Loss parse(String name) {
      for (Loss l : values()) {
        if (l.configName.equals(name)) {
          return l;
        }
      }
      throw new IllegalArgumentException(name);
    }
  }

  private final String init;
  private final Integer inputSize;
  private final Integer hiddenSize;
  private final int numLayers;
  private final boolean bias;
  private final boolean batchFirst;
  private final double dropout;
  private final boolean bidirectional;
  private final int projSize;
  private final Integer outputSize;
  private final HeadMode headMode;
  private final Loss loss;

  ModelSection(ConfigReader r) {
    this.init = TableSource.emptyToNull(r.optString("model.init"));
    this.inputSize = r.optIntAtLeast("model.lstm.input-size", 1);
    this.hiddenSize = r.optIntAtLeast("model.lstm.hidden-size", 1);
    this.numLayers = r.intAtLeast("model.lstm.num-layers", 1);
    this.bias = r.bool("model.lstm.bias");
    this.batchFirst = r.bool("model.lstm.batch-first");
    this.dropout = r.numberIn("model.lstm.dropout", 0, 1, false);
    this.bidirectional = r.bool("model.lstm.bidirectional");
    this.projSize = r.intAtLeast("model.lstm.proj-size", 0);
    if (hiddenSize != null && projSize >= hiddenSize) {
      throw new UserError("model.lstm.proj-size must be smaller than model.lstm.hidden-size, got proj-size="
          + projSize + " hidden-size=" + hiddenSize);
    }
    this.outputSize = r.optIntAtLeast("model.head.output-size", 0);
    this.headMode = HeadMode.parse(r.oneOf("model.head.mode", "last", "every-step"));
    this.loss = Loss.parse(r.oneOf("model.loss", "mse", "cross-entropy"));
  }

  /** {@code model.init}: a .safetensors to start from; empty = fresh initialisation. */
  public Optional<String> init() {
    return Optional.ofNullable(init);
  }

  /** {@code model.lstm.input-size} if set. */
  public OptionalInt inputSize() {
    return inputSize == null ? OptionalInt.empty() : OptionalInt.of(inputSize);
  }

  /** {@code model.lstm.hidden-size} if set. */
  public OptionalInt hiddenSize() {
    return hiddenSize == null ? OptionalInt.empty() : OptionalInt.of(hiddenSize);
  }

  public int numLayers() {
    return numLayers;
  }

  public boolean bias() {
    return bias;
  }

  public boolean batchFirst() {
    return batchFirst;
  }

  public double dropout() {
    return dropout;
  }

  public boolean bidirectional() {
    return bidirectional;
  }

  public int projSize() {
    return projSize;
  }

  /** {@code model.head.output-size} if set; 0 = no head. */
  public OptionalInt outputSize() {
    return outputSize == null ? OptionalInt.empty() : OptionalInt.of(outputSize);
  }

  public HeadMode headMode() {
    return headMode;
  }

  public Loss loss() {
    return loss;
  }

  /** The nn.LSTM arguments; input-size and hidden-size are required. */
  public LstmConfig lstmConfig() {
    if (inputSize == null) {
      throw UserError.missing("model.lstm.input-size");
    }
    if (hiddenSize == null) {
      throw UserError.missing("model.lstm.hidden-size");
    }
    try {
      return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize);
    } catch (IllegalArgumentException e) {
      throw new UserError("model.lstm: " + e.getMessage(), e);
    }
  }

  /** The head, or null when output-size is 0; output-size is required. */
  public HeadConfig headConfig() {
    if (outputSize == null) {
      throw UserError.missing("model.head.output-size");
    }
    if (outputSize == 0) {
      return null;
    }
    try {
      return new HeadConfig(outputSize, headMode);
    } catch (IllegalArgumentException e) {
      throw new UserError("model.head: " + e.getMessage(), e);
    }
  }
}
