package io.sparklstm.jobs.train;

import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.train.LabeledSequence;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Turns dataset rows into {@link LabeledSequence}s, checking them against the model (DESIGN.md
 * section 5). The schema is checked once on the driver ({@link #checkSchema}, which returns a decoder
 * bound to that dataset); each row is checked as it is decoded on an executor, and a bad one stops
 * the job with a {@link DataError} naming the dataset, the row, the column and the problem.
 */
public final class RowDecoder implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String featuresColumn;
  private final String labelColumn;
  private final int inputSize;
  private final int outputSize;
  private final HeadMode mode;
  private final LossType loss;
  private final boolean withLabel;
  /** Set by {@link #checkSchema}: the dataset's name in messages and the columns' positions. */
  private final String what;
  private final int featuresIndex;
  private final int labelIndex;
  /** Set by {@link #checkSchema}: the dataset's schema, for decoding Spark's internal rows. */
  private final StructType schema;
  private transient InternalRows internal;

  /** A decoder for training or evaluation rows (with labels), or for prediction rows (withLabel false). */
  public RowDecoder(String featuresColumn, String labelColumn, ModelConfig model, LossType loss, boolean withLabel) {
    this(featuresColumn, labelColumn, model.lstm().inputSize(), model.predictionSize(), model.mode(), loss, withLabel,
        "", -1, -1, null);
  }

  private RowDecoder(String featuresColumn, String labelColumn, int inputSize, int outputSize, HeadMode mode,
                     LossType loss, boolean withLabel, String what, int featuresIndex, int labelIndex,
                     StructType schema) {
    this.featuresColumn = featuresColumn;
    this.labelColumn = labelColumn;
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.mode = mode;
    this.loss = loss;
    this.withLabel = withLabel;
    this.what = what;
    this.featuresIndex = featuresIndex;
    this.labelIndex = labelIndex;
    this.schema = schema;
  }

  /**
   * Checks the column types; {@code what} names the dataset in messages (e.g. "data.train").
   * Returns a decoder bound to the schema's column positions (this one is unchanged, so one
   * decoder serves several datasets).
   */
  public RowDecoder checkSchema(StructType schema, String what) {
    int features = index(schema, featuresColumn, what, "data.features-column");
    DataType ft = schema.fields()[features].dataType();
    if (!(ft instanceof ArrayType outer && isNumberArray(outer.elementType()))) {
      throw new DataError(what + ": column '" + featuresColumn + "' must be array<array<float or double>> ([T]["
          + "input-size]), but it is " + ft.simpleString());
    }
    if (!withLabel) {
      return bound(what, features, -1, schema);
    }
    int label = index(schema, labelColumn, what, "data.label-column");
    DataType lt = schema.fields()[label].dataType();
    String expected = expectedLabel();
    boolean ok;
    if (mode == HeadMode.LAST) {
      ok = loss == LossType.MSE ? (outputSize == 1 && isNumber(lt)) || isNumberArray(lt) : isInteger(lt);
    } else if (loss == LossType.MSE) {
      ok = (outputSize == 1 && isNumberArray(lt)) || (lt instanceof ArrayType steps && isNumberArray(steps.elementType()));
    } else {
      ok = lt instanceof ArrayType steps && isInteger(steps.elementType());
    }
    if (!ok) {
      throw new DataError(what + ": column '" + labelColumn + "' must be " + expected + " for head mode "
          + mode.configName() + " with loss " + loss.configName() + ", but it is " + lt.simpleString());
    }
    return bound(what, features, label, schema);
  }

  private RowDecoder bound(String what, int features, int label, StructType schema) {
    return new RowDecoder(featuresColumn, labelColumn, inputSize, outputSize, mode, loss, withLabel, what, features,
        label, schema);
  }

  /** The dataset this decoder was bound to by {@link #checkSchema}, e.g. "data.train". */
  public String what() {
    return what;
  }

  /** "data.train row 12": how messages name row {@code index} (0-based, in input order). */
  public String row(long index) {
    return (what.isEmpty() ? "" : what + " ") + "row " + index;
  }

  private String expectedLabel() {
    if (mode == HeadMode.LAST) {
      return loss == LossType.MSE ? (outputSize == 1 ? "a number or array<number> of 1" : "array<number> of "
          + outputSize) : "an integer class";
    }
    return loss == LossType.MSE ? (outputSize == 1 ? "array<number> ([T]) or array<array<number>> ([T][1])"
        : "array<array<number>> ([T][" + outputSize + "])") : "array<integer> ([T])";
  }

  private static int index(StructType schema, String column, String what, String key) {
    for (int i = 0; i < schema.fields().length; i++) {
      if (schema.fields()[i].name().equals(column)) {
        return i;
      }
    }
    StringBuilder names = new StringBuilder();
    for (StructField f : schema.fields()) {
      names.append(names.length() == 0 ? "" : ", ").append(f.name());
    }
    throw new DataError(what + ": no column '" + column + "' (set " + key + "); the columns are [" + names + "]");
  }

  private static boolean isNumber(DataType t) {
    return t.equals(DataTypes.FloatType) || t.equals(DataTypes.DoubleType) || isInteger(t);
  }

  private static boolean isNumberArray(DataType t) {
    return t instanceof ArrayType a && isNumber(a.elementType());
  }

  private static boolean isInteger(DataType t) {
    return t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType) || t.equals(DataTypes.ShortType)
        || t.equals(DataTypes.ByteType);
  }

  /** I, the features per step. */
  public int inputSize() {
    return inputSize;
  }

  /** The features of row {@code index} as (T, I) flat floats. */
  public float[] features(Row row, long index) {
    String at = row(index);
    if (row.isNullAt(featuresIndex)) {
      throw new DataError(at + ": " + featuresColumn + " is null");
    }
    List<Object> steps = row.getList(featuresIndex);
    if (steps.isEmpty()) {
      throw new DataError(at + ": " + featuresColumn + " is empty; a sequence needs at least one step");
    }
    float[] out = new float[steps.size() * inputSize];
    for (int t = 0; t < steps.size(); t++) {
      Object step = steps.get(t);
      if (step == null) {
        throw new DataError(at + ": " + featuresColumn + " step " + t + " is null");
      }
      List<?> values = asList(step);
      if (values.size() != inputSize) {
        throw new DataError(at + ": " + featuresColumn + " step " + t + " has " + values.size()
            + " values, expected " + inputSize + " (model.lstm.input-size)");
      }
      for (int i = 0; i < inputSize; i++) {
        out[t * inputSize + i] = finiteFloat(values.get(i), at, featuresColumn, t, i);
      }
    }
    return out;
  }

  /** Decodes row {@code index} with its label. */
  public LabeledSequence decode(Row row, long index) {
    float[] x = features(row, index);
    if (row.isNullAt(labelIndex)) {
      throw new DataError(row(index) + ": " + labelColumn + " is null");
    }
    return labeled(x, row.get(labelIndex), index);
  }

  /**
   * Decodes row {@code index} of the dataset bound by {@link #checkSchema} from Spark's internal form,
   * without converting the whole row to a {@link Row} (which boxes every value: a sixth of the
   * placement's time). Same checks, same result and messages as {@link #decode(Row, long)}: a row
   * whose features fail a check is converted and decoded that way.
   */
  public LabeledSequence decode(InternalRow row, long index) {
    if (internal == null) {
      internal = new InternalRows(schema, featuresIndex, labelIndex);
    }
    float[] x = internal.features(row, inputSize);
    if (x == null || row.isNullAt(labelIndex)) {
      return decode(internal.toRow(row), index);
    }
    return labeled(x, internal.label(row), index);
  }

  /** Row {@code index}'s label (not null) checked against the features {@code x}. */
  private LabeledSequence labeled(float[] x, Object label, long index) {
    int steps = x.length / inputSize;
    String at = row(index);
    if (mode == HeadMode.LAST) {
      if (loss == LossType.MSE) {
        return new LabeledSequence(index, x, numbers(label, outputSize, at, labelColumn, -1), null);
      }
      return new LabeledSequence(index, x, null, new int[] {cls(label, at, labelColumn, -1)});
    }
    List<?> perStep = asList(label);
    if (perStep.size() != steps) {
      throw new DataError(at + ": " + labelColumn + " has " + perStep.size() + " steps but "
          + featuresColumn + " has " + steps + " (head mode every-step needs one label per step)");
    }
    if (loss == LossType.MSE) {
      float[] y = new float[steps * outputSize];
      for (int t = 0; t < steps; t++) {
        float[] v = numbers(perStep.get(t), outputSize, at, labelColumn, t);
        System.arraycopy(v, 0, y, t * outputSize, outputSize);
      }
      return new LabeledSequence(index, x, y, null);
    }
    int[] c = new int[steps];
    for (int t = 0; t < steps; t++) {
      c[t] = cls(perStep.get(t), at, labelColumn, t);
    }
    return new LabeledSequence(index, x, null, c);
  }

  // Messages name the value ("labels step 3 value 0") but are only built when a value is bad:
  // building them for every value took most of the decoding time.

  /** "column" or "column step t" (step &lt; 0: a label without steps). */
  private static String where(String column, int step) {
    return step < 0 ? column : column + " step " + step;
  }

  /** A number, or a list of {@code n} numbers, as floats; step &gt;= 0 names the step in messages. */
  private float[] numbers(Object value, int n, String at, String column, int step) {
    if (value instanceof Number) {
      if (n != 1) {
        throw new DataError(at + ": " + where(column, step) + " is one number, expected " + n + " values");
      }
      return new float[] {finiteFloat(value, at, column, step, -1)};
    }
    if (value == null) {
      throw new DataError(at + ": " + where(column, step) + " is null");
    }
    List<?> list = asList(value);
    if (list.size() != n) {
      throw new DataError(at + ": " + where(column, step) + " has " + list.size() + " values, expected " + n
          + " (model.head.output-size)");
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = finiteFloat(list.get(i), at, column, step, i);
    }
    return out;
  }

  /**
   * A value as a finite float32 (the column types were checked up front); otherwise the error names
   * it: "column [step t] [value i]" (step, value &lt; 0: not part of the name).
   */
  private float finiteFloat(Object v, String at, String column, int step, int value) {
    float f = v == null ? Float.NaN : ((Number) v).floatValue();
    if (Float.isFinite(f)) {
      return f;
    }
    String where = where(column, step) + (value < 0 ? "" : " value " + value);
    if (v == null) {
      throw new DataError(at + ": " + where + " is null");
    }
    boolean filterable = what.equals("data.train") || what.equals("data.validation");
    throw new DataError(at + ": " + where + " is " + f + " (the float32 value of " + v + "); clean or drop such rows"
        + (filterable ? ", e.g. with " + what + ".filter" : ""));
  }

  private int cls(Object v, String at, String column, int step) {
    if (v == null) {
      throw new DataError(at + ": " + where(column, step) + " is null");
    }
    long c = ((Number) v).longValue();
    if (c < 0 || c >= outputSize) {
      throw new DataError(at + ": " + where(column, step) + " is class " + c + ", outside [0, " + outputSize
          + ") (model.head.output-size)");
    }
    return (int) c;
  }

  private static List<?> asList(Object v) {
    if (v instanceof List<?> l) {
      return l;
    }
    if (v instanceof scala.collection.Seq<?> s) {
      return scala.jdk.javaapi.CollectionConverters.asJava(s);
    }
    throw new IllegalStateException("unexpected value " + v.getClass());
  }
}
