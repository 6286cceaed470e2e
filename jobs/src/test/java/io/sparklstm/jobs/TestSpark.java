package io.sparklstm.jobs;

import org.apache.spark.sql.SparkSession;

/** One local[2] SparkSession for the whole test JVM, bound to loopback, no UI. */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {
  }

  public static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2]")
          .appName("spark-lstm tests")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .getOrCreate();
    }
    return session;
  }

  /** Sessions for Main in tests: the shared session, never stopped. */
  public static final Sessions SESSIONS = new Sessions() {
    @Override
    public SparkSession start(io.sparklstm.jobs.config.SparkSection spark, String appName) {
      return session();
    }

    @Override
    public void stop(SparkSession s) {
    }
  };
}
