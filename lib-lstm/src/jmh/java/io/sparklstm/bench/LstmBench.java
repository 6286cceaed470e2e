package io.sparklstm.bench;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.lstm.LstmInit;
import io.sparklstm.lstm.LstmLayout;
import io.sparklstm.lstm.LstmStack;
import io.sparklstm.lstm.LstmTape;
import io.sparklstm.lstm.PackedShape;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The LSTM stack on one thread, one batch of B sequences per operation (ops/s times B is
 * sequences/s; {@code bin/bench-kernels} converts to sequences/s and GFLOP/s).
 *
 * <ul>
 *   <li>{@link #forward}: inference, {@code LstmStack.infer} (no tape, as predict runs it).
 *   <li>{@link #forwardBackward}: {@code forward(training = true)} then {@code backward} with
 *       dLoss/d(output) all ones (PyTorch's {@code out.sum().backward()}), no input gradient;
 *       parameter gradients accumulate across operations as PyTorch's {@code .grad} does.
 * </ul>
 * The tape is reused across operations, as a training task reuses it across mini-batches.
 * {@link CpuClock} records the thread's CPU time next to the wall-clock score.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
public class LstmBench {

  /** A {@link BenchCase} id; the default list is the grid plus the extra cases. */
  @Param({
      "T50_B64_I32_H128_L1", "T50_B64_I32_H256_L2", "T100_B32_I64_H512_L1", "T50_B64_I32_H128_L2_bi",
      "T200_B16_I8_H64_L1", "T50_B256_I128_H1024_L1",
      "T50_B64_I32_H32_L1", "T50_B128_I32_H64_L1", "T50_B64_I32_H256_L1_P64", "T50_B64_I32_H128_L1_var"})
  public String shape;

  private static final long PRE_WARM_CPU_NANOS = 1_000_000_000L;

  private LstmStack stack;
  private LstmTape tape;
  private PackedShape packed;
  private float[] params;
  private float[] grads;
  private float[] x;
  private float[] dOutput;

  @Setup
  public void setUp(BenchmarkParams benchmark) {
    Kernels kernels = BenchInfo.checkedKernels();
    BenchCase bc = BenchCase.parse(shape);
    LstmConfig config = bc.config();
    LstmLayout layout = LstmLayout.of(config, "");
    params = new float[layout.size()];
    LstmInit.initialize(params, layout, 1);
    grads = new float[params.length];
    stack = new LstmStack(config, layout, kernels);
    tape = new LstmTape(config);
    packed = bc.shape();
    int n = packed.rows();
    x = new float[n * config.inputSize()];
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextDouble() * 2 - 1);
    }
    dOutput = new float[n * config.outputSize()];
    Arrays.fill(dOutput, 1f);
    preWarm(benchmark.getBenchmark().endsWith(".forward"));
  }

  /**
   * Runs the benchmark's operation for {@link #PRE_WARM_CPU_NANOS} of this thread's CPU time (at
   * least once) before JMH's warm-up: the Vector API cell is slow until C2 compiles it, and on a
   * machine shared with other work wall-clock warm-up alone can end before that.
   */
  private void preWarm(boolean forwardOnly) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long start = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < 1 || threads.getCurrentThreadCpuTime() - start < PRE_WARM_CPU_NANOS; i++) {
      if (forwardOnly) {
        stack.infer(params, packed, x, null, tape);
      } else {
        stack.forward(params, packed, x, null, true, null, tape);
        stack.backward(params, grads, tape, dOutput, null, null, null);
      }
    }
  }

  @Benchmark
  public void forward(Blackhole bh, CpuClock clock) {
    stack.infer(params, packed, x, null, tape);
    bh.consume(tape.output());
    clock.tick();
  }

  @Benchmark
  public void forwardBackward(Blackhole bh, CpuClock clock) {
    stack.forward(params, packed, x, null, true, null, tape);
    stack.backward(params, grads, tape, dOutput, null, null, null);
    bh.consume(grads);
    clock.tick();
  }
}
