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
 * The GEMM shapes the LSTM runs, one at a time, for profiling (not part of bin/bench-kernels):
 * {@code C[M,N] += op(A)[M,K] op(B)[K,N]} through {@link Gemm}, in each storage variant.
 * GFLOP/s = 2 M N K * ops/s / 1e9; {@link CpuClock} gives the same per CPU-second.
 *
 * <ul>
 *   <li>{@code NT}: A (M,K), B stored (N,K): the forward's {@code h W_hh^T} and {@code x W_ih^T}.
 *   <li>{@code NN}: A (M,K), B stored (K,N): the backward's {@code dG W_hh}, or the forward with a
 *       transposed copy of the weight.
 *   <li>{@code TN}: A stored (K,M), B (K,N): the weight gradients {@code dG^T x}.
 * </ul>
 * Shape ids {@code MxNxK}, e.g. the recurrent step of T100_B32_I64_H512_L1 is {@code 32x2048x512}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class GemmShapeBench {
  @Param({"64x512x128", "32x2048x512", "256x4096x1024"})
  public String shape;

  @Param({"NT", "NN", "TN"})
  public String variant;

  private Gemm gemm;
  private int m;
  private int n;
  private int k;
  private boolean transA;
  private boolean transB;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup
  public void setUp() {
    gemm = BenchInfo.checkedKernels().gemm();
    String[] dims = shape.split("x");
    m = Integer.parseInt(dims[0]);
    n = Integer.parseInt(dims[1]);
    k = Integer.parseInt(dims[2]);
    transA = variant.charAt(0) == 'T';
    transB = variant.charAt(1) == 'T';
    SplittableRandom random = new SplittableRandom(5);
    a = new float[m * k];
    b = new float[k * n];
    c = new float[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (random.nextDouble() - 0.5);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) (random.nextDouble() - 0.5);
    }
  }

  @Benchmark
  public float gemm(CpuClock clock) {
    gemm.gemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 1f, c, 0, n);
    clock.tick();
    return c[0];
  }
}
