package io.sparklstm.lstm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The cell's pointwise math with the Vector API: one pass over each row in SIMD lanes, exp and tanh
 * from the JDK's vector math library (SVML on x86, within an ulp). Loaded only when the JVM has
 * {@code --add-modules=jdk.incubator.vector}; see {@link LstmCell#best()}.
 * Products and sums are rounded separately (no fused multiply-add), as PyTorch's CPU cell does.
 */
final class VectorCell implements LstmCell {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  @Override
  public String toString() {
    return "vector (" + S.vectorBitSize() + "-bit)";
  }

  @Override
  public void forward(float[] h, int hOff, int ldh, float[] c, float[] tanhC, int cOff,
                      float[] gates, int gOff, float[] cPrev, int cpOff, int n, int hidden) {
    for (int r = 0; r < n; r++) {
      int g = gOff + r * 4 * hidden;
      int cr = cOff + r * hidden;
      int cp = cpOff + r * hidden;
      int hr = hOff + r * ldh;
      for (int j = 0; j < hidden; j += S.length()) {
        VectorMask<Float> m = S.indexInRange(j, hidden);
        FloatVector i = sigmoidOf(gates, g + j, m);
        FloatVector f = sigmoidOf(gates, g + hidden + j, m);
        FloatVector gg = FloatVector.fromArray(S, gates, g + 2 * hidden + j, m).lanewise(VectorOperators.TANH);
        FloatVector o = sigmoidOf(gates, g + 3 * hidden + j, m);
        i.intoArray(gates, g + j, m);
        f.intoArray(gates, g + hidden + j, m);
        gg.intoArray(gates, g + 2 * hidden + j, m);
        o.intoArray(gates, g + 3 * hidden + j, m);
        FloatVector cv = f.mul(FloatVector.fromArray(S, cPrev, cp + j, m)).add(i.mul(gg));
        FloatVector tc = cv.lanewise(VectorOperators.TANH);
        cv.intoArray(c, cr + j, m);
        tc.intoArray(tanhC, cr + j, m);
        o.mul(tc).intoArray(h, hr + j, m);
      }
    }
  }

  /** 1 / (1 + exp(-x)) of the lanes at a[off..], masked. */
  private static FloatVector sigmoidOf(float[] a, int off, VectorMask<Float> m) {
    FloatVector e = FloatVector.fromArray(S, a, off, m).neg().lanewise(VectorOperators.EXP);
    return FloatVector.broadcast(S, 1f).div(e.add(1f));
  }

  @Override
  public void backward(float[] dGates, int dgOff, float[] dc, int dcOff, float[] dh, int dhOff, int ldDh,
                       float[] gates, int gOff, float[] tanhC, int tOff, float[] cPrev, int cpOff,
                       int n, int hidden) {
    for (int r = 0; r < n; r++) {
      int g = gOff + r * 4 * hidden;
      int dg = dgOff + r * 4 * hidden;
      int dcr = dcOff + r * hidden;
      int dhr = dhOff + r * ldDh;
      int tr = tOff + r * hidden;
      int cp = cpOff + r * hidden;
      for (int j = 0; j < hidden; j += S.length()) {
        VectorMask<Float> m = S.indexInRange(j, hidden);
        FloatVector i = FloatVector.fromArray(S, gates, g + j, m);
        FloatVector f = FloatVector.fromArray(S, gates, g + hidden + j, m);
        FloatVector gg = FloatVector.fromArray(S, gates, g + 2 * hidden + j, m);
        FloatVector o = FloatVector.fromArray(S, gates, g + 3 * hidden + j, m);
        FloatVector tc = FloatVector.fromArray(S, tanhC, tr + j, m);
        FloatVector dhv = FloatVector.fromArray(S, dh, dhr + j, m);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector dcv = FloatVector.fromArray(S, dc, dcr + j, m).add(dhv.mul(o).mul(one.sub(tc.mul(tc))));
        dcv.mul(gg).mul(i).mul(one.sub(i)).intoArray(dGates, dg + j, m);
        dcv.mul(FloatVector.fromArray(S, cPrev, cp + j, m)).mul(f).mul(one.sub(f)).intoArray(dGates, dg + hidden + j, m);
        dcv.mul(i).mul(one.sub(gg.mul(gg))).intoArray(dGates, dg + 2 * hidden + j, m);
        dhv.mul(tc).mul(o).mul(one.sub(o)).intoArray(dGates, dg + 3 * hidden + j, m);
        dcv.mul(f).intoArray(dc, dcr + j, m);
      }
    }
  }
}
