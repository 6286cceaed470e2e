package io.sparklstm.lstm;

/**
 * The eight constructor arguments of {@code torch.nn.LSTM}, with its defaults and its validation.
 *
 * <p>Dimension letters used throughout: T time steps, B batch, I input size, H hidden size,
 * P projection size, H_out = P if P &gt; 0 else H, L layers, D directions (2 if bidirectional).
 *
 * @param inputSize     I, features per step
 * @param hiddenSize    H, cell state size
 * @param numLayers     L, stacked layers (default 1)
 * @param bias          whether b_ih and b_hh exist (default true)
 * @param batchFirst    input/output as (B, T, *) instead of (T, B, *) (default false)
 * @param dropout       dropout probability on the outputs of every layer but the last, training only (default 0)
 * @param bidirectional run a reverse-time direction too (default false)
 * @param projSize      P, project h to this size when &gt; 0 (default 0)
 */
public record LstmConfig(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
                         double dropout, boolean bidirectional, int projSize) implements java.io.Serializable {

  public LstmConfig {
    if (inputSize <= 0) {
      throw new IllegalArgumentException("input_size must be > 0, got " + inputSize);
    }
    if (hiddenSize <= 0) {
      throw new IllegalArgumentException("hidden_size must be > 0, got " + hiddenSize);
    }
    if (numLayers <= 0) {
      throw new IllegalArgumentException("num_layers must be > 0, got " + numLayers);
    }
    if (!(dropout >= 0 && dropout <= 1)) {
      throw new IllegalArgumentException("dropout must be a number in [0, 1], got " + dropout);
    }
    if (projSize < 0) {
      throw new IllegalArgumentException("proj_size must be >= 0, got " + projSize);
    }
    if (projSize >= hiddenSize) {
      throw new IllegalArgumentException("proj_size has to be smaller than hidden_size, got proj_size="
          + projSize + " hidden_size=" + hiddenSize);
    }
  }

  /** {@code nn.LSTM(inputSize, hiddenSize)} with every other argument at PyTorch's default. */
  public static LstmConfig of(int inputSize, int hiddenSize) {
    return new LstmConfig(inputSize, hiddenSize, 1, true, false, 0.0, false, 0);
  }

  public LstmConfig withNumLayers(int n) {
    return new LstmConfig(inputSize, hiddenSize, n, bias, batchFirst, dropout, bidirectional, projSize);
  }

  public LstmConfig withBias(boolean b) {
    return new LstmConfig(inputSize, hiddenSize, numLayers, b, batchFirst, dropout, bidirectional, projSize);
  }

  public LstmConfig withBatchFirst(boolean bf) {
    return new LstmConfig(inputSize, hiddenSize, numLayers, bias, bf, dropout, bidirectional, projSize);
  }

  public LstmConfig withDropout(double p) {
    return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, p, bidirectional, projSize);
  }

  public LstmConfig withBidirectional(boolean bi) {
    return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bi, projSize);
  }

  public LstmConfig withProjSize(int p) {
    return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, p);
  }

  /** D: 2 if bidirectional, else 1. */
  public int directions() {
    return bidirectional ? 2 : 1;
  }

  /** H_out: the size of h (proj_size when projecting, else hidden_size). */
  public int outputHiddenSize() {
    return projSize > 0 ? projSize : hiddenSize;
  }

  /** D * H_out: the last dimension of {@code output}. */
  public int outputSize() {
    return directions() * outputHiddenSize();
  }

  /** Input features of layer {@code layer}: I for layer 0, D * H_out above. */
  public int layerInputSize(int layer) {
    return layer == 0 ? inputSize : outputSize();
  }

  /** L * D: the first dimension of h_0/c_0/h_n/c_n. */
  public int stateRows() {
    return numLayers * directions();
  }
}
