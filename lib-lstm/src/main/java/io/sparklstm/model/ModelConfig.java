package io.sparklstm.model;

import io.sparklstm.lstm.LstmConfig;

/**
 * The architecture of a SequenceModel: an {@code nn.LSTM} and an optional linear head.
 *
 * @param lstm the LSTM's constructor arguments
 * @param head the head, or null for a bare LSTM
 */
public record ModelConfig(LstmConfig lstm, HeadConfig head) implements java.io.Serializable {
  public ModelConfig {
    if (lstm == null) {
      throw new IllegalArgumentException("model config needs an lstm");
    }
  }

  public boolean hasHead() {
    return head != null;
  }

  /** The head mode; {@code last} when there is no head (the loss then reads the top layer's h_n). */
  public HeadMode mode() {
    return head != null ? head.mode() : HeadMode.LAST;
  }

  /** Width of a prediction row: the head's out_features, or D*H_out without a head. */
  public int predictionSize() {
    return head != null ? head.outputSize() : lstm.outputSize();
  }
}
