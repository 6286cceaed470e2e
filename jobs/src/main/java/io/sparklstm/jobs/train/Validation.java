package io.sparklstm.jobs.train;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.model.SequenceModel;
import io.sparklstm.train.Evaluation;
import io.sparklstm.train.LabeledSequence;
import io.sparklstm.train.TrainingSetup;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Validation metrics each epoch: the validation rows in cached mini-batches (the only copy kept),
 * scored where they live.
 */
final class Validation {
  private final JavaSparkContext sc;
  private final TrainingSetup setup;
  private final JavaRDD<SequenceBatch> batches;

  /** Cuts each partition's rows, in order, into mini-batches, and caches them serialized (memory, then disk). */
  Validation(JavaSparkContext sc, TrainingSetup setup, JavaRDD<LabeledSequence> rows) {
    this.sc = sc;
    this.setup = setup;
    this.batches = rows.mapPartitions(it -> new Chunks(it, setup), true).persist(StorageLevel.MEMORY_AND_DISK_SER());
  }

  /** Scores {@code parameters} on every validation row. */
  Evaluation evaluate(float[] parameters, int epoch, int epochs) {
    sc.setJobDescription("spark-lstm train: validation after epoch " + (epoch + 1) + "/" + epochs);
    Broadcast<float[]> shared = sc.broadcast(parameters);
    ModelConfig config = setup.model();
    io.sparklstm.model.LossType loss = setup.loss();
    try {
      return batches.mapPartitions(it -> {
        SequenceModel model = new SequenceModel(config, Kernels.best());
        SequenceModel.Workspace ws = model.newWorkspace();
        Evaluation e = new Evaluation(loss);
        float[] params = shared.value();
        while (it.hasNext()) {
          SequenceBatch b = it.next();
          e.add(b, model.predict(params, b, null, ws), model.predictionSize());
        }
        return List.of(e).iterator();
      }).reduce(Evaluation::merge);
    } finally {
      shared.destroy();
      sc.setJobDescription(null);
    }
  }

  /** Removes the cached batches, waiting for it ({@link CachedRdds#release}). */
  void release() {
    CachedRdds.release(batches, "validation batches");
  }

  /** Consecutive rows of a partition in mini-batches of {@code batchSize} (the last may be smaller). */
  private static final class Chunks implements Iterator<SequenceBatch> {
    private final Iterator<LabeledSequence> rows;
    private final TrainingSetup setup;

    Chunks(Iterator<LabeledSequence> rows, TrainingSetup setup) {
      this.rows = rows;
      this.setup = setup;
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public SequenceBatch next() {
      List<LabeledSequence> part = new ArrayList<>(setup.batchSize());
      while (rows.hasNext() && part.size() < setup.batchSize()) {
        part.add(rows.next());
      }
      return LabeledSequence.batches(part, setup.batchSize(), setup.model(), setup.loss())[0];
    }
  }
}
