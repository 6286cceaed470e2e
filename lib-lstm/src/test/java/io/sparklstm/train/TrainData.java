package io.sparklstm.train;

import io.sparklstm.blas.Gemm;
import io.sparklstm.lstm.Kernels;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterInit;
import io.sparklstm.model.SequenceModel;
import io.sparklstm.train.optim.Optimizer;
import io.sparklstm.train.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small models and datasets for the training-loop tests. */
final class TrainData {
  private TrainData() {}

  /** A 2-layer LSTM with dropout and an every-step MSE head of 2 outputs (so dropout seeds matter). */
  static final ModelConfig MODEL = new ModelConfig(
      LstmConfig.of(3, 4).withNumLayers(2).withDropout(0.25), new HeadConfig(2, HeadMode.EVERY_STEP));

  /**
   * The model with the scalar cell and the pure-Java GEMM: kernels that give the same bits in
   * interpreted and compiled code (see JitDeterminismTest), so bit-for-bit comparisons between two
   * runs in one JVM cannot depend on when the JIT compiled what.
   */
  static SequenceModel model() {
    return new SequenceModel(MODEL, Kernels.scalarCell(Gemm.javaGemm()));
  }

  static Optimizer adam() {
    return new OptimizerConfig("adam", 0.01, null, null, null, null, null, null, 0.01, null).build();
  }

  static Trainer trainer(SequenceModel model, Optimizer optimizer) {
    return new Trainer(model, LossType.MSE, optimizer, 1.0, 0);
  }

  /** The averaging loop over {@link #model()}'s kernels with {@link #trainer}'s loss and clipping. */
  static LocalAveragingLoop loop(SequenceModel model, Optimizer optimizer, int batchSize, int workers, int frequency,
                                 boolean shuffle, long seed) {
    return new LocalAveragingLoop(setup(model, optimizer, batchSize, workers, frequency, shuffle, seed),
        Kernels.scalarCell(Gemm.javaGemm()));
  }

  static TrainingSetup setup(SequenceModel model, Optimizer optimizer, int batchSize, int workers, int frequency,
                             boolean shuffle, long seed) {
    return new TrainingSetup(model.config(), LossType.MSE, optimizer, 1.0, 0, batchSize, workers, frequency,
        shuffle, seed);
  }

  static TrainingState initialState(SequenceModel model, Optimizer optimizer, long seed) {
    float[] params = ParameterInit.initialize(model.config(), model.layout(), seed);
    return new TrainingState(params, optimizer.init(params.length));
  }

  /** n rows of random length in [1, 6], every-step MSE labels of width 2. */
  static List<LabeledSequence> rows(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<LabeledSequence> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int t = 1 + r.nextInt(6);
      float[] x = new float[t * 3];
      float[] y = new float[t * 2];
      for (int j = 0; j < x.length; j++) {
        x[j] = (float) r.nextGaussian();
      }
      for (int j = 0; j < y.length; j++) {
        y[j] = (float) r.nextGaussian();
      }
      rows.add(new LabeledSequence(i, x, y, null));
    }
    return rows;
  }
}
