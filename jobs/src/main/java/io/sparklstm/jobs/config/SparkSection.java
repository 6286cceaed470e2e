package io.sparklstm.jobs.config;

import java.util.Map;
import java.util.Optional;

/** {@code spark.*}: the master (when not given by spark-submit) and extra Spark settings. */
public final class SparkSection {
  private final String master;
  private final Map<String, String> conf;

  SparkSection(ConfigReader r) {
    this.master = TableSource.emptyToNull(r.optString("spark.master"));
    this.conf = r.map("spark.conf");
  }

  /** {@code spark.master}; empty = local[*] from the launcher, or spark-submit's master. */
  public Optional<String> master() {
    return Optional.ofNullable(master);
  }

  /** {@code spark.conf}: Spark settings applied to the session. */
  public Map<String, String> conf() {
    return conf;
  }
}
