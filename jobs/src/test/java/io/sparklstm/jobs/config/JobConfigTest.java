package io.sparklstm.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.UserError;
import io.sparklstm.model.HeadMode;
import io.sparklstm.train.rules.InnerState;
import io.sparklstm.train.rules.LrScaling;
import io.sparklstm.train.rules.LrSchedule;
import io.sparklstm.train.rules.OuterRule;
import io.sparklstm.train.rules.TrainingRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {
  @TempDir
  Path dir;

  private static String error(Runnable r) {
    return assertThrows(UserError.class, r::run).getMessage();
  }

  @Test
  void defaultsComeFromReferenceConf() {
    JobConfig c = JobConfig.load(null, List.of());
    assertEquals(Optional.empty(), c.spark().master());
    assertEquals(Map.of(), c.spark().conf());
    assertEquals(1, c.model().numLayers());
    assertTrue(c.model().bias());
    assertEquals(0.0, c.model().dropout());
    assertEquals(HeadMode.LAST, c.model().headMode());
    assertEquals(ModelSection.Loss.MSE, c.model().loss());
    assertEquals("parquet", c.data().train().format());
    assertEquals(Optional.empty(), c.data().validation());
    assertEquals("features", c.data().featuresColumn());
    assertEquals(10, c.train().epochs());
    assertEquals(OptimizerSection.Type.ADAM, c.train().optimizer().type());
    assertEquals(0.0, c.train().optimizer().weightDecay());
    // auto, chosen by measurement (docs/SCALING.md); neutral with one worker (LocalAveragingLoopTest)
    assertEquals(16, c.train().averagingFrequency());
    TrainingRules rules = c.train().rules().rules();
    assertEquals(new LrScaling(LrScaling.Kind.THREE_QUARTERS, 0), rules.scaling());
    assertEquals(LrSchedule.Type.CONSTANT, rules.schedule().type());
    assertEquals(OuterRule.AVERAGE, rules.outer());
    assertEquals(InnerState.AVERAGE, rules.inner());
    assertEquals(List.of("prediction"), c.predict().columns());
    assertEquals(1, c.window().horizon());
    assertEquals(GenerateSection.Kind.SERIES, c.generate().kind());
    assertFalse(c.isSet("train.epochs"));
  }

  @Test
  void autoAveragingFrequencyFollowsTheWorkers() {
    int[][] expected = {{1, 16}, {2, 16}, {8, 16}, {15, 16}, {16, 4}, {32, 4}, {64, 4}};
    for (int[] e : expected) {
      JobConfig c = JobConfig.load(null, List.of("train.workers=" + e[0]));
      assertEquals(e[1], c.train().averagingFrequency(), "workers = " + e[0]);
    }
    assertEquals(16, JobConfig.load(null, List.of("train.workers=32", "train.averaging-frequency=16"))
        .train().averagingFrequency());
    assertEquals(0, JobConfig.load(null, List.of("train.workers=32", "train.averaging-frequency=0"))
        .train().averagingFrequency());
    assertEquals(4, JobConfig.load(null, List.of("train.workers=16", "train.averaging-frequency=auto"))
        .train().averagingFrequency());
    assertEquals("train.averaging-frequency: expected auto or an integer >= 0, got number -1 (command line)",
        error(() -> JobConfig.load(null, List.of("train.averaging-frequency=-1"))));
  }

  @Test
  void fileThenOverrides() throws Exception {
    Path f = dir.resolve("run.conf");
    Files.writeString(f, "train { epochs = 5, batch-size = 8 }\nspark.master = \"local[2]\"\n"
        + "spark.conf { \"spark.sql.shuffle.partitions\" = 4, spark.executor.memory = 2g }\n");
    JobConfig c = JobConfig.load(f, List.of("train.epochs=3", "predict.columns=[output,h_n]",
        "window.input.path=hdfs://nn:8020/data//x", "model.lstm.hidden-size=16", "model.lstm.proj-size=4"));
    assertEquals(3, c.train().epochs());
    assertEquals(8, c.train().batchSize());
    assertEquals(Optional.of("local[2]"), c.spark().master());
    assertEquals(Map.of("spark.sql.shuffle.partitions", "4", "spark.executor.memory", "2g"), c.spark().conf());
    assertEquals(List.of("output", "h_n"), c.predict().columns());
    assertEquals("hdfs://nn:8020/data//x", c.window().input().path());
    assertEquals(16, c.model().hiddenSize().getAsInt());
    assertTrue(c.isSet("train.epochs"));
    assertTrue(c.isSet("train.batch-size"));
    assertFalse(c.isSet("train.shuffle"));
  }

  @Test
  void laterOverridesWinAndStringsNeedNoQuotes() {
    JobConfig c = JobConfig.load(null, List.of("spark.master=local[2]", "spark.master=local[4]",
        "data.train.filter=time < 100", "spark.conf.spark.sql.shuffle.partitions=8"));
    assertEquals(Optional.of("local[4]"), c.spark().master());
    assertEquals("time < 100", c.data().train().filter());
    assertEquals(Map.of("spark.sql.shuffle.partitions", "8"), c.spark().conf());
  }

  @Test
  void unknownKeyIsNamedWithASuggestion() {
    assertEquals("unknown key train.epoch (did you mean train.epochs?)",
        error(() -> JobConfig.load(null, List.of("train.epoch=3"))));
    assertEquals("unknown key train.hidden-size (did you mean model.lstm.hidden-size?)",
        error(() -> JobConfig.parse("train { hidden-size = 3 }")));
    assertEquals("unknown key bogus", error(() -> JobConfig.parse("bogus = 1")));
    assertEquals("unknown key window.output.compression",
        error(() -> JobConfig.parse("window.output.compression = zstd")).replaceAll(" \\(did.*", ""));
  }

  @Test
  void freeFormMapsAcceptAnyKey() {
    JobConfig c = JobConfig.parse("window.input.options { header = true, sep = \";\" }");
    assertEquals(Map.of("header", "true", "sep", ";"), c.window().input().options());
  }

  @Test
  void objectWhereAValueIsExpectedAndViceVersa() {
    assertEquals("train.epochs: expected a single value, got an object",
        error(() -> JobConfig.parse("train.epochs { x = 1 }")));
    assertTrue(error(() -> JobConfig.parse("data.train = x")).startsWith("data.train: expected an object"));
  }

  @Test
  void wrongTypeNamesKeyAndExpectedType() {
    String m = error(() -> JobConfig.load(null, List.of("train.epochs=three")));
    assertEquals("train.epochs: expected an integer, got string \"three\" (command line)", m);
    assertTrue(error(() -> JobConfig.parse("train.shuffle = maybe"))
        .startsWith("train.shuffle: expected a boolean"));
    assertTrue(error(() -> JobConfig.parse("window.value-columns = v0"))
        .startsWith("window.value-columns: expected a list of strings"));
    assertTrue(error(() -> JobConfig.parse("train.epochs = 2.5")).startsWith("train.epochs: expected an integer"));
  }

  @Test
  void outOfRangeNamesKeyAndRange() {
    assertEquals("train.epochs must be an integer >= 1, got 0", error(() -> JobConfig.parse("train.epochs = 0")));
    assertEquals("model.lstm.dropout must be a number in [0, 1], got 1.5",
        error(() -> JobConfig.parse("model.lstm.dropout = 1.5")));
    assertEquals("train.optimizer.beta1 must be a number in [0, 1), got 1",
        error(() -> JobConfig.parse("train.optimizer.beta1 = 1")));
    assertEquals("model.loss must be one of mse | cross-entropy, got \"mae\"",
        error(() -> JobConfig.parse("model.loss = mae")));
    assertEquals("predict.columns: unknown column \"logits\"; expected any of [prediction, output, h_n, c_n]",
        error(() -> JobConfig.parse("predict.columns = [logits]")));
    assertEquals("model.lstm.proj-size must be smaller than model.lstm.hidden-size, got proj-size=8 hidden-size=8",
        error(() -> JobConfig.parse("model.lstm { hidden-size = 8, proj-size = 8 }")));
  }

  @Test
  void missingRequiredKeyOnlyWhenNeeded() {
    JobConfig c = JobConfig.parse("");
    assertEquals("missing required key window.length", error(() -> c.window().length()));
    assertEquals("missing required key output.model", error(() -> c.output().model()));
    assertEquals("missing required key model.lstm.input-size", error(() -> c.model().lstmConfig()));
    assertEquals("missing required key data.train.path", error(() -> c.data().train().path()));
  }

  @Test
  void weightDecayDefaultsPerOptimizer() {
    assertEquals(0.01, JobConfig.parse("train.optimizer.type = adamw").train().optimizer().weightDecay());
    assertEquals(0.0, JobConfig.parse("train.optimizer.type = sgd").train().optimizer().weightDecay());
    assertEquals(0.5, JobConfig.parse("train.optimizer { type = adamw, weight-decay = 0.5 }")
        .train().optimizer().weightDecay());
  }

  @Test
  void lstmConfigFromKeys() {
    var lstm = JobConfig.parse("model.lstm { input-size = 3, hidden-size = 8, num-layers = 2, bidirectional = true }")
        .model().lstmConfig();
    assertEquals(3, lstm.inputSize());
    assertEquals(8, lstm.hiddenSize());
    assertEquals(2, lstm.numLayers());
    assertTrue(lstm.bidirectional());
  }

  @Test
  void wrongTypeInAFileNamesFileAndLine() throws Exception {
    Path f = dir.resolve("run.conf");
    Files.writeString(f, "train {\n  epochs = many\n}\n");
    assertEquals("train.epochs: expected an integer, got string \"many\" (" + f + ": 2)",
        error(() -> JobConfig.load(f, List.of())));
  }

  @Test
  void badFileAndBadOverride() throws Exception {
    assertTrue(error(() -> JobConfig.load(dir.resolve("nope.conf"), List.of())).endsWith("does not exist"));
    Path f = dir.resolve("bad.conf");
    Files.writeString(f, "train {\n epochs = \n");
    assertTrue(error(() -> JobConfig.load(f, List.of())).startsWith("config file "));
    assertEquals("expected key=value, got \"epochs\"", error(() -> JobConfig.load(null, List.of("epochs"))));
  }

  @Test
  void substitutionsResolve() {
    JobConfig c = JobConfig.parse("window.input.path = /data/in\nwindow.output.path = ${window.input.path}-windows\n");
    assertEquals("/data/in-windows", c.window().output().path());
  }

  @Test
  void renderedConfigShowsResolvedValues() {
    JobConfig c = JobConfig.load(null, List.of("train.epochs=7"));
    String hocon = c.render("train");
    assertTrue(hocon.contains("epochs: 7"), hocon);
    assertEquals(1, hocon.lines().count(), hocon);
    assertFalse(hocon.contains("window"));
    assertTrue(c.renderJson().contains("\"epochs\":7"));
  }

  @Test
  void lossCurveScale() {
    assertEquals(TrainSection.LossCurveScale.AUTO, JobConfig.parse("").train().lossCurveScale());
    assertEquals(TrainSection.LossCurveScale.LOG,
        JobConfig.parse("train.loss-curve-scale = log").train().lossCurveScale());
    assertEquals("train.loss-curve-scale must be one of linear | log | auto, got \"logarithmic\"",
        error(() -> JobConfig.parse("train.loss-curve-scale = logarithmic")));
  }
}
