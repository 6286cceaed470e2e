package io.sparklstm.lstm;

/**
 * The pointwise part of one LSTM step, for rows {@code [0, n)}, forward and backward side by side.
 *
 * <p>Gate pre-activations arrive as one (n, 4H) block per step in PyTorch's order i, f, g, o
 * (columns {@code [0,H), [H,2H), [2H,3H), [3H,4H)}), already holding
 * {@code x W_ih^T + b_ih + h_prev W_hh^T + b_hh}; the caller does the matrix products.
 * Two implementations: {@link VectorCell} (SIMD through {@code jdk.incubator.vector}) and
 * {@link ScalarCell} (plain Java); {@link #best()} picks one per JVM.
 */
public interface LstmCell {

  /**
   * <pre>
   * i = sigmoid(gi), f = sigmoid(gf), g = tanh(gg), o = sigmoid(go)     (overwrites gates)
   * c = f * c_prev + i * g,  tanhC = tanh(c),  h = o * tanhC
   * </pre>
   * gates (n, 4H); cPrev, c, tanhC (n, H) contiguous; h (n, H) with row stride ldh.
   */
  void forward(float[] h, int hOff, int ldh, float[] c, float[] tanhC, int cOff,
               float[] gates, int gOff, float[] cPrev, int cpOff, int n, int hidden);

  /**
   * Inverts {@link #forward}. dLoss/dh of this step (before projection) = dh (n, H, row stride ldDh)
   * + dhLater (n, H, laid out as dc; null: none), from its output and from later steps.
   * dc (n, H): dLoss/dc from later steps on entry, dLoss/dc_prev on exit.
   * dGates (n, 4H): dLoss/d(pre-activation) of i, f, g, o, written (not accumulated).
   * <pre>
   * dc += dh * o * (1 - tanhC^2)
   * dgi = dc * g * i * (1 - i)         dgg = dc * i * (1 - g^2)
   * dgf = dc * c_prev * f * (1 - f)    dgo = dh * tanhC * o * (1 - o)
   * dc_prev = dc * f
   * </pre>
   */
  void backward(float[] dGates, int dgOff, float[] dc, int dcOff, float[] dh, int dhOff, int ldDh, float[] dhLater,
                float[] gates, int gOff, float[] tanhC, int tOff, float[] cPrev, int cpOff, int n, int hidden);

  /** The vector implementation when {@code jdk.incubator.vector} is loaded, else the scalar one. */
  static LstmCell best() {
    return CellChoice.BEST;
  }

  /** The plain-Java implementation. */
  static LstmCell scalar() {
    return CellChoice.SCALAR;
  }
}
