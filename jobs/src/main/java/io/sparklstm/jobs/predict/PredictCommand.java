package io.sparklstm.jobs.predict;

import io.sparklstm.io.LoadedModel;
import io.sparklstm.io.ModelFile;
import io.sparklstm.io.ModelFileException;
import io.sparklstm.jobs.Command;
import io.sparklstm.jobs.UserError;
import io.sparklstm.jobs.config.JobConfig;
import io.sparklstm.jobs.config.PredictSection;
import io.sparklstm.jobs.io.AtomicWriter;
import io.sparklstm.jobs.io.FileStore;
import io.sparklstm.jobs.io.FileSystemErrors;
import io.sparklstm.jobs.io.RowNumbers;
import io.sparklstm.jobs.io.Tables;
import io.sparklstm.jobs.train.RowDecoder;
import io.sparklstm.lstm.Kernels;
import io.sparklstm.model.ModelConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code predict}: applies a model (ours or one exported from PyTorch) to any Spark SQL table of
 * sequences, keeping the input columns and adding {@code prediction}, {@code output}, {@code h_n}
 * and/or {@code c_n}; per-row initial states come from {@code predict.initial-state} columns, so a
 * long series can be scored in chunks by carrying h_n/c_n forward.
 */
public final class PredictCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(PredictCommand.class);

  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "apply a model to a table of sequences";
  }

  @Override
  public String[] sections() {
    return new String[] {"spark", "predict", "output"};
  }

  @Override
  public void validate(JobConfig config) {
    PredictSection p = config.predict();
    p.model();
    p.input().path();
    p.output().path();
    if (p.h0Column().isPresent() != p.c0Column().isPresent()) {
      throw new UserError("predict.initial-state: set both h0-column and c0-column, or neither");
    }
  }

  @Override
  public void run(SparkSession spark, JobConfig config) throws Exception {
    PredictSection p = config.predict();
    AtomicWriter.checkTarget(spark, p.output());
    LoadedModel model = load(spark, p.model(), config);
    ModelConfig mc = model.config();
    Dataset<Row> input = Tables.read(spark, p.input());
    StructType schema = input.schema();
    RowDecoder decoder = new RowDecoder(config.data().featuresColumn(), config.data().labelColumn(), mc, null, false)
        .checkSchema(schema, "predict.input");
    int h0 = stateColumn(schema, p.h0Column(), "h0-column");
    int c0 = stateColumn(schema, p.c0Column(), "c0-column");
    List<PredictColumns> columns = new ArrayList<>();
    for (String c : p.columns()) {
      columns.add(PredictColumns.parse(c));
    }
    int[] kept = keptColumns(schema, p.keepColumns());
    StructType out;
    try {
      out = PredictColumns.outputSchema(schema, kept, columns, mc);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    LOG.info("predict: model {} ({}), kernels {}", p.model(), describe(mc), Kernels.best().describe());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<float[]> params = sc.broadcast(model.parameters());
    int batchSize = p.batchSize();
    JavaRDD<Row> scored = RowNumbers.zipWithIndex(input).mapPartitions(rows ->
        new BatchPredictor(mc, params.value(), decoder, kept, columns, h0, c0).score(rows, batchSize));
    long start = System.nanoTime();
    AtomicWriter.write(spark, spark.createDataFrame(scored, out), p.output(), config.output().permissions());
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.info("predict: wrote {} with columns {} in {}", p.output().path(), p.columns(),
        String.format("%.1f s", seconds));
    params.destroy();
  }

  private static LoadedModel load(SparkSession spark, String path, JobConfig config) throws IOException {
    FileStore store = new FileStore(spark.sparkContext().hadoopConfiguration());
    if (!store.exists(path)) {
      throw new UserError("predict.model: " + path + " does not exist");
    }
    try {
      return ModelFile.fromBytes(store.read(path), path, config.model().headMode());
    } catch (ModelFileException e) {
      throw new UserError("predict.model: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UserError("predict.model: cannot read " + path + ": " + FileSystemErrors.describe(path, e), e);
    }
  }

  /** Indices of the input columns the output keeps: {@code predict.keep-columns} in its order, or all. */
  private static int[] keptColumns(StructType schema, Optional<List<String>> keep) {
    if (keep.isEmpty()) {
      return java.util.stream.IntStream.range(0, schema.size()).toArray();
    }
    List<String> names = List.of(schema.fieldNames());
    int[] kept = new int[keep.get().size()];
    for (int i = 0; i < kept.length; i++) {
      String c = keep.get().get(i);
      kept[i] = names.indexOf(c);
      if (kept[i] < 0) {
        throw new UserError("predict.keep-columns: no column '" + c + "' in predict.input; the columns are " + names);
      }
    }
    return kept;
  }

  /** Position of an initial-state column, checked to be array<array<number>>; -1 when not configured. */
  private static int stateColumn(StructType schema, Optional<String> column, String key) {
    if (column.isEmpty()) {
      return -1;
    }
    String name = column.get();
    for (int i = 0; i < schema.fields().length; i++) {
      if (schema.fields()[i].name().equals(name)) {
        DataType t = schema.fields()[i].dataType();
        if (!(t instanceof ArrayType a && a.elementType() instanceof ArrayType)) {
          throw new UserError("predict.initial-state." + key + ": column '" + name
              + "' must be array<array<float>> ([L*D][size]), but it is " + t.simpleString());
        }
        return i;
      }
    }
    throw new UserError("predict.initial-state." + key + ": no column '" + name + "' in predict.input");
  }

  private static String describe(ModelConfig mc) {
    var l = mc.lstm();
    return "LSTM " + l.inputSize() + "->" + l.hiddenSize() + " x" + l.numLayers()
        + (l.bidirectional() ? " bidirectional" : "") + (l.projSize() > 0 ? " proj " + l.projSize() : "")
        + (mc.hasHead() ? ", head " + mc.head().outputSize() + " (" + mc.head().mode().configName() + ")" : "");
  }
}
