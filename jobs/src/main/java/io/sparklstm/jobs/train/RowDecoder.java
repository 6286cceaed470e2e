package io.sparklstm.jobs.train;

import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.train.LabeledSequence;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Turns dataset rows into {@link LabeledSequence}s, checking them against the model (DESIGN.md
 * section 5). The schema is checked once on the driver ({@link #checkSchema}); each row is checked
 * as it is decoded on an executor, and a bad one stops the job with a {@link DataError} naming the
 * row, the column and the problem.
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
  private int featuresIndex = -1;
  private int labelIndex = -1;

  /** A decoder for training or evaluation rows (with labels), or for prediction rows (withLabel false). */
  public RowDecoder(String featuresColumn, String labelColumn, ModelConfig model, LossType loss, boolean withLabel) {
    this.featuresColumn = featuresColumn;
    this.labelColumn = labelColumn;
    this.inputSize = model.lstm().inputSize();
    this.outputSize = model.predictionSize();
    this.mode = model.mode();
    this.loss = loss;
    this.withLabel = withLabel;
  }

  /**
   * Checks the column types; {@code what} names the dataset in messages (e.g. "data.train").
   * Returns this decoder bound to the schema's column positions.
   */
  public RowDecoder checkSchema(StructType schema, String what) {
    featuresIndex = index(schema, featuresColumn, what, "data.features-column");
    DataType ft = schema.fields()[featuresIndex].dataType();
    if (!(ft instanceof ArrayType outer && isNumberArray(outer.elementType()))) {
      throw new DataError(what + ": column '" + featuresColumn + "' must be array<array<float or double>> ([T]["
          + "input-size]), but it is " + ft.simpleString());
    }
    if (!withLabel) {
      return this;
    }
    labelIndex = index(schema, labelColumn, what, "data.label-column");
    DataType lt = schema.fields()[labelIndex].dataType();
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
    return this;
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

  /** The features of row {@code index} as (T, I) flat floats. */
  public float[] features(Row row, long index) {
    if (row.isNullAt(featuresIndex)) {
      throw new DataError("row " + index + ": " + featuresColumn + " is null");
    }
    List<Object> steps = row.getList(featuresIndex);
    if (steps.isEmpty()) {
      throw new DataError("row " + index + ": " + featuresColumn + " is empty; a sequence needs at least one step");
    }
    float[] out = new float[steps.size() * inputSize];
    for (int t = 0; t < steps.size(); t++) {
      Object step = steps.get(t);
      if (step == null) {
        throw new DataError("row " + index + ": " + featuresColumn + " step " + t + " is null");
      }
      List<?> values = asList(step);
      if (values.size() != inputSize) {
        throw new DataError("row " + index + ": " + featuresColumn + " step " + t + " has " + values.size()
            + " values, expected " + inputSize + " (model.lstm.input-size)");
      }
      for (int i = 0; i < inputSize; i++) {
        out[t * inputSize + i] = number(values.get(i), index, featuresColumn + " step " + t + " value " + i);
      }
    }
    return out;
  }

  /** Decodes row {@code index} with its label. */
  public LabeledSequence decode(Row row, long index) {
    float[] x = features(row, index);
    int steps = x.length / inputSize;
    if (row.isNullAt(labelIndex)) {
      throw new DataError("row " + index + ": " + labelColumn + " is null");
    }
    Object label = row.get(labelIndex);
    String where = labelColumn;
    if (mode == HeadMode.LAST) {
      if (loss == LossType.MSE) {
        return new LabeledSequence(index, x, numbers(label, outputSize, index, where), null);
      }
      return new LabeledSequence(index, x, null, new int[] {cls(label, index, where)});
    }
    List<?> perStep = asList(label);
    if (perStep.size() != steps) {
      throw new DataError("row " + index + ": " + labelColumn + " has " + perStep.size() + " steps but "
          + featuresColumn + " has " + steps + " (head mode every-step needs one label per step)");
    }
    if (loss == LossType.MSE) {
      float[] y = new float[steps * outputSize];
      for (int t = 0; t < steps; t++) {
        float[] v = numbers(perStep.get(t), outputSize, index, where + " step " + t);
        System.arraycopy(v, 0, y, t * outputSize, outputSize);
      }
      return new LabeledSequence(index, x, y, null);
    }
    int[] c = new int[steps];
    for (int t = 0; t < steps; t++) {
      c[t] = cls(perStep.get(t), index, where + " step " + t);
    }
    return new LabeledSequence(index, x, null, c);
  }

  /** A number, or a list of {@code n} numbers, as floats. */
  private static float[] numbers(Object value, int n, long index, String where) {
    if (value instanceof Number) {
      if (n != 1) {
        throw new DataError("row " + index + ": " + where + " is one number, expected " + n + " values");
      }
      return new float[] {number(value, index, where)};
    }
    if (value == null) {
      throw new DataError("row " + index + ": " + where + " is null");
    }
    List<?> list = asList(value);
    if (list.size() != n) {
      throw new DataError("row " + index + ": " + where + " has " + list.size() + " values, expected " + n
          + " (model.head.output-size)");
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = number(list.get(i), index, where + " value " + i);
    }
    return out;
  }

  private static float number(Object v, long index, String where) {
    if (v == null) {
      throw new DataError("row " + index + ": " + where + " is null");
    }
    float f = ((Number) v).floatValue();
    if (!Float.isFinite(f)) {
      throw new DataError("row " + index + ": " + where + " is " + f + " (the float32 value of "
          + v + "); clean or drop such rows, e.g. with data.train.filter");
    }
    return f;
  }

  private int cls(Object v, long index, String where) {
    if (v == null) {
      throw new DataError("row " + index + ": " + where + " is null");
    }
    long c = ((Number) v).longValue();
    if (c < 0 || c >= outputSize) {
      throw new DataError("row " + index + ": " + where + " is class " + c + ", outside [0, " + outputSize
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
