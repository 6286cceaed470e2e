package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Direct rounds ({@link DirectRounds}) give the job path's bits: model, optimizer state, loss sums
 * and rounds, over two reshuffled epochs, for every outer rule and inner state, with dropout and
 * uneven shards (37 rows in batches of 6: a shard runs out a round early). On local[4], so that
 * 4 shards have a slot each.
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
        .config("spark.kryo.registrator", Sessions.KRYO_REGISTRATOR).getOrCreate();
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
    ModelConfig model = new ModelConfig(new LstmConfig(3, 5, 2, true, false, 0.3, false, 0),
        new HeadConfig(2, HeadMode.LAST));
    OptimizerConfig oc = optimizer.equals("sgd")
        ? new OptimizerConfig("sgd", 0.05, 0.9, null, null, null, null, null, null, null) : OptimizerConfig.of(optimizer);
    TrainingSetup setup = new TrainingSetup(model, LossType.MSE, oc.build(), 1.0, 0, 6, workers, k, true, 7);
    TrainingRows rows = TrainingRows.decode(SparkAveragingLoopTest.data(37, 3, 11, spark),
        new RowDecoder("features", "label", model, LossType.MSE, true), "test");
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    BlockStore placed = BlockStore.build(sc, rows.rows, rows.count, setup);
    double lr = setup.optimizer().learningRate();
    SparkAveragingLoop jobs = new SparkAveragingLoop(sc, setup, placed, new RoundRules(rules, workers, lr))
        .roundExchange(RoundExchange.JOBS);
    SparkAveragingLoop direct = new SparkAveragingLoop(sc, setup, placed, new RoundRules(rules, workers, lr))
        .roundExchange(RoundExchange.DIRECT);
    float[] init = ParameterInit.initialize(model, ParameterLayout.of(model), 3);
    TrainingState s1 = new TrainingState(init, setup.optimizer().init(init.length));
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
}
