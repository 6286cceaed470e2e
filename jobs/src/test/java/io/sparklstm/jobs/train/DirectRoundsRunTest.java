package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.ChildMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct rounds end to end through {@code Main} in fresh JVMs: the model file has the bytes of a job
 * per round, also when a task fails mid-epoch (the epoch restarts from its start) and when a run is
 * resumed; {@code auto} takes jobs when the application has fewer task slots than shards. The data
 * and config are {@link DeterminismTest}'s (3 shards, dropout, reshuffled, a round every 2 batches).
 */
class DirectRoundsRunTest {
  @TempDir
  Path dir;

  @Test
  void directRoundsGiveTheJobsModelBytes() throws Exception {
    Path config = DeterminismTest.writeSetup(dir);
    byte[] jobs = train(config, "jobs", "spark.master=local[4]", "train.round-exchange=jobs");

    String direct = run(config, "direct", "spark.master=local[4]");
    assertTrue(direct.contains("rounds: direct (one Spark job per epoch, 3 shards on 4 task slots)"), direct);
    assertArrayEquals(jobs, model("direct"), "direct rounds give another model than a job per round");
    assertTrue(Files.readString(dir.resolve("direct/model.safetensors.metrics.jsonl"))
        .contains("\"round_exchange\":\"direct\""), "the metrics lines name the exchange");

    // shard 2's task fails in round 2 of every epoch's first attempt; Spark retries it, the epoch restarts
    String retried = run(config, "retried", "spark.master=local[4,2]",
        "spark.conf.\"" + FaultInjection.FAIL_FIRST_ATTEMPTS + "\"=true");
    assertTrue(retried.contains("round 2: shard 2 failed: java.lang.IllegalStateException: injected failure ("
        + FaultInjection.FAIL_FIRST_ATTEMPTS + "): direct rounds, round 2 of shard 2, partition 1, attempt 0;"
        + " restarting the epoch from its start (attempt 2 of 2)"), retried);
    assertArrayEquals(jobs, model("retried"), "the model after a restarted epoch differs");

    train(config, "resumed", "spark.master=local[4]", "train.epochs=1");
    String resumed = run(config, "resumed", "spark.master=local[4]", "train.resume=true");
    assertTrue(resumed.contains("resuming after epoch 1") && resumed.contains("rounds: direct"), resumed);
    assertArrayEquals(jobs, model("resumed"), "the resumed model differs");

    String auto = run(config, "auto", "spark.master=local[2]");
    assertTrue(auto.contains("rounds: a Spark job per round (direct needs 3 task slots at once, the application"
        + " has 2)"), auto);
    assertArrayEquals(jobs, model("auto"));
  }

  @Test
  void aFailureEveryAttemptEndsWithSparksError() throws Exception {
    Path config = DeterminismTest.writeSetup(dir);
    // one attempt per task (local[4]): the injected failure fails the job, and the run, as a job per round would
    ChildMain.Result r = ChildMain.run("1g", List.of("train", "--config", config.toString(),
        "output.model=" + dir.resolve("failed/model.safetensors"), "spark.master=local[4]",
        "spark.conf.\"" + FaultInjection.FAIL_FIRST_ATTEMPTS + "\"=true"));
    assertEquals(1, r.exit(), r.output());
    assertTrue(r.output().contains("injected failure (" + FaultInjection.FAIL_FIRST_ATTEMPTS
        + "): direct rounds, round 2 of shard 2"), r.output());
    assertTrue(!Files.exists(dir.resolve("failed/model.safetensors")), "a failed run left a model");
  }

  private byte[] model(String name) throws Exception {
    return Files.readAllBytes(dir.resolve(name + "/model.safetensors"));
  }

  private byte[] train(Path config, String name, String... overrides) throws Exception {
    run(config, name, overrides);
    return model(name);
  }

  private String run(Path config, String name, String... overrides) throws Exception {
    return DeterminismTest.run(dir, config, name, overrides);
  }
}
