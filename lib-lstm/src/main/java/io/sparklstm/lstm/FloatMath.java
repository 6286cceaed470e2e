package io.sparklstm.lstm;

/**
 * exp, sigmoid and tanh in float32 from additions, multiplications, fused multiply-adds
 * ({@link Math#fma}), divisions and exponent bits only: IEEE-exact operations that give the same
 * bits interpreted, JIT-compiled, on any x86 or ARM JVM, scalar or in SIMD lanes (a CPU without FMA
 * instructions gets the same bits from the JDK's exact software fma, only much more slowly).
 * {@link VectorCell} performs exactly these operations lane by lane, so both cells compute identical
 * bits and a model never depends on JIT timing or JVM flags. (The JDK's vector exp/tanh are SVML
 * when compiled and a different fallback when interpreted.)
 *
 * <p>exp: Cody-Waite reduction {@code x = n ln2 + r} (ln2 split so {@code n * LN2_HI} is exact),
 * Cephes' degree-6 polynomial for exp(r) on [-ln2/2, ln2/2], then scaling by 2^n through the
 * exponent bits; the reduction and Horner's rule as fused multiply-adds (a third fewer operations
 * than separate multiplies and adds, one rounding per step). tanh: {@code E / (E + 2)} with
 * {@code E = expm1(2|x|)}, from the same reduction and polynomial (exp(r) - 1 is
 * {@code p r^2 + r}, accurate near 0, so no separate small-x branch). Worst errors measured over a
 * dense grid (FloatMathTest): exp 0.99, sigmoid 2.11, tanh 2.13 ulps; PyTorch's own float32
 * sigmoid and tanh are of the same order.
 */
final class FloatMath {
  private FloatMath() {}

  static final float LOG2E = 1.44269504088896341f;
  /** -ln2 split in two: n * NEG_LN2_HI is exact for |n| <= 128. */
  static final float NEG_LN2_HI = -0.693359375f;
  static final float NEG_LN2_LO = 2.12194440e-4f;
  /** 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer (in its low bits). */
  static final float ROUNDER = 12582912f;
  static final float EXP_MAX = 88f;
  static final float EXP_MIN = -87f;
  static final float P0 = 1.9875691500e-4f;
  static final float P1 = 1.3981999507e-3f;
  static final float P2 = 8.3334519073e-3f;
  static final float P3 = 4.1665795894e-2f;
  static final float P4 = 1.6666665459e-1f;
  static final float P5 = 5.0000001201e-1f;

  /** e^x, for x clamped to [-87, 88] (no overflow, no subnormals). */
  static float exp(float x) {
    x = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
    float t = Math.fma(x, LOG2E, ROUNDER);
    float n = t - ROUNDER;                                  // round(x log2 e), exactly
    float r = Math.fma(n, NEG_LN2_LO, Math.fma(n, NEG_LN2_HI, x));   // x - n ln2, |r| <= ln2/2
    float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P0, r, P1), r, P2), r, P3), r, P4), r, P5);
    float scale = Float.intBitsToFloat((Float.floatToRawIntBits(t) - Float.floatToRawIntBits(ROUNDER) + 127) << 23);
    return Math.fma(scale, Math.fma(p, r * r, r), scale);  // 2^n (expm1(r) + 1)
  }

  /** 1 / (1 + e^-x). */
  static float sigmoid(float x) {
    return 1f / (1f + exp(-x));
  }

  /** tanh(x) = E / (E + 2) with E = expm1(2|x|), sign of x. */
  static float tanh(float x) {
    float a = Math.min(Math.abs(x) * 2f, EXP_MAX);
    float t = Math.fma(a, LOG2E, ROUNDER);
    float n = t - ROUNDER;
    float r = Math.fma(n, NEG_LN2_LO, Math.fma(n, NEG_LN2_HI, a));
    float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P0, r, P1), r, P2), r, P3), r, P4), r, P5);
    float scale = Float.intBitsToFloat((Float.floatToRawIntBits(t) - Float.floatToRawIntBits(ROUNDER) + 127) << 23);
    float e = Math.fma(scale, Math.fma(p, r * r, r), scale - 1f);   // 2^n expm1(r) + 2^n - 1, no cancellation at n = 0
    return Math.copySign(e / (e + 2f), x);
  }
}
