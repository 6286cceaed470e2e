package io.sparklstm.bench;

import io.sparklstm.blas.Gemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SGEMM peak the LSTM kernels can reach: square {@code C = A B} (n x n, row-major) through
 * {@link Gemm#defaultGemm()} on one thread. GFLOP/s = 2 n^3 * ops/s / 1e9.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class GemmBench {
  @Param({"1024", "2048"})
  public int n;

  private Gemm gemm;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup
  public void setUp() {
    gemm = BenchInfo.checkedKernels().gemm();
    SplittableRandom random = new SplittableRandom(3);
    a = new float[n * n];
    b = new float[n * n];
    c = new float[n * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (random.nextDouble() - 0.5);
      b[i] = (float) (random.nextDouble() - 0.5);
    }
  }

  @Benchmark
  public float sgemm(CpuClock clock) {
    gemm.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
    clock.tick();
    return c[0];
  }
}
