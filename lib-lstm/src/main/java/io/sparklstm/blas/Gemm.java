package io.sparklstm.blas;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.util.logging.Logger;

/**
 * The one place BLAS is called: row-major single-precision GEMM on slices of flat arrays.
 *
 * <p>{@code C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C}, every matrix row-major with its own
 * leading dimension (the distance between two rows), so callers can multiply views into one big
 * buffer without copying. netlib is column-major: a row-major matrix is its column-major transpose,
 * so {@code C = op(A) op(B)} is computed as {@code C^T = op(B)^T op(A)^T}.
 *
 * <p>The implementation is chosen once per JVM ({@link #defaultGemm()}): native (JNI to the
 * system's {@code libblas.so.3}, OpenBLAS when installed) when it loads, netlib's pure-Java BLAS
 * otherwise; the choice is logged once.
 */
public final class Gemm {
  private static final Logger LOG = Logger.getLogger(Gemm.class.getName());
  private static volatile Gemm defaultInstance;

  private final BLAS blas;
  private final boolean nativeImpl;

  private Gemm(BLAS blas, boolean nativeImpl) {
    this.blas = blas;
    this.nativeImpl = nativeImpl;
  }

  /** The process-wide GEMM: native BLAS when it loads, pure Java otherwise. Logged once. */
  public static Gemm defaultGemm() {
    Gemm g = defaultInstance;
    if (g == null) {
      synchronized (Gemm.class) {
        g = defaultInstance;
        if (g == null) {
          g = chooseDefault();
          LOG.info("spark-lstm BLAS: " + g.description());
          defaultInstance = g;
        }
      }
    }
    return g;
  }

  private static Gemm chooseDefault() {
    if (!Boolean.getBoolean("sparklstm.blas.forceJava")) {
      Gemm nativeGemm = nativeOrNull();
      if (nativeGemm != null) {
        return nativeGemm;
      }
    }
    return javaGemm();
  }

  /** netlib's native (JNI) BLAS, or null when {@code libblas.so.3} or the JNI stub cannot load. */
  public static Gemm nativeOrNull() {
    try {
      return new Gemm(NativeBLAS.getInstance(), true);
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** netlib's pure-Java BLAS (vectorized when {@code jdk.incubator.vector} is available). */
  public static Gemm javaGemm() {
    return new Gemm(JavaBLAS.getInstance(), false);
  }

  /** True when calls go to a native library through JNI. */
  public boolean isNative() {
    return nativeImpl;
  }

  /** The netlib implementation class in use, e.g. {@code JNIBLAS} or {@code VectorBLAS}. */
  public String implementationName() {
    return blas.getClass().getSimpleName();
  }

  /** One line for logs: which BLAS is in use and where it comes from. */
  public String description() {
    if (nativeImpl) {
      String lib = System.getProperty("dev.ludovic.netlib.blas.nativeLibPath", "libblas.so.3");
      return implementationName() + " (native " + lib
          + (System.getenv("OPENBLAS_NUM_THREADS") != null
              ? ", OPENBLAS_NUM_THREADS=" + System.getenv("OPENBLAS_NUM_THREADS") : "")
          + ")";
    }
    return implementationName() + " (pure Java; install libopenblas0 for native speed)";
  }

  /**
   * Row-major {@code C = alpha * op(A) * op(B) + beta * C}.
   *
   * @param transA use A^T: A is stored (K, M) instead of (M, K)
   * @param transB use B^T: B is stored (N, K) instead of (K, N)
   */
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
                   float alpha, float[] a, int aOff, int lda,
                   float[] b, int bOff, int ldb,
                   float beta, float[] c, int cOff, int ldc) {
    checkShapes(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      scaleRows(m, n, beta, c, cOff, ldc);
      return;
    }
    blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k,
        alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
  }

  /** {@code C = A * B^T + beta * C}: the most common form here (activations times a PyTorch weight). */
  public void gemmNT(int m, int n, int k, float[] a, int aOff, int lda, float[] w, int wOff, int ldw,
                     float beta, float[] c, int cOff, int ldc) {
    gemm(false, true, m, n, k, 1f, a, aOff, lda, w, wOff, ldw, beta, c, cOff, ldc);
  }

  private static void scaleRows(int m, int n, float beta, float[] c, int cOff, int ldc) {
    for (int r = 0; r < m; r++) {
      int row = cOff + r * ldc;
      for (int j = 0; j < n; j++) {
        c[row + j] = beta == 0f ? 0f : beta * c[row + j];
      }
    }
  }

  private static void checkShapes(boolean transA, boolean transB, int m, int n, int k,
                                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
    }
    checkMatrix("A", a, aOff, transA ? k : m, transA ? m : k, lda);
    checkMatrix("B", b, bOff, transB ? n : k, transB ? k : n, ldb);
    checkMatrix("C", c, cOff, m, n, ldc);
  }

  private static void checkMatrix(String name, float[] x, int off, int rows, int cols, int ld) {
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException("gemm: leading dimension of " + name + " is " + ld
          + " but a row has " + cols + " columns");
    }
    if (rows == 0 || cols == 0) {
      return;
    }
    long last = (long) off + (long) (rows - 1) * ld + cols;
    if (off < 0 || last > x.length) {
      throw new IllegalArgumentException("gemm: " + name + " (" + rows + "x" + cols + ", ld " + ld
          + ", offset " + off + ") needs " + last + " elements but the array has " + x.length);
    }
  }
}
