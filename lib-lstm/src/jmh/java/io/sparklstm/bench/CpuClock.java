package io.sparklstm.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The benchmark thread's CPU time per iteration, next to JMH's wall-clock score: JMH reports
 * {@code ops} and {@code cpuNanos} as secondary metrics (totals per iteration), and
 * {@code bin/bench-kernels} turns them into operations per CPU-second. On a machine shared with
 * other work the thread waits for a core part of the time; CPU time leaves that out (it does not
 * undo the cache pollution), so it estimates the speed on an idle machine.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuClock {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Operations completed in this iteration. */
  public long ops;
  /** CPU time of the benchmark thread from the start of this iteration to the end of its last operation. */
  public long cpuNanos;
  private long start;

  @Setup(Level.Iteration)
  public void startIteration() {
    ops = 0;
    cpuNanos = 0;
    start = THREADS.getCurrentThreadCpuTime();
  }

  /** Call after each operation (costs about a microsecond: only for operations of 100 us or more). */
  public void tick() {
    ops++;
    cpuNanos = THREADS.getCurrentThreadCpuTime() - start;
  }
}
