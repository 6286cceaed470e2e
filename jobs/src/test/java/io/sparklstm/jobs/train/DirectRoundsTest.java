package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.Sessions;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterInit;
import io.sparklstm.model.ParameterLayout;
import io.sparklstm.train.TrainingSetup;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerConfig;
import io.sparklstm.train.rules.RoundRules;
import io.sparklstm.train.rules.TrainingRules;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Direct rounds ({@link DirectRounds}) give the job path's bits: model, optimizer state, loss sums
 * and rounds, over two reshuffled epochs, for every outer rule and inner state, with dropout and
 * uneven shards (37 rows in batches of 6: a shard runs out a round early). On local[4], so that
 * 4 shards have a slot each, with Spark's network encryption on, so the frames are AES-GCM
 * (DirectRoundsRunTest runs them in the clear).
 */
class DirectRoundsTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    TestSpark.session().stop(); // one SparkContext per JVM: the shared local[2] one comes back after
    spark = SparkSession.builder().master("local[4]").appName("spark-lstm direct rounds test")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config("spark.kryo.registrator", Sessions.KRYO_REGISTRATOR)
        .config("spark.authenticate", "true").config("spark.network.crypto.enabled", "true").getOrCreate();
    assertTrue(DirectRounds.encrypted(JavaSparkContext.fromSparkContext(spark.sparkContext())));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @ParameterizedTest(name = "{0} workers={1} k={2} {3} {4} {5}")
  @CsvSource({"adam,2,1,average,average,none", "adam,2,2,average,keep,none", "sgd,2,1,bmuf,average,sqrt",
      "adam,2,1,diloco,reset-first-moment,linear", "adam,4,1,average,average,none", "adam,4,2,bmuf-nesterov,keep,sqrt",
      "sgd,4,1,diloco,average,none", "adam,3,1,average,keep,linear"})
  void directEqualsJobs(String optimizer, int workers, int k, String outer, String inner, String scaling) {
    TrainingRules rules = SparkAveragingLoopTest.rules(outer, inner, scaling, workers);
    TrainingSetup setup = setup(optimizer, workers, k);
    TrainingRows rows = rows(setup);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    BlockStore placed = BlockStore.build(sc, rows.rows, rows.count, setup);
    double lr = setup.optimizer().learningRate();
    SparkAveragingLoop jobs = new SparkAveragingLoop(sc, setup, placed, new RoundRules(rules, workers, lr))
        .roundExchange(RoundExchange.JOBS);
    SparkAveragingLoop direct = new SparkAveragingLoop(sc, setup, placed, new RoundRules(rules, workers, lr))
        .roundExchange(RoundExchange.DIRECT);
    TrainingState s1 = start(setup);
    TrainingState s2 = s1.copy();
    for (int epoch = 0; epoch < 2; epoch++) {
      SparkAveragingLoop.EpochOutcome a = jobs.trainEpoch(s1, epoch, 2);
      SparkAveragingLoop.EpochOutcome b = direct.trainEpoch(s2, epoch, 2);
      s1 = a.state();
      s2 = b.state();
      assertEquals("direct", direct.dataMetrics().get("round_exchange"));
      assertEquals("jobs", jobs.dataMetrics().get("round_exchange"));
      assertEquals(a.rounds(), b.rounds());
      assertEquals(a.sequences(), b.sequences());
      assertEquals(a.lossSum(), b.lossSum());
      assertArrayEquals(s1.parameters(), s2.parameters(), "epoch " + epoch);
      assertArrayEquals(s1.optimizer().buffers(), s2.optimizer().buffers());
      assertEquals(s1.optimizer().step(), s2.optimizer().step());
      assertEquals(a.lastLr(), b.lastLr());
    }
    jobs.close();
    direct.close();
    placed.release();
    rows.release();
  }

  /** A shard that diverges stops the epoch with the job path's message (its first line), not a retry. */
  @Test
  void aDivergedShardStopsTheRunWithTheJobsMessage() {
    TrainingSetup setup = setup("adam", 2, 1);
    TrainingRows rows = rows(setup);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    BlockStore placed = BlockStore.build(sc, rows.rows, rows.count, setup);
    sc.setLocalProperty(FaultInjection.NAN_AT_EPOCH, "1");
    try {
      String[] messages = new String[2];
      RoundExchange[] modes = {RoundExchange.JOBS, RoundExchange.DIRECT};
      for (int i = 0; i < 2; i++) {
        SparkAveragingLoop loop = new SparkAveragingLoop(sc, setup, placed, new RoundRules(TrainingRules.NEUTRAL, 2,
            setup.optimizer().learningRate())).roundExchange(modes[i]);
        Exception e = assertThrows(Exception.class, () -> loop.trainEpoch(start(setup), 0, 1));
        messages[i] = TrainRun.divergence(e).getMessage();
        loop.close();
      }
      assertEquals("training diverged at epoch 1, round 1, shard 1, batch 1: loss is NaN; lower "
          + "train.optimizer.learning-rate or set train.clip-grad-norm (e.g. 1.0)", messages[1]);
      assertEquals(messages[0], messages[1]);
    } finally {
      sc.setLocalProperty(FaultInjection.NAN_AT_EPOCH, null);
      placed.release();
      rows.release();
    }
  }

  /** The model: 2 layers with dropout; MSE on the last step; batches of 6 sequences, reshuffled. */
  private static TrainingSetup setup(String optimizer, int workers, int k) {
    ModelConfig model = new ModelConfig(new LstmConfig(3, 5, 2, true, false, 0.3, false, 0),
        new HeadConfig(2, HeadMode.LAST));
    OptimizerConfig oc = optimizer.equals("sgd")
        ? new OptimizerConfig("sgd", 0.05, 0.9, null, null, null, null, null, null, null) : OptimizerConfig.of(optimizer);
    return new TrainingSetup(model, LossType.MSE, oc.build(), 1.0, 0, 6, workers, k, true, 7);
  }

  /** 37 rows: shards of 18 and 19 rows at W = 2 (3 and 4 batches), 12, 12 and 13 at W = 3 (2, 2 and 3). */
  private static TrainingRows rows(TrainingSetup setup) {
    return TrainingRows.decode(SparkAveragingLoopTest.data(37, 3, 11, spark),
        new RowDecoder("features", "label", setup.model(), LossType.MSE, true), "test");
  }

  private static TrainingState start(TrainingSetup setup) {
    float[] init = ParameterInit.initialize(setup.model(), ParameterLayout.of(setup.model()), 3);
    return new TrainingState(init, setup.optimizer().init(init.length));
  }
}
