package io.sparklstm.jobs.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.train.Evaluation;
import io.sparklstm.train.LabeledSequence;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.rules.RoundStart;
import io.sparklstm.train.optim.OptimizerState;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Kryo serializers for what Spark moves and caches of ours: decoded rows (shuffled into shards),
 * packed mini-batches (cached, spilled to disk), state slices (shuffled to the averaging reducers)
 * and training states and round starts (broadcast). Arrays are written whole, so (de)serialization is close to a copy.
 * Records need these: Kryo's field serializer cannot set a record's final fields.
 */
public final class KryoRegistration implements KryoRegistrator {

  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(float[].class);
    kryo.register(int[].class);
    kryo.register(LabeledSequence.class, new Serializer<LabeledSequence>() {
      @Override
      public void write(Kryo k, Output out, LabeledSequence r) {
        out.writeLong(r.index());
        writeFloats(out, r.features());
        writeFloats(out, r.targets());
        writeInts(out, r.classes());
      }

      @Override
      public LabeledSequence read(Kryo k, Input in, Class<LabeledSequence> type) {
        return new LabeledSequence(in.readLong(), readFloats(in), readFloats(in), readInts(in));
      }
    });
    kryo.register(SequenceBatch.class, new Serializer<SequenceBatch>() {
      @Override
      public void write(Kryo k, Output out, SequenceBatch b) {
        out.writeInt(b.inputSize());
        writeInts(out, b.sortedLengths());
        writeInts(out, b.order());
        writeFloats(out, b.features());
        out.writeInt(b.targetWidth());
        writeFloats(out, b.targets());
        writeInts(out, b.classes());
      }

      @Override
      public SequenceBatch read(Kryo k, Input in, Class<SequenceBatch> type) {
        return SequenceBatch.ofPacked(in.readInt(), readInts(in), readInts(in), readFloats(in), in.readInt(),
            readFloats(in), readInts(in));
      }
    });
    kryo.register(StateSlice.class, new Serializer<StateSlice>() {
      @Override
      public void write(Kryo k, Output out, StateSlice s) {
        out.writeInt(s.shard());
        out.writeLong(s.sequences());
        out.writeDouble(s.lossSum());
        out.writeDouble(s.step());
        out.writeLong(s.nanos());
        writeFloats(out, s.values());
      }

      @Override
      public StateSlice read(Kryo k, Input in, Class<StateSlice> type) {
        return new StateSlice(in.readInt(), in.readLong(), in.readDouble(), in.readDouble(), in.readLong(),
            readFloats(in));
      }
    });
    kryo.register(SliceMean.class, new Serializer<SliceMean>() {
      @Override
      public void write(Kryo k, Output out, SliceMean m) {
        writeFloats(out, m.values());
        out.writeLong(m.sequences());
        out.writeDouble(m.lossSum());
        out.writeDouble(m.step());
        out.writeInt(m.shards());
        out.writeLong(m.slowestNanos());
        out.writeLong(m.totalNanos());
      }

      @Override
      public SliceMean read(Kryo k, Input in, Class<SliceMean> type) {
        return new SliceMean(readFloats(in), in.readLong(), in.readDouble(), in.readDouble(), in.readInt(),
            in.readLong(), in.readLong());
      }
    });
    kryo.register(RoundStart.class, new Serializer<RoundStart>() {
      @Override
      public void write(Kryo k, Output out, RoundStart r) {
        k.writeObject(out, r.state());
        out.writeDouble(r.learningRate());
        out.writeInt(r.shards() == null ? -1 : r.shards().length);
        if (r.shards() != null) {
          for (OptimizerState o : r.shards()) {
            out.writeDouble(o.step());
            out.writeInt(o.parameterCount());
            writeFloats(out, o.buffers());
          }
        }
      }

      @Override
      public RoundStart read(Kryo k, Input in, Class<RoundStart> type) {
        TrainingState state = k.readObject(in, TrainingState.class);
        double lr = in.readDouble();
        int n = in.readInt();
        OptimizerState[] shards = n < 0 ? null : new OptimizerState[n];
        for (int w = 0; w < n; w++) {
          double step = in.readDouble();
          shards[w] = new OptimizerState(step, in.readInt(), readFloats(in));
        }
        return new RoundStart(state, shards, lr);
      }
    });
    kryo.register(TrainingState.class, new Serializer<TrainingState>() {
      @Override
      public void write(Kryo k, Output out, TrainingState s) {
        writeFloats(out, s.parameters());
        OptimizerState o = s.optimizer();
        out.writeDouble(o.step());
        out.writeInt(o.parameterCount());
        writeFloats(out, o.buffers());
      }

      @Override
      public TrainingState read(Kryo k, Input in, Class<TrainingState> type) {
        float[] params = readFloats(in);
        double step = in.readDouble();
        int count = in.readInt();
        return new TrainingState(params, new OptimizerState(step, count, readFloats(in)));
      }
    });
    kryo.register(Evaluation.class);
  }

  /** Length (-1 for null) then the values. */
  static void writeFloats(Output out, float[] a) {
    if (a == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(a.length);
    out.writeFloats(a);
  }

  static float[] readFloats(Input in) {
    int n = in.readInt();
    return n < 0 ? null : in.readFloats(n);
  }

  static void writeInts(Output out, int[] a) {
    if (a == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(a.length);
    out.writeInts(a);
  }

  static int[] readInts(Input in) {
    int n = in.readInt();
    return n < 0 ? null : in.readInts(n);
  }
}
