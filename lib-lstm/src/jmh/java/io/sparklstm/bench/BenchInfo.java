package io.sparklstm.bench;

import io.sparklstm.lstm.Kernels;

/**
 * The kernels the benchmarks run on, checked: native BLAS (JNIBLAS) and the vector cell, unless
 * {@code -Dsparklstm.bench.allowFallback=true}; numbers from a fallback kernel are not comparable.
 * {@link #main} prints {@link Kernels#describe()} and the JVM for the report.
 */
public final class BenchInfo {
  private BenchInfo() {}

  /** {@link Kernels#best()}, or an exception naming what is missing when it is not native + vector. */
  static Kernels checkedKernels() {
    Kernels k = Kernels.best();
    if (Boolean.getBoolean("sparklstm.bench.allowFallback")) {
      return k;
    }
    if (!k.gemm().isNative() || !k.vectorCell()) {
      throw new IllegalStateException("benchmark kernels are not native BLAS + vector cell: " + k.describe()
          + " (install libopenblas0, run with --add-modules=jdk.incubator.vector, or pass"
          + " -Dsparklstm.bench.allowFallback=true)");
    }
    String threads = System.getenv("OPENBLAS_NUM_THREADS");
    if (!"1".equals(threads)) {
      throw new IllegalStateException("OPENBLAS_NUM_THREADS must be 1 for the kernel benchmarks, got " + threads);
    }
    return k;
  }

  /** Prints {@code kernels=...}, {@code java=...} and {@code vm=...} lines; exits non-zero when unchecked. */
  public static void main(String[] args) {
    Kernels k = checkedKernels();
    System.out.println("kernels=" + k.describe());
    System.out.println("java=" + System.getProperty("java.version"));
    System.out.println("vm=" + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
  }
}
