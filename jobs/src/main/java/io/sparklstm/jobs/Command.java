package io.sparklstm.jobs;

import io.sparklstm.jobs.config.JobConfig;
import org.apache.spark.sql.SparkSession;

/** One command of {@code spark-lstm <command>}. Implementations throw; {@link Main} reports. */
public interface Command {
  /** The word on the command line, e.g. {@code window}. */
  String name();

  /** One line for the usage text. */
  String summary();

  /** The top-level config sections this command reads; they are logged at start. */
  String[] sections();

  /** Checks the config before Spark starts (missing required keys etc.); throws {@link UserError}. */
  default void validate(JobConfig config) {
  }

  /** Runs the command on a started session. */
  void run(SparkSession spark, JobConfig config) throws Exception;
}
