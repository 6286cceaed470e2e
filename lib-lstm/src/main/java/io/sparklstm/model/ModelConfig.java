package io.sparklstm.model;

import io.sparklstm.lstm.LstmConfig;

/**
 * The architecture of a SequenceModel: an {@code nn.LSTM} and an optional linear head.
 *
 * @param lstm the LSTM's constructor arguments
 * @param head the head, or null for a bare LSTM
 */
public record ModelConfig(LstmConfig lstm, HeadConfig head) {
  public ModelConfig {
    if (lstm == null) {
      throw new IllegalArgumentException("model config needs an lstm");
    }
  }

  public boolean hasHead() {
    return head != null;
  }
}
