package io.sparklstm.jobs.generate;

import io.sparklstm.jobs.Command;
import io.sparklstm.jobs.config.GenerateSection;
import io.sparklstm.jobs.config.JobConfig;
import io.sparklstm.jobs.io.AtomicWriter;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code generate}: writes a synthetic forecasting dataset, deterministic from {@code generate.seed}. */
public final class GenerateCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateCommand.class);

  @Override
  public String name() {
    return "generate";
  }

  @Override
  public String summary() {
    return "write a synthetic forecasting dataset (a time-series table or training windows)";
  }

  @Override
  public String[] sections() {
    return new String[] {"spark", "generate", "output"};
  }

  @Override
  public void validate(JobConfig config) {
    config.generate().output().path();
  }

  @Override
  public void run(SparkSession spark, JobConfig config) throws Exception {
    GenerateSection g = config.generate();
    AtomicWriter.checkTarget(spark, g.output());
    long start = System.nanoTime();
    AtomicWriter.write(spark, Generator.generate(spark, g), g.output(), config.output().permissions());
    String what = g.kind() == GenerateSection.Kind.SERIES
        ? g.count() + " series of " + lengths(g) + " steps x " + g.features() + " values"
        : g.count() + " sequences of " + lengths(g) + " steps x " + g.features() + " features";
    LOG.info("generate: wrote {} to {} in {}", what, g.output().path(),
        String.format("%.1f s", (System.nanoTime() - start) / 1e9));
  }

  private static String lengths(GenerateSection g) {
    return g.minLength() > 0 && g.minLength() < g.length() ? g.minLength() + ".." + g.length() : "" + g.length();
  }
}
