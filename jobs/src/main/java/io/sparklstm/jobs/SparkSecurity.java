package io.sparklstm.jobs;

import org.apache.spark.SparkConf;

/**
 * The Spark security settings a cluster run has, for one log line at start (docs/SECURITY.md says
 * what each protects): authentication of every connection with the shared secret, encryption of
 * RPC traffic, and encryption of what executors put on local disk (shuffle files, spilled and
 * cached blocks: the training rows are cached MEMORY_AND_DISK).
 */
final class SparkSecurity {
  static final String[] SETTINGS =
      {"spark.authenticate", "spark.network.crypto.enabled", "spark.io.encryption.enabled"};

  private SparkSecurity() {
  }

  /** e.g. {@code spark.authenticate=true, spark.network.crypto.enabled=true, spark.io.encryption.enabled=false}. */
  static String describe(SparkConf conf) {
    StringBuilder sb = new StringBuilder();
    for (String key : SETTINGS) {
      sb.append(sb.length() == 0 ? "" : ", ").append(key).append('=').append(conf.getBoolean(key, false));
    }
    return sb.toString();
  }
}
