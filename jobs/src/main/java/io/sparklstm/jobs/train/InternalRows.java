package io.sparklstm.jobs.train;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Function1;

/**
 * Reads one dataset's features and label from Spark's internal rows, for
 * {@link RowDecoder#decode(InternalRow, long)}: features stored as float or double arrays are copied
 * into a (T, I) float array without boxing a value; the label goes through Spark's converter for its
 * column alone. Built on each executor (the converters are not serializable).
 */
final class InternalRows {
  private final int featuresIndex;
  private final int labelIndex;
  /** The features' values are float (else double); neither: always the Row path. */
  private final boolean floats;
  private final boolean copyable;
  private final DataType labelType;
  private final Function1<Object, Object> labelConverter;
  private final Function1<Object, Object> rowConverter;

  /** {@code schema}: the dataset's, checked by {@link RowDecoder#checkSchema}; labelIndex &lt; 0: none. */
  InternalRows(StructType schema, int featuresIndex, int labelIndex) {
    this.featuresIndex = featuresIndex;
    this.labelIndex = labelIndex;
    ArrayType steps = (ArrayType) schema.fields()[featuresIndex].dataType();
    DataType element = ((ArrayType) steps.elementType()).elementType();
    this.floats = element.equals(DataTypes.FloatType);
    this.copyable = floats || element.equals(DataTypes.DoubleType);
    this.labelType = labelIndex < 0 ? null : schema.fields()[labelIndex].dataType();
    this.labelConverter = labelIndex < 0 ? null : CatalystTypeConverters.createToScalaConverter(labelType);
    this.rowConverter = CatalystTypeConverters.createToScalaConverter(schema);
  }

  /**
   * The features as (T, I) flat floats, or null when the row needs {@link RowDecoder#features}' checks
   * to name its fault (null or empty features, a null step or value, a step of other than
   * {@code inputSize} values, a value that is not a finite float32) or has values of another type.
   */
  float[] features(InternalRow row, int inputSize) {
    if (!copyable || row.isNullAt(featuresIndex)) {
      return null;
    }
    ArrayData steps = row.getArray(featuresIndex);
    int n = steps.numElements();
    if (n == 0) {
      return null;
    }
    float[] out = new float[n * inputSize];
    for (int t = 0; t < n; t++) {
      if (steps.isNullAt(t)) {
        return null;
      }
      ArrayData step = steps.getArray(t);
      if (step.numElements() != inputSize) {
        return null;
      }
      for (int i = 0; i < inputSize; i++) {
        if (step.isNullAt(i)) {
          return null;
        }
        float f = floats ? step.getFloat(i) : (float) step.getDouble(i);
        if (!Float.isFinite(f)) {
          return null;
        }
        out[t * inputSize + i] = f;
      }
    }
    return out;
  }

  /** The label (not null) as a {@link Row} would hold it. */
  Object label(InternalRow row) {
    return labelConverter.apply(row.get(labelIndex, labelType));
  }

  /** The whole row as a {@link Row}. */
  Row toRow(InternalRow row) {
    return (Row) rowConverter.apply(row);
  }
}
