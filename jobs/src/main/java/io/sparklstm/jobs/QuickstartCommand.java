package io.sparklstm.jobs;

import io.sparklstm.jobs.config.JobConfig;
import io.sparklstm.jobs.generate.GenerateCommand;
import io.sparklstm.jobs.train.TrainCommand;
import io.sparklstm.jobs.window.WindowCommand;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code quickstart}: {@code generate}, {@code window} and {@code train} in one Spark session, on
 * one config (conf/quickstart.conf): from nothing to a trained forecaster with one command.
 */
public final class QuickstartCommand implements Command {
  private final List<Command> steps = List.of(new GenerateCommand(), new WindowCommand(), new TrainCommand());

  @Override
  public String name() {
    return "quickstart";
  }

  @Override
  public String summary() {
    return "generate data, cut it into windows and train on it (see conf/quickstart.conf)";
  }

  @Override
  public String[] sections() {
    return new String[] {"generate", "window", "model", "data", "train", "output"};
  }

  @Override
  public void validate(JobConfig config) {
    for (Command c : steps) {
      c.validate(config);
    }
  }

  @Override
  public void run(SparkSession spark, JobConfig config) throws Exception {
    for (Command c : steps) {
      org.slf4j.LoggerFactory.getLogger(QuickstartCommand.class).info("quickstart: {} ({})", c.name(), c.summary());
      c.run(spark, config);
    }
  }
}
