package io.sparklstm.lstm;

/**
 * The cell's pointwise math in plain Java: the fallback when the Vector API module is not loaded.
 * Bit-identical to {@link VectorCell}: the same float operations in the same order, and the
 * nonlinearities of {@link FloatMath}.
 */
final class ScalarCell implements LstmCell {

  /**
   * <pre>
   * i = sigmoid(gi), f = sigmoid(gf), g = tanh(gg), o = sigmoid(go)     (overwrites gates)
   * c = f * c_prev + i * g,  tanhC = tanh(c),  h = o * tanhC
   * </pre>
   * gates (n, 4H); cPrev, c, tanhC (n, H) contiguous; h (n, H) with row stride ldh.
   */
  @Override
  public void forward(float[] h, int hOff, int ldh, float[] c, float[] tanhC, int cOff,
                      float[] gates, int gOff, float[] cPrev, int cpOff, int n, int hidden) {
    for (int r = 0; r < n; r++) {
      int g = gOff + r * 4 * hidden;
      int cr = cOff + r * hidden;
      int cp = cpOff + r * hidden;
      int hr = hOff + r * ldh;
      for (int j = 0; j < hidden; j++) {
        float i = sigmoid(gates[g + j]);
        float f = sigmoid(gates[g + hidden + j]);
        float gg = tanh(gates[g + 2 * hidden + j]);
        float o = sigmoid(gates[g + 3 * hidden + j]);
        gates[g + j] = i;
        gates[g + hidden + j] = f;
        gates[g + 2 * hidden + j] = gg;
        gates[g + 3 * hidden + j] = o;
        float cv = f * cPrev[cp + j] + i * gg;
        float tc = tanh(cv);
        c[cr + j] = cv;
        tanhC[cr + j] = tc;
        h[hr + j] = o * tc;
      }
    }
  }

  /**
   * Inverts {@link #forward}. dLoss/dh of this step (before projection) = dh (n, H, row stride ldDh)
   * + dhLater (n, H, laid out as dc; null: none), from its output and from later steps.
   * dc (n, H): dLoss/dc from later steps on entry, dLoss/dc_prev on exit.
   * dGates (n, 4H): dLoss/d(pre-activation) of i, f, g, o, written (not accumulated).
   * <pre>
   * do = dh * tanhC                    dgo = do * o * (1 - o)
   * dc += dh * o * (1 - tanhC^2)
   * dgi = dc * g * i * (1 - i)         dgg = dc * i * (1 - g^2)
   * dgf = dc * c_prev * f * (1 - f)    dc_prev = dc * f
   * </pre>
   */
  @Override
  public void backward(float[] dGates, int dgOff, float[] dc, int dcOff, float[] dh, int dhOff, int ldDh,
                       float[] dhLater, float[] gates, int gOff, float[] tanhC, int tOff, float[] cPrev, int cpOff,
                       int n, int hidden) {
    for (int r = 0; r < n; r++) {
      backwardElements(dGates, dgOff + r * 4 * hidden, dc, dcOff + r * hidden, dh, dhOff + r * ldDh, dhLater,
          gates, gOff + r * 4 * hidden, tanhC, tOff + r * hidden, cPrev, cpOff + r * hidden, 0, hidden, hidden);
    }
  }

  /** {@link #backward} for elements [from, to) of one row (offsets are the row's). */
  static void backwardElements(float[] dGates, int dg, float[] dc, int dcr, float[] dh, int dhr, float[] dhLater,
                               float[] gates, int g, float[] tanhC, int tr, float[] cPrev, int cp,
                               int from, int to, int hidden) {
    for (int j = from; j < to; j++) {
      float i = gates[g + j];
      float f = gates[g + hidden + j];
      float gg = gates[g + 2 * hidden + j];
      float o = gates[g + 3 * hidden + j];
      float tc = tanhC[tr + j];
      float dhv = dhLater == null ? dh[dhr + j] : dh[dhr + j] + dhLater[dcr + j];
      float dcv = dc[dcr + j] + dhv * o * (1f - tc * tc);
      dGates[dg + j] = dcv * gg * i * (1f - i);
      dGates[dg + hidden + j] = dcv * cPrev[cp + j] * f * (1f - f);
      dGates[dg + 2 * hidden + j] = dcv * i * (1f - gg * gg);
      dGates[dg + 3 * hidden + j] = dhv * tc * o * (1f - o);
      dc[dcr + j] = dcv * f;
    }
  }

  @Override
  public String toString() {
    return "scalar";
  }

  private static float sigmoid(float x) {
    return FloatMath.sigmoid(x);
  }

  private static float tanh(float x) {
    return FloatMath.tanh(x);
  }
}
