package io.sparklstm.model;

/**
 * The linear head {@code nn.Linear(D*H_out, outputSize)} on top of the LSTM.
 *
 * @param outputSize out_features, &gt; 0
 * @param mode       where it reads the LSTM
 */
public record HeadConfig(int outputSize, HeadMode mode) implements java.io.Serializable {
  public HeadConfig {
    if (outputSize <= 0) {
      throw new IllegalArgumentException("head output size must be > 0, got " + outputSize);
    }
    if (mode == null) {
      throw new IllegalArgumentException("head mode must be given");
    }
  }
}
