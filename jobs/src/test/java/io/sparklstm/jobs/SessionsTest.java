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
    assertEquals("2g", conf.get("spark.executor.memory"));
    assertEquals("app", conf.get("spark.app.name"));
  }
}
