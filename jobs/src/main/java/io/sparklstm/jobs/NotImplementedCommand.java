package io.sparklstm.jobs;

import io.sparklstm.jobs.config.JobConfig;
import org.apache.spark.sql.SparkSession;

/** A placeholder for a command that is not built yet: a clear user error before Spark starts. */
final class NotImplementedCommand implements Command {
  private final String name;
  private final String summary;

  NotImplementedCommand(String name, String summary) {
    this.name = name;
    this.summary = summary;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String summary() {
    return summary + " (not implemented yet)";
  }

  @Override
  public String[] sections() {
    return new String[0];
  }

  @Override
  public void validate(JobConfig config) {
    throw new UserError(name + " is not implemented yet in this version of spark-lstm");
  }

  @Override
  public void run(SparkSession spark, JobConfig config) {
    validate(config);
  }
}
