package io.sparklstm.bench;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.lstm.Lstm;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.lstm.LstmStack;
import io.sparklstm.lstm.LstmTape;
import io.sparklstm.lstm.PackedShape;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One engine under test for {@link AbCompare}: the operations of {@link LstmBench} on one case, timed
 * by this thread's CPU clock. {@code bin/bench-ab} compiles this file against each revision's classes,
 * so it only uses API that every compared revision has.
 */
public final class EngineRun {
  private final LstmStack stack;
  private final LstmTape tape;
  private final PackedShape packed;
  private final float[] params;
  private final float[] grads;
  private final float[] x;
  private final float[] dOutput;

  public EngineRun(String caseId) {
    BenchCase bc = BenchCase.parse(caseId);
    LstmConfig config = bc.config();
    Lstm module = Lstm.create(config, 1); // its layout() is the type LstmStack takes in every revision
    params = module.parameters();
    grads = new float[params.length];
    stack = new LstmStack(config, module.layout(), Kernels.best());
    tape = new LstmTape(config);
    packed = bc.shape();
    x = new float[packed.rows() * config.inputSize()];
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextDouble() * 2 - 1);
    }
    dOutput = new float[packed.rows() * config.outputSize()];
    Arrays.fill(dOutput, 1f);
  }

  /** The kernels in use, as {@code bin/bench-kernels} reports them. */
  public String kernels() {
    return Kernels.best().describe();
  }

  /**
   * Runs the operation ({@code forwardBackward} or {@code forward}) for about {@code millis} of this
   * thread's CPU time (at least once); returns CPU milliseconds per operation.
   */
  public double run(String mode, long millis) {
    boolean forwardOnly = mode.equals("forward");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long start = threads.getCurrentThreadCpuTime();
    long ops = 0;
    do {
      if (forwardOnly) {
        stack.infer(params, packed, x, null, tape);
      } else {
        stack.forward(params, packed, x, null, true, null, tape);
        stack.backward(params, grads, tape, dOutput, null, null, null);
      }
      ops++;
    } while (threads.getCurrentThreadCpuTime() - start < millis * 1_000_000L);
    return (threads.getCurrentThreadCpuTime() - start) / 1e6 / ops;
  }
}
