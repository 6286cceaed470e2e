package io.sparklstm.lstm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The cell's pointwise math with the Vector API: one pass over each row in SIMD lanes. Every lane
 * performs exactly the float operations of {@link ScalarCell} and {@link FloatMath} (no fused
 * multiply-add, no library exp/tanh), so the two cells give identical bits, interpreted or
 * compiled. Loaded only when the JVM has {@code --add-modules=jdk.incubator.vector}; see
 * {@link LstmCell#best()}.
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
        FloatVector gg = tanh(FloatVector.fromArray(S, gates, g + 2 * hidden + j, m));
        FloatVector o = sigmoidOf(gates, g + 3 * hidden + j, m);
        i.intoArray(gates, g + j, m);
        f.intoArray(gates, g + hidden + j, m);
        gg.intoArray(gates, g + 2 * hidden + j, m);
        o.intoArray(gates, g + 3 * hidden + j, m);
        FloatVector cv = f.mul(FloatVector.fromArray(S, cPrev, cp + j, m)).add(i.mul(gg));
        FloatVector tc = tanh(cv);
        cv.intoArray(c, cr + j, m);
        tc.intoArray(tanhC, cr + j, m);
        o.mul(tc).intoArray(h, hr + j, m);
      }
    }
  }

  /** 1 / (1 + exp(-x)) of the lanes at a[off..], masked. */
  private static FloatVector sigmoidOf(float[] a, int off, VectorMask<Float> m) {
    FloatVector e = exp(FloatVector.fromArray(S, a, off, m).neg());
    return FloatVector.broadcast(S, 1f).div(e.add(1f));
  }

  private static final int ROUNDER_BITS = Float.floatToRawIntBits(FloatMath.ROUNDER);

  /** {@link FloatMath#exp}, lane by lane. */
  static FloatVector exp(FloatVector x) {
    x = x.max(FloatMath.EXP_MIN).min(FloatMath.EXP_MAX);
    FloatVector t = x.mul(FloatMath.LOG2E).add(FloatMath.ROUNDER);
    FloatVector n = t.sub(FloatMath.ROUNDER);
    FloatVector r = x.sub(n.mul(FloatMath.LN2_HI)).sub(n.mul(FloatMath.LN2_LO));
    FloatVector p = r.mul(FloatMath.P0).add(FloatMath.P1).mul(r).add(FloatMath.P2).mul(r).add(FloatMath.P3)
        .mul(r).add(FloatMath.P4).mul(r).add(FloatMath.P5);
    FloatVector e = p.mul(r.mul(r)).add(r).add(1f);
    IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23);
    return e.mul((FloatVector) bits.reinterpretAsFloats());
  }

  /** {@link FloatMath#tanh}, lane by lane. */
  static FloatVector tanh(FloatVector x) {
    FloatVector a = x.abs();
    FloatVector z = a.mul(a);
    FloatVector small = z.mul(FloatMath.T0).add(FloatMath.T1).mul(z).add(FloatMath.T2).mul(z).add(FloatMath.T3)
        .mul(z).add(FloatMath.T4).mul(z).mul(a).add(a);
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector large = one.sub(FloatVector.broadcast(S, 2f).div(exp(a.add(a)).add(1f)));
    FloatVector t = large.blend(small, a.lt(FloatMath.TANH_SMALL));
    IntVector sign = ((IntVector) x.reinterpretAsInts()).and(0x80000000);
    return (FloatVector) ((IntVector) t.reinterpretAsInts()).or(sign).reinterpretAsFloats();
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
