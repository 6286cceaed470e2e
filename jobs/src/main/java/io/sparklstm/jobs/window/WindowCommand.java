package io.sparklstm.jobs.window;

import io.sparklstm.jobs.Command;
import io.sparklstm.jobs.config.JobConfig;
import io.sparklstm.jobs.config.WindowSection;
import io.sparklstm.jobs.io.AtomicWriter;
import io.sparklstm.jobs.io.Tables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code window}: cuts a long time-series table into training windows (DESIGN.md sections 5, 6). */
public final class WindowCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(WindowCommand.class);

  @Override
  public String name() {
    return "window";
  }

  @Override
  public String summary() {
    return "cut a long time-series table (series, time, values) into forecasting windows";
  }

  @Override
  public String[] sections() {
    return new String[] {"spark", "window", "output"};
  }

  @Override
  public void validate(JobConfig config) {
    WindowSection w = config.window();
    w.input().path();
    w.output().path();
    w.timeColumn();
    w.valueColumns();
    w.length();
  }

  @Override
  public void run(SparkSession spark, JobConfig config) throws Exception {
    WindowSection w = config.window();
    AtomicWriter.checkTarget(spark, w.output());
    Dataset<Row> input = Tables.read(spark, w.input());
    WindowCounts counts = WindowCounts.register(spark.sparkContext());
    AtomicWriter.write(spark, Windowing.windows(input, w, counts), w.output(), config.output().permissions());
    LOG.info("window: wrote {} windows (length {}, horizon {}, stride {}) to {}; dropped {} that touch a null or NaN",
        counts.written(), w.length(), w.horizon(), w.stride(), w.output().path(), counts.dropped());
    if (counts.skippedRows() > 0) {
      LOG.warn("window: ignored {} input rows whose series id or time is null", counts.skippedRows());
    }
    if (counts.written() == 0) {
      LOG.warn("window: no windows: every series is shorter than length + horizon = {} steps, or every window "
          + "touches a null/NaN", w.length() + w.horizon());
    }
  }
}
