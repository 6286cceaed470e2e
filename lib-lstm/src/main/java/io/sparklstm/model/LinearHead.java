package io.sparklstm.model;

import io.sparklstm.blas.Gemm;

/**
 * {@code nn.Linear(D*H_out, out)}: {@code y = z W^T + b} on rows of z, forward and backward.
 * W is (out, D*H_out) and b is (out), at their offsets in the flat parameter buffer.
 */
final class LinearHead {
  private final Gemm gemm;
  private final int in;     // D * H_out
  private final int out;    // out_features
  private final int weight; // offset of W
  private final int bias;   // offset of b

  LinearHead(Gemm gemm, int in, int out, int weight, int bias) {
    this.gemm = gemm;
    this.in = in;
    this.out = out;
    this.weight = weight;
    this.bias = bias;
  }

  int outputSize() {
    return out;
  }

  /** y (rows, out) = z (rows, in; row stride ldz) W^T + b. */
  void forward(float[] params, float[] y, float[] z, int zOff, int ldz, int rows) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(params, bias, y, r * out, out);
    }
    gemm.gemmNT(rows, out, in, z, zOff, ldz, params, weight, in, 1f, y, 0, out);
  }

  /**
   * Inverts {@link #forward}: dW += dy^T z, db += sum of dy rows, and dz (rows, in) = dy W when
   * dz is not null.
   */
  void backward(float[] params, float[] grads, float[] dz, float[] dy, float[] z, int zOff, int ldz, int rows) {
    gemm.gemm(true, false, out, in, rows, 1f, dy, 0, out, z, zOff, ldz, 1f, grads, weight, in);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < out; j++) {
        grads[bias + j] += dy[r * out + j];
      }
    }
    if (dz != null) {
      gemm.gemm(false, false, rows, in, out, 1f, dy, 0, out, params, weight, in, 0f, dz, 0, in);
    }
  }
}
