package io.sparklstm.jobs.predict;

import io.sparklstm.jobs.train.DataError;
import io.sparklstm.jobs.train.RowDecoder;
import io.sparklstm.lstm.Kernels;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.lstm.LstmState;
import io.sparklstm.lstm.PackedShape;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.model.SequenceModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.Tuple2;

/**
 * Scores the rows of one partition in mini-batches: decodes features (and optional per-row
 * initial states), runs the model, and appends the requested columns to each input row, in the
 * rows' own order.
 */
final class BatchPredictor {
  private final ModelConfig config;
  private final float[] params;
  private final RowDecoder decoder;
  private final int[] kept;
  private final List<PredictColumns> columns;
  private final int h0Index;
  private final int c0Index;
  private final SequenceModel model;
  private final SequenceModel.Workspace ws;

  /** kept: the input columns copied to each output row, by index, in output order. */
  BatchPredictor(ModelConfig config, float[] params, RowDecoder decoder, int[] kept, List<PredictColumns> columns,
                 int h0Index, int c0Index) {
    this.config = config;
    this.params = params;
    this.decoder = decoder;
    this.kept = kept;
    this.columns = columns;
    this.h0Index = h0Index;
    this.c0Index = c0Index;
    this.model = new SequenceModel(config, Kernels.best());
    this.ws = model.newWorkspace();
  }

  /** Scores rows (each with its input index, for messages) batch by batch. */
  Iterator<Row> score(Iterator<Tuple2<Row, Long>> rows, int batchSize) {
    return new Iterator<>() {
      private Iterator<Row> current = List.<Row>of().iterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && rows.hasNext()) {
          List<Row> part = new ArrayList<>(batchSize);
          long first = -1;
          while (rows.hasNext() && part.size() < batchSize) {
            Tuple2<Row, Long> t = rows.next();
            first = first < 0 ? t._2() : first;
            part.add(t._1());
          }
          current = scoreBatch(part, first).iterator();
        }
        return current.hasNext();
      }

      @Override
      public Row next() {
        hasNext();
        return current.next();
      }
    };
  }

  private List<Row> scoreBatch(List<Row> rows, long firstIndex) {
    LstmConfig c = config.lstm();
    SequenceBatch.Builder builder = SequenceBatch.builder(c.inputSize());
    for (int i = 0; i < rows.size(); i++) {
      builder.add(decoder.features(rows.get(i), firstIndex + i));
    }
    SequenceBatch batch = builder.build();
    int[] order = batch.order();
    LstmState init = h0Index >= 0 ? initialState(rows, order, firstIndex) : null;
    float[] pred = model.predict(params, batch, init, ws);
    PackedShape shape = batch.shape();
    Object[][] added = new Object[rows.size()][columns.size()];
    int width = config.predictionSize();
    for (int r = 0; r < order.length; r++) {
      int row = order[r];
      for (int k = 0; k < columns.size(); k++) {
        added[row][k] = switch (columns.get(k)) {
          case PREDICTION -> config.mode() == HeadMode.LAST
              ? vector(pred, r * width, width) : steps(pred, shape, r, width);
          case OUTPUT -> steps(ws.output(), shape, r, c.outputSize());
          case H_N -> state(ws.finalState().h(), shape.batch(), r, c.stateRows(), c.outputHiddenSize());
          case C_N -> state(ws.finalState().c(), shape.batch(), r, c.stateRows(), c.hiddenSize());
        };
      }
    }
    List<Row> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row in = rows.get(i);
      Object[] values = new Object[kept.length + columns.size()];
      for (int j = 0; j < kept.length; j++) {
        values[j] = in.get(kept[j]);
      }
      System.arraycopy(added[i], 0, values, kept.length, columns.size());
      out.add(RowFactory.create(values));
    }
    return out;
  }

  /** h_0/c_0 of every row from its columns, (L*D, B, *) in the batch's sorted order. */
  private LstmState initialState(List<Row> rows, int[] order, long firstIndex) {
    LstmConfig c = config.lstm();
    int b = rows.size();
    float[] h = new float[c.stateRows() * b * c.outputHiddenSize()];
    float[] cc = new float[c.stateRows() * b * c.hiddenSize()];
    for (int r = 0; r < b; r++) {
      Row row = rows.get(order[r]);
      long index = firstIndex + order[r];
      fillState(row, h0Index, h, r, b, c.stateRows(), c.outputHiddenSize(), decoder.row(index), "h0");
      fillState(row, c0Index, cc, r, b, c.stateRows(), c.hiddenSize(), decoder.row(index), "c0");
    }
    return LstmState.wrap(c, b, h, cc);
  }

  private static void fillState(Row row, int col, float[] out, int r, int batch, int stateRows, int size, String at,
                                String what) {
    String name = row.schema().fieldNames()[col];
    if (row.isNullAt(col)) {
      throw new DataError(at + ": initial state column '" + name + "' is null");
    }
    List<Object> layers = row.getList(col);
    if (layers.size() != stateRows) {
      throw new DataError(at + ": initial state column '" + name + "' (" + what + ") has "
          + layers.size() + " rows, expected " + stateRows + " (num_layers * directions)");
    }
    for (int s = 0; s < stateRows; s++) {
      List<?> v = asList(layers.get(s));
      if (v == null || v.size() != size) {
        throw new DataError(at + ": initial state column '" + name + "' row " + s + " has "
            + (v == null ? "null" : v.size() + " values") + ", expected " + size);
      }
      for (int j = 0; j < size; j++) {
        Object x = v.get(j);
        float f = x == null ? Float.NaN : ((Number) x).floatValue();
        if (!Float.isFinite(f)) {
          throw new DataError(at + ": initial state column '" + name + "' row " + s + " value " + j
              + " is " + (x == null ? "null" : f));
        }
        out[(s * batch + r) * size + j] = f;
      }
    }
  }

  private static List<?> asList(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof List<?> l) {
      return l;
    }
    return scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) v);
  }

  private static float[] vector(float[] a, int off, int n) {
    return Arrays.copyOfRange(a, off, off + n);
  }

  /** Sorted row r's steps from packed (N, width) data, as [T_r][width]. */
  private static float[][] steps(float[] packed, PackedShape shape, int r, int width) {
    float[][] out = new float[shape.length(r)][];
    for (int t = 0; t < out.length; t++) {
      int off = (shape.stepOffset(t) + r) * width;
      out[t] = Arrays.copyOfRange(packed, off, off + width);
    }
    return out;
  }

  /** Sorted row r of a (S, B, size) state, as [S][size]. */
  private static float[][] state(float[] s, int batch, int r, int rows, int size) {
    float[][] out = new float[rows][];
    for (int k = 0; k < rows; k++) {
      int off = (k * batch + r) * size;
      out[k] = Arrays.copyOfRange(s, off, off + size);
    }
    return out;
  }
}
