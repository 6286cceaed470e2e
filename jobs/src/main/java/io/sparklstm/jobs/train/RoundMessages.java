package io.sparklstm.jobs.train;

import io.sparklstm.jobs.train.link.LinkBroken;
import io.sparklstm.train.DivergenceException;
import io.sparklstm.train.ParameterAveraging;
import io.sparklstm.train.Trainer;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What direct rounds send, as raw big-endian numbers (no Java serialization of the big arrays):
 * start (driver to shard) = {@code lr f64, step f64, P i32, buffers i32, [parameters | buffers] f32};
 * result (shard to driver) = {@code shard i32, sequences i64, lossSum f64, step f64, nanos i64, n i32,
 * [parameters | buffers] f32}; or, when the shard's training diverged, {@code -1 i32, UTF-8 message}
 * (deterministic: retrying would diverge again, so the driver stops with it at once); or, when the
 * task failed otherwise, {@code -2 i32, UTF-8 exception} (the driver restarts the epoch and names it).
 */
final class RoundMessages {
  private static final int DIVERGED = -1;
  private static final int FAILED = -2;

  private RoundMessages() {}

  /** A shard's start: the state it trains from in place, and the round's learning rate. */
  record Start(TrainingState state, double learningRate) {}

  static byte[] start(TrainingState s, double learningRate) {
    float[] p = s.parameters();
    float[] b = s.optimizer().buffers();
    ByteBuffer out = ByteBuffer.allocate(24 + 4 * (p.length + b.length));
    out.putDouble(learningRate).putDouble(s.optimizer().step()).putInt(p.length).putInt(s.optimizer().bufferCount());
    out.asFloatBuffer().put(p).put(b);
    return out.array();
  }

  static Start start(byte[] message) {
    ByteBuffer in = ByteBuffer.wrap(message);
    double lr = in.getDouble();
    double step = in.getDouble();
    int parameterCount = in.getInt();
    int bufferCount = in.getInt();
    float[] p = new float[parameterCount];
    float[] b = new float[parameterCount * bufferCount];
    in.asFloatBuffer().get(p).get(b);
    return new Start(new TrainingState(p, new OptimizerState(step, parameterCount, b)), lr);
  }

  static byte[] result(Trainer.ShardResult r, long nanos) {
    float[] v = ParameterAveraging.flatten(r.state());
    ByteBuffer out = ByteBuffer.allocate(40 + 4 * v.length);
    out.putInt(r.shard()).putLong(r.sequences()).putDouble(r.lossSum()).putDouble(r.state().optimizer().step())
        .putLong(nanos).putInt(v.length);
    out.asFloatBuffer().put(v);
    return out.array();
  }

  static byte[] diverged(DivergenceException e) {
    return text(DIVERGED, e.getMessage());
  }

  static byte[] failed(Throwable e) {
    return text(FAILED, e.toString());
  }

  private static byte[] text(int marker, String message) {
    byte[] text = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + text.length).putInt(marker).put(text).array();
  }

  /**
   * A result as the slice (the whole flat vector) that {@link SliceMean#of} averages; throws the
   * shard's divergence, or a {@link LinkBroken} naming its failure.
   */
  static StateSlice result(byte[] message, int expectedShard) throws LinkBroken {
    ByteBuffer in = ByteBuffer.wrap(message);
    int shard = in.getInt();
    if (shard == DIVERGED) {
      throw new DivergenceException(new String(message, 4, message.length - 4, StandardCharsets.UTF_8));
    }
    if (shard == FAILED) {
      throw new LinkBroken("shard " + (expectedShard + 1) + " failed: "
          + new String(message, 4, message.length - 4, StandardCharsets.UTF_8));
    }
    long sequences = in.getLong();
    double lossSum = in.getDouble();
    double step = in.getDouble();
    long nanos = in.getLong();
    float[] v = new float[in.getInt()];
    in.asFloatBuffer().get(v);
    return new StateSlice(shard, sequences, lossSum, step, nanos, v);
  }
}
