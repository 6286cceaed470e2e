package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.jobs.config.JobConfig;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SessionsTest {
  @Test
  void launcherModeUsesTheConfigsMasterOrLocalStar() {
    SparkConf none = Sessions.sparkConf(JobConfig.parse("").spark(), new SparkConf(false), "app");
    assertEquals("local[*]", none.get("spark.master"));
    assertEquals("127.0.0.1", none.get("spark.driver.host"));
    assertEquals("0", none.get("spark.executor.killOnFatalError.depth"), "an OOM task fails the job, not the JVM");
    SparkConf two = Sessions.sparkConf(JobConfig.parse("spark.master = \"local[2]\"").spark(), new SparkConf(false), "app");
    assertEquals("local[2]", two.get("spark.master"));
  }

  @Test
  void cachedBlocksAreWrittenInChunksUnderHalfAG1RegionUnlessConfigured() {
    SparkConf chunked = Sessions.sparkConf(JobConfig.parse("").spark(), new SparkConf(false), "app");
    long chunk = chunked.getLong("spark.storage.unrollMemoryThreshold", 0);
    assertEquals(true, chunk < 512 * 1024, "under half of G1's smallest region, 1 MiB: " + chunk);
    SparkConf set = Sessions.sparkConf(
        JobConfig.parse("spark.conf { \"spark.storage.unrollMemoryThreshold\" = 2097152 }").spark(), new SparkConf(false),
        "app");
    assertEquals("2097152", set.get("spark.storage.unrollMemoryThreshold"));
    SparkConf submitted = new SparkConf(false).setMaster("yarn").set("spark.storage.unrollMemoryThreshold", "1048576");
    assertEquals("1048576", Sessions.sparkConf(JobConfig.parse("").spark(), submitted, "app")
        .get("spark.storage.unrollMemoryThreshold"));
  }

  @Test
  void sparkSubmitsMasterWins() {
    SparkConf submitted = new SparkConf(false).setMaster("yarn");
    SparkConf conf = Sessions.sparkConf(JobConfig.parse("spark.master = \"local[2]\"").spark(), submitted, "app");
    assertEquals("yarn", conf.get("spark.master"));
    assertEquals(false, conf.contains("spark.driver.host"));
    assertEquals(false, conf.contains("spark.executor.killOnFatalError.depth"), "clusters keep Spark's default");
  }

  @Test
  void sparkConfEntriesAreApplied() {
    SparkConf conf = Sessions.sparkConf(
        JobConfig.parse("spark.conf { \"spark.sql.shuffle.partitions\" = 7, spark.executor.memory = 2g }").spark(),
        new SparkConf(false), "app");
    assertEquals("7", conf.get("spark.sql.shuffle.partitions"));
    assertEquals(Sessions.CACHE_CHUNK, conf.get("spark.storage.unrollMemoryThreshold"));
    assertEquals("2g", conf.get("spark.executor.memory"));
    assertEquals("app", conf.get("spark.app.name"));
  }
}
