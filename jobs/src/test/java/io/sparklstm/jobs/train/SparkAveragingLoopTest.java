package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.TestSpark;
import io.sparklstm.lstm.Kernels;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterInit;
import io.sparklstm.model.ParameterLayout;
import io.sparklstm.train.LabeledSequence;
import io.sparklstm.train.LocalAveragingLoop;
import io.sparklstm.train.rules.InnerState;
import io.sparklstm.train.rules.LrScaling;
import io.sparklstm.train.rules.LrSchedule;
import io.sparklstm.train.rules.OuterRule;
import io.sparklstm.train.rules.RoundRules;
import io.sparklstm.train.rules.TrainingRules;
import io.sparklstm.train.TrainingSetup;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import io.sparklstm.jobs.TestSpark;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Spark averaging loop equals the plain-Java loop bit for bit: SGD and Adam, averaging once per
 * epoch and every k mini-batches, one worker and several, with and without shuffling.
 */
class SparkAveragingLoopTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
  }

  static Dataset<Row> data(int rows, int inputSize, long seed) {
    return data(rows, inputSize, seed, spark);
  }

  static Dataset<Row> data(int rows, int inputSize, long seed, SparkSession spark) {
    Random r = new Random(seed);
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      int steps = 1 + r.nextInt(7);
      List<List<Float>> x = new ArrayList<>();
      for (int t = 0; t < steps; t++) {
        List<Float> v = new ArrayList<>();
        for (int k = 0; k < inputSize; k++) {
          v.add((float) r.nextGaussian());
        }
        x.add(v);
      }
      list.add(RowFactory.create(x, List.of((float) r.nextGaussian(), (float) r.nextGaussian())));
    }
    StructType schema = new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)))
        .add("label", DataTypes.createArrayType(DataTypes.FloatType));
    return spark.createDataFrame(list, schema).repartition(3);
  }

  /** The bytes of the rows packed into blocks: index, end offsets and values (see RowBlock#payloadBytes). */
  static long payloadBytes(List<LabeledSequence> rows) {
    long bytes = 0;
    for (LabeledSequence r : rows) {
      bytes += 8 + 4 + 4L * r.features().length + 4 + 4L * r.targets().length;
    }
    return bytes;
  }

  /**
   * averaging: driver = collected and averaged on the driver; slices = reduced on the executors in
   * 3-float slices. The 5000-row cases have several blocks and groups per shard (blocks of 256 rows,
   * groups of 4 blocks = one round of 8 batches of 128), a short last block, and a short last round.
   */
  @ParameterizedTest(name = "{0} workers={1} k={2} shuffle={3} averaging on {4}, {5} rows, batch {6}")
  @CsvSource({"sgd,1,0,false,driver,37,4", "adam,1,2,false,driver,37,4", "sgd,3,0,false,driver,37,4",
      "adam,3,2,false,driver,37,4", "adam,4,1,true,driver,37,4", "sgd,2,3,true,driver,37,4",
      "sgd,3,0,false,slices,37,4", "adam,3,2,false,slices,37,4", "adam,4,1,true,slices,37,4",
      "adam,2,8,true,driver,5000,128", "sgd,3,8,false,driver,5000,128", "adam,2,0,true,driver,5000,128"})
  void sparkEqualsPlainJava(String optimizer, int workers, int k, boolean shuffle, String averaging, int n,
                            int batchSize) {
    compare(optimizer, workers, k, shuffle, averaging, TrainingRules.NEUTRAL, n, batchSize);
  }

  /**
   * The driver's rules (outer rule, inner state, learning rates) give the same bits and rounds on Spark
   * as in plain Java. One worker (10 batches) trains an epoch in one round unless a rule acts per round.
   */
  @ParameterizedTest(name = "{0} workers={1} k={2} {4} {5} {6}: {7} rounds")
  @CsvSource({"adam,3,2,slices,bmuf-nesterov,keep,sqrt,2", "sgd,4,1,driver,diloco,reset-first-moment,linear,3",
      "adam,2,0,slices,bmuf,average,none,1", "adam,1,2,slices,average,keep,linear,1",
      "adam,1,3,driver,average,reset-first-moment,sqrt,4", "sgd,1,2,driver,bmuf,average,none,5"})
  void sparkEqualsPlainJavaWithRules(String optimizer, int workers, int k, String averaging, String outer,
                                     String inner, String scaling, int rounds) {
    assertEquals(rounds, compare(optimizer, workers, k, true, averaging, rules(outer, inner, scaling, workers), 37, 4));
  }

  /** The rules the parameterized tests name: outer average | bmuf | bmuf-nesterov | diloco, a cosine schedule. */
  static TrainingRules rules(String outer, String inner, String scaling, int workers) {
    OuterRule rule = switch (outer) {
      case "average" -> OuterRule.AVERAGE;
      case "bmuf-nesterov" -> new OuterRule(OuterRule.Type.BMUF, OuterRule.bmufMomentum(workers), 1, true, 1);
      case "bmuf" -> new OuterRule(OuterRule.Type.BMUF, 0.6, 0.9, false, 1);
      default -> new OuterRule(OuterRule.Type.DILOCO, 0.9, 1, true, 0.7);
    };
    LrSchedule cosine = new LrSchedule(LrSchedule.Type.COSINE, 1, 1, 2, 0.001, 1, 0.5, null);
    return new TrainingRules(new LrScaling(LrScaling.Kind.valueOf(scaling.toUpperCase()), 0.7), cosine, rule,
        InnerState.valueOf(inner.replace('-', '_').toUpperCase()));
  }

  /**
   * A loop on blocks placed by its caller (as `train` does) leaves them cached when it closes: they are the
   * caller's to release, and releasing them twice made Spark warn once per block.
   */
  @Test
  void aLoopLeavesBlocksItWasGivenToTheirOwner() {
    ModelConfig model = new ModelConfig(new LstmConfig(3, 5, 1, true, false, 0, false, 0),
        new HeadConfig(2, HeadMode.LAST));
    OptimizerConfig oc = OptimizerConfig.of("adam");
    TrainingSetup setup = new TrainingSetup(model, LossType.MSE, oc.build(), 1.0, 0, 4, 2, 2, true, 7);
    TrainingRows rows = TrainingRows.decode(data(37, 3, 11), new RowDecoder("features", "label", model,
        LossType.MSE, true), "test");
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    BlockStore placed = BlockStore.build(sc, rows.rows, rows.count, setup);
    SparkAveragingLoop loop = new SparkAveragingLoop(sc, setup, placed,
        new RoundRules(TrainingRules.NEUTRAL, 2, setup.optimizer().learningRate()));
    float[] init = ParameterInit.initialize(model, ParameterLayout.of(model), 3);
    loop.trainEpoch(new TrainingState(init, setup.optimizer().init(init.length)), 0, 1);
    loop.close();
    long[] cached = placed.cachedBytes(sc);
    assertTrue(cached[0] + cached[1] > 0, "the caller's blocks were released by the loop");
    placed.release();
    rows.release();
  }

  /** Returns the rounds of the last epoch. */
  private int compare(String optimizer, int workers, int k, boolean shuffle, String averaging, TrainingRules rules,
                      int n, int batchSize) {
    ModelConfig model = new ModelConfig(new LstmConfig(3, 5, 2, true, false, 0.3, false, 0),
        new HeadConfig(2, HeadMode.LAST));
    OptimizerConfig oc = OptimizerConfig.of(optimizer);
    if (optimizer.equals("sgd")) {
      oc = new OptimizerConfig("sgd", 0.05, 0.9, null, null, null, null, null, null, null);
    }
    TrainingSetup setup = new TrainingSetup(model, LossType.MSE, oc.build(), 1.0, 0, batchSize, workers, k, shuffle,
        7);
    Dataset<Row> df = data(n, 3, 11);
    RowDecoder decoder = new RowDecoder("features", "label", model, LossType.MSE, true);
    TrainingRows rows = TrainingRows.decode(df, decoder, "test");
    List<LabeledSequence> local = rows.rows.collect();

    float[] init = ParameterInit.initialize(model, ParameterLayout.of(model), 3);
    TrainingState start = new TrainingState(init, setup.optimizer().init(init.length));
    double lr = setup.optimizer().learningRate();
    SparkAveragingLoop loop = new SparkAveragingLoop(JavaSparkContext.fromSparkContext(spark.sparkContext()), setup,
        rows.rows, rows.count, new RoundRules(rules, workers, lr));
    if (averaging.equals("slices")) {
      loop.averageOnExecutors(3);
    }
    LocalAveragingLoop reference = new LocalAveragingLoop(setup, new RoundRules(rules, workers, lr), Kernels.best());
    TrainingState s1 = start.copy();
    TrainingState s2 = start.copy();
    int rounds = 0;
    for (int epoch = 0; epoch < 2; epoch++) {
      SparkAveragingLoop.EpochOutcome a = loop.trainEpoch(s1, epoch, 2);
      LocalAveragingLoop.EpochResult b = reference.trainEpoch(s2, local, epoch);
      s1 = a.state();
      s2 = b.state();
      assertEquals(b.sequences(), a.sequences());
      assertEquals(b.rounds(), a.rounds());
      rounds = a.rounds();
      assertEquals(b.lossSum(), a.lossSum());
      assertArrayEquals(s2.parameters(), s1.parameters(), "epoch " + epoch);
      assertArrayEquals(s2.optimizer().buffers(), s1.optimizer().buffers());
      assertEquals(s2.optimizer().step(), s1.optimizer().step());
      if (k * batchSize == 4 * TrainingSetup.MIN_BLOCK_ROWS) { // a round is a group: every block is read once
        assertEquals(payloadBytes(local), loop.dataMetrics().get("blocks_read_bytes"), "epoch " + epoch);
      }
      assertEquals(b.firstLr(), a.firstLr());
      assertEquals(b.lastLr(), a.lastLr());
    }
    loop.close();
    rows.release();
    return rounds;
  }
}
