package io.sparklstm.jobs.export;

import io.sparklstm.jobs.Command;
import io.sparklstm.jobs.UserError;
import io.sparklstm.jobs.config.ExportSection;
import io.sparklstm.jobs.config.JobConfig;
import io.sparklstm.jobs.config.TableSink;
import io.sparklstm.jobs.config.TableSource;
import io.sparklstm.jobs.io.FileStore;
import io.sparklstm.jobs.io.FileSystemErrors;
import io.sparklstm.jobs.io.Tables;
import io.sparklstm.jobs.io.WritableCheck;
import io.sparklstm.jobs.train.RowDecoder;
import io.sparklstm.jobs.train.TrainingRows;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code export}: decodes a dataset exactly as {@code train} does (the model keys say what a row
 * must hold) and writes it as one .safetensors file of padded tensors ({@link SequenceTensors}),
 * which numpy can memory-map: the same data, in the same row order, for a PyTorch script. The rows
 * reach the driver one Spark partition at a time and go to the file as a stream.
 */
public final class ExportCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(ExportCommand.class);

  @Override
  public String name() {
    return "export";
  }

  @Override
  public String summary() {
    return "write a dataset as one .safetensors file of padded tensors (for numpy / PyTorch)";
  }

  @Override
  public String[] sections() {
    return new String[] {"spark", "model", "data", "export", "output"};
  }

  @Override
  public void validate(JobConfig config) {
    config.export().input().path();
    config.export().outputPath();
    config.model().lstmConfig();
    config.model().headConfig();
  }

  @Override
  public void run(SparkSession spark, JobConfig config) throws Exception {
    ExportSection e = config.export();
    String target = e.outputPath();
    checkTarget(spark, target, e.mode());
    ModelConfig model = new ModelConfig(config.model().lstmConfig(), config.model().headConfig());
    LossType loss = LossType.parse(config.model().loss().configName());
    RowDecoder decoder = new RowDecoder(config.data().featuresColumn(), config.data().labelColumn(), model, loss,
        true);
    TableSource source = e.input();
    long start = System.nanoTime();
    Dataset<Row> table = Tables.read(spark, source);
    if (table.schema().isEmpty()) {
      throw noRows(source);
    }
    TrainingRows rows = TrainingRows.decode(table, decoder, source.key());
    try {
      if (rows.count == 0) {
        throw noRows(source);
      }
      SequenceTensors.Layout layout = new SequenceTensors.Layout(rows.count, (int) rows.maxSteps,
          model.lstm().inputSize(), model.mode(), loss, model.predictionSize());
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put("format", "spark-lstm.dataset");
      metadata.put("source", source.path());
      metadata.put("filter", source.filter());
      metadata.put("head", model.mode().configName());
      metadata.put("loss", loss.configName());
      Path tmpDir = Path.of(System.getProperty("java.io.tmpdir"));
      new FileStore(spark.sparkContext().hadoopConfiguration(), config.output().permissions()).write(target,
          out -> SequenceTensors.write(out, layout, rows.rows.toLocalIterator(), metadata, tmpDir));
      double bytes = layout.featureBytes() + layout.lengthBytes() + (double) rows.count * layout.labelRowBytes();
      LOG.info("export: wrote {} rows (up to {} steps x {} features) to {}: {} MB in {}", rows.count, rows.maxSteps,
          layout.inputSize(), target, String.format("%.1f", bytes / 1e6),
          String.format("%.1f s", (System.nanoTime() - start) / 1e9));
    } finally {
      rows.release();
    }
  }

  private static UserError noRows(TableSource source) {
    return new UserError(source.key() + " (" + source.path() + ") has no rows"
        + (source.filter().isEmpty() ? "" : " after " + source.key() + ".filter"));
  }

  /** Before any work: an existing target with mode error, or a directory where the file goes. */
  private static void checkTarget(SparkSession spark, String target, TableSink.Mode mode) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(target);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        WritableCheck.requireWritable(spark.sparkContext().hadoopConfiguration(), "export.output.path",
            fs.makeQualified(p).getParent());
        return;
      }
      FileStatus st = fs.getFileStatus(p);
      if (st.isDirectory()) {
        throw new UserError("export.output.path: " + target + " is a directory; expected a file name");
      }
      if (mode == TableSink.Mode.ERROR) {
        throw new UserError("export.output.path: " + target + " already exists (set export.output.mode=overwrite "
            + "to replace it)");
      }
    } catch (IOException | IllegalArgumentException ex) {
      throw new UserError("export.output.path: cannot use " + target + ": "
          + FileSystemErrors.describe(target, ex), ex);
    }
  }
}
