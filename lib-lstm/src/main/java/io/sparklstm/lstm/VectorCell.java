package io.sparklstm.lstm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The cell's pointwise math with the Vector API, in SIMD lanes. Every lane performs exactly the
 * float operations of {@link ScalarCell} and {@link FloatMath} (the same fused multiply-adds, no library
 * exp/tanh), so the two cells give identical bits, interpreted or compiled; the elements past the
 * last full vector go through FloatMath itself. Loaded only when the JVM has
 * {@code --add-modules=jdk.incubator.vector}; see {@link LstmCell#best()}.
 *
 * <p>Written for C2: whole vectors only (no masks), constants as vectors, and no helper method
 * taking or returning a vector (each such call that C2 does not inline allocates a vector).
 */
final class VectorCell implements LstmCell {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
  private static final FloatVector TWO = FloatVector.broadcast(S, 2f);
  private static final FloatVector EXP_MIN = FloatVector.broadcast(S, FloatMath.EXP_MIN);
  private static final FloatVector EXP_MAX = FloatVector.broadcast(S, FloatMath.EXP_MAX);
  private static final FloatVector LOG2E = FloatVector.broadcast(S, FloatMath.LOG2E);
  private static final FloatVector ROUNDER = FloatVector.broadcast(S, FloatMath.ROUNDER);
  private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(S, FloatMath.NEG_LN2_HI);
  private static final FloatVector NEG_LN2_LO = FloatVector.broadcast(S, FloatMath.NEG_LN2_LO);
  private static final FloatVector P0 = FloatVector.broadcast(S, FloatMath.P0);
  private static final FloatVector P1 = FloatVector.broadcast(S, FloatMath.P1);
  private static final FloatVector P2 = FloatVector.broadcast(S, FloatMath.P2);
  private static final FloatVector P3 = FloatVector.broadcast(S, FloatMath.P3);
  private static final FloatVector P4 = FloatVector.broadcast(S, FloatMath.P4);
  private static final FloatVector P5 = FloatVector.broadcast(S, FloatMath.P5);
  private static final IntVector EXPONENT_BIAS =
      IntVector.broadcast(S.withLanes(int.class), Float.floatToRawIntBits(FloatMath.ROUNDER) - 127);
  private static final IntVector SIGN = IntVector.broadcast(S.withLanes(int.class), 0x80000000);

  @Override
  public String toString() {
    return "vector (" + S.vectorBitSize() + "-bit)";
  }

  /**
   * In passes, each a plain loop with at most one nonlinearity: per row sigmoid over the adjacent
   * i and f blocks, tanh over g, sigmoid over o, then c; then tanh(c) for all rows at once; then h.
   */
  @Override
  public void forward(float[] h, int hOff, int ldh, float[] c, float[] tanhC, int cOff,
                      float[] gates, int gOff, float[] cPrev, int cpOff, int n, int hidden) {
    for (int r = 0; r < n; r++) {
      int g = gOff + r * 4 * hidden;
      sigmoidInPlace(gates, g, 2 * hidden);
      tanhInto(gates, g + 2 * hidden, gates, g + 2 * hidden, hidden);
      sigmoidInPlace(gates, g + 3 * hidden, hidden);
      cellState(c, cOff + r * hidden, gates, g, cPrev, cpOff + r * hidden, hidden);
    }
    tanhInto(c, cOff, tanhC, cOff, n * hidden);
    for (int r = 0; r < n; r++) {
      product(h, hOff + r * ldh, gates, gOff + r * 4 * hidden + 3 * hidden, tanhC, cOff + r * hidden, hidden);
    }
  }

  /** c = f * c_prev + i * g for one row; gates at g hold i, f, g, o. */
  private static void cellState(float[] c, int cr, float[] gates, int g, float[] cPrev, int cp, int hidden) {
    int j = 0;
    for (; j < S.loopBound(hidden); j += L) {
      FloatVector i = FloatVector.fromArray(S, gates, g + j);
      FloatVector f = FloatVector.fromArray(S, gates, g + hidden + j);
      FloatVector gg = FloatVector.fromArray(S, gates, g + 2 * hidden + j);
      f.mul(FloatVector.fromArray(S, cPrev, cp + j)).add(i.mul(gg)).intoArray(c, cr + j);
    }
    for (; j < hidden; j++) {
      c[cr + j] = gates[g + hidden + j] * cPrev[cp + j] + gates[g + j] * gates[g + 2 * hidden + j];
    }
  }

  /** out[o..] = a[x..] * b[y..], len elements. */
  private static void product(float[] out, int o, float[] a, int x, float[] b, int y, int len) {
    int j = 0;
    for (; j < S.loopBound(len); j += L) {
      FloatVector.fromArray(S, a, x + j).mul(FloatVector.fromArray(S, b, y + j)).intoArray(out, o + j);
    }
    for (; j < len; j++) {
      out[o + j] = a[x + j] * b[y + j];
    }
  }

  // The two loops below spell out FloatMath.exp lane by lane instead of calling a helper.

  /** a[off, off + len) = sigmoid(a[...]) = 1 / (1 + exp(-a)), as {@link FloatMath#sigmoid}. */
  private static void sigmoidInPlace(float[] a, int off, int len) {
    int j = 0;
    for (; j < S.loopBound(len); j += L) {
      FloatVector x = FloatVector.fromArray(S, a, off + j).neg().max(EXP_MIN).min(EXP_MAX);
      FloatVector t = x.fma(LOG2E, ROUNDER);
      FloatVector k = t.sub(ROUNDER);
      FloatVector r = k.fma(NEG_LN2_LO, k.fma(NEG_LN2_HI, x));
      FloatVector p = P0.fma(r, P1).fma(r, P2).fma(r, P3).fma(r, P4).fma(r, P5);
      FloatVector scale = ((IntVector) t.reinterpretAsInts()).sub(EXPONENT_BIAS)
          .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector e = scale.fma(p.fma(r.mul(r), r), scale);
      ONE.div(e.add(ONE)).intoArray(a, off + j);
    }
    for (; j < len; j++) {
      a[off + j] = FloatMath.sigmoid(a[off + j]);
    }
  }

  /** dst[dOff, dOff + len) = tanh(src[sOff, ...]), as {@link FloatMath#tanh}; src may be dst. */
  private static void tanhInto(float[] src, int sOff, float[] dst, int dOff, int len) {
    int j = 0;
    for (; j < S.loopBound(len); j += L) {
      FloatVector v = FloatVector.fromArray(S, src, sOff + j);
      FloatVector x = v.abs().mul(TWO).min(EXP_MAX);
      FloatVector t = x.fma(LOG2E, ROUNDER);
      FloatVector k = t.sub(ROUNDER);
      FloatVector r = k.fma(NEG_LN2_LO, k.fma(NEG_LN2_HI, x));
      FloatVector p = P0.fma(r, P1).fma(r, P2).fma(r, P3).fma(r, P4).fma(r, P5);
      FloatVector scale = ((IntVector) t.reinterpretAsInts()).sub(EXPONENT_BIAS)
          .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector e = scale.fma(p.fma(r.mul(r), r), scale.sub(ONE));
      FloatVector tanh = e.div(e.add(TWO));
      IntVector sign = ((IntVector) v.reinterpretAsInts()).and(SIGN);
      ((IntVector) tanh.reinterpretAsInts()).or(sign).reinterpretAsFloats().intoArray(dst, dOff + j);
    }
    for (; j < len; j++) {
      dst[dOff + j] = FloatMath.tanh(src[sOff + j]);
    }
  }

  @Override
  public void backward(float[] dGates, int dgOff, float[] dc, int dcOff, float[] dh, int dhOff, int ldDh,
                       float[] dhLater, float[] gates, int gOff, float[] tanhC, int tOff, float[] cPrev, int cpOff,
                       int n, int hidden) {
    for (int r = 0; r < n; r++) {
      int g = gOff + r * 4 * hidden;
      int dg = dgOff + r * 4 * hidden;
      int dcr = dcOff + r * hidden;
      int dhr = dhOff + r * ldDh;
      int tr = tOff + r * hidden;
      int cp = cpOff + r * hidden;
      int j = 0;
      for (; j < S.loopBound(hidden); j += L) {
        FloatVector i = FloatVector.fromArray(S, gates, g + j);
        FloatVector f = FloatVector.fromArray(S, gates, g + hidden + j);
        FloatVector gg = FloatVector.fromArray(S, gates, g + 2 * hidden + j);
        FloatVector o = FloatVector.fromArray(S, gates, g + 3 * hidden + j);
        FloatVector tc = FloatVector.fromArray(S, tanhC, tr + j);
        FloatVector dhv = FloatVector.fromArray(S, dh, dhr + j);
        if (dhLater != null) {
          dhv = dhv.add(FloatVector.fromArray(S, dhLater, dcr + j));
        }
        FloatVector dcv = FloatVector.fromArray(S, dc, dcr + j).add(dhv.mul(o).mul(ONE.sub(tc.mul(tc))));
        dcv.mul(gg).mul(i).mul(ONE.sub(i)).intoArray(dGates, dg + j);
        dcv.mul(FloatVector.fromArray(S, cPrev, cp + j)).mul(f).mul(ONE.sub(f)).intoArray(dGates, dg + hidden + j);
        dcv.mul(i).mul(ONE.sub(gg.mul(gg))).intoArray(dGates, dg + 2 * hidden + j);
        dhv.mul(tc).mul(o).mul(ONE.sub(o)).intoArray(dGates, dg + 3 * hidden + j);
        dcv.mul(f).intoArray(dc, dcr + j);
      }
      ScalarCell.backwardElements(dGates, dg, dc, dcr, dh, dhr, dhLater, gates, g, tanhC, tr, cPrev, cp, j, hidden, hidden);
    }
  }
}
