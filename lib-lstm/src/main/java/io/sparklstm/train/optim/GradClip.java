package io.sparklstm.train.optim;

import io.sparklstm.model.ParameterLayout;

/**
 * Gradient clipping by global L2 norm: {@code torch.nn.utils.clip_grad_norm_(parameters, max_norm)}
 * of PyTorch 1.13 (norm_type 2), with one parameter per tensor of a {@link ParameterLayout}.
 *
 * <pre>
 * n_j   = ||g_j||_2  for every tensor j, in layout (state_dict) order, as a float32
 * total = ||(n_1, ..., n_J)||_2                  (the norm of the per-tensor norms)
 * coef  = max_norm / (total + 1e-6)              (float32: (total + 1e-6f)^-1 · max_norm)
 * g_j  ← g_j · min(coef, 1)                      (always multiplied, as PyTorch does)
 * return total
 * </pre>
 *
 * <p>Non-finite norms: like 1.13's default ({@code error_if_nonfinite=False}) nothing is thrown
 * here. An infinite total (an infinite gradient, or squares beyond the float range) gives coef 0:
 * finite gradients become 0, infinite ones NaN. A NaN total makes every gradient NaN. Callers get
 * the total back and decide; the trainer is meant to stop with a clear error on a non-finite norm.
 *
 * <p>Rounding: each norm sums its squares in double, rounds the sum once to float and takes the
 * float square root. PyTorch sums in float32 in an order set by the CPU's vector width and thread
 * count, so the two agree within a few float ulps, not bit for bit; overflow to inf and underflow
 * to 0 happen at the same magnitudes, because the sum is rounded to float before the root.
 */
public final class GradClip {
  /** PyTorch's guard against division by zero, added to the total norm. */
  public static final float EPS = 1e-6f;

  private GradClip() {}

  /**
   * Scales {@code grads} in place so that its global L2 norm is at most {@code maxNorm}; returns the
   * total norm before clipping.
   */
  public static float clipGradNorm(float[] grads, ParameterLayout layout, double maxNorm) {
    if (!(maxNorm > 0 && Double.isFinite(maxNorm))) {
      throw new IllegalArgumentException("clip-grad-norm max norm must be a finite number > 0, got " + maxNorm);
    }
    float total = totalNorm(grads, layout);
    float coef = (1f / (total + EPS)) * (float) maxNorm; // max_norm / (total_norm + 1e-6) on a float32 tensor
    float clamped = Math.min(coef, 1f); // torch.clamp(clip_coef, max=1.0); NaN stays NaN
    for (ParameterLayout.Entry e : layout.entries()) {
      int end = e.offset() + e.size();
      for (int i = e.offset(); i < end; i++) {
        grads[i] *= clamped;
      }
    }
    return total;
  }

  /** The global L2 norm, as clip_grad_norm_ computes it: the norm of the per-tensor norms. */
  public static float totalNorm(float[] grads, ParameterLayout layout) {
    if (grads.length != layout.size()) {
      throw new IllegalArgumentException("gradient buffer has " + grads.length + " floats, the parameter layout "
          + layout.size());
    }
    double sumOfSquares = 0;
    for (ParameterLayout.Entry e : layout.entries()) {
      float n = norm(grads, e.offset(), e.size());
      sumOfSquares += (double) n * n;
    }
    return sqrtOfFloat(sumOfSquares);
  }

  /** ||x[offset, offset+count)||_2 as a float32 (see the class comment for its rounding). */
  static float norm(float[] x, int offset, int count) {
    double sumOfSquares = 0;
    for (int i = offset; i < offset + count; i++) {
      sumOfSquares += (double) x[i] * x[i];
    }
    return sqrtOfFloat(sumOfSquares);
  }

  /** The float32 square root of the sum rounded to float32 (inf when the sum is beyond the float range). */
  private static float sqrtOfFloat(double sum) {
    return (float) Math.sqrt((float) sum);
  }
}
