package io.sparklstm.jobs.predict;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The columns {@code predict} can add (DESIGN.md section 6): {@code prediction} ([out] for head mode
 * last, [T][out] for every-step), {@code output} ([T][D*H_out]), {@code h_n} ([L*D][H_out]) and
 * {@code c_n} ([L*D][H]), all float32.
 */
public enum PredictColumns {
  PREDICTION("prediction"), OUTPUT("output"), H_N("h_n"), C_N("c_n");

  private final String column;

  PredictColumns(String column) {
    this.column = column;
  }

  public String column() {
    return column;
  }

  public static PredictColumns parse(String name) {
    for (PredictColumns c : values()) {
      if (c.column.equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("predict.columns: unknown column \"" + name
        + "\"; choose from prediction, output, h_n, c_n");
  }

  static final ArrayType VECTOR = DataTypes.createArrayType(DataTypes.FloatType, false);
  static final ArrayType MATRIX = DataTypes.createArrayType(VECTOR, false);

  DataType type(ModelConfig model) {
    if (this == PREDICTION) {
      return model.mode() == HeadMode.LAST ? VECTOR : MATRIX;
    }
    return MATRIX;
  }

  /** The kept input columns (their indices in {@code input}), then the added ones (a name clash is an error). */
  static StructType outputSchema(StructType input, int[] kept, List<PredictColumns> columns, ModelConfig model) {
    StructType out = new StructType();
    for (int k : kept) {
      out = out.add(input.fields()[k]);
    }
    for (PredictColumns c : columns) {
      for (String existing : out.fieldNames()) {
        if (existing.equals(c.column)) {
          throw new IllegalArgumentException("predict.input already has a column '" + c.column
              + "'; drop or rename it, leave it out of predict.keep-columns, or leave " + c.column
              + " out of predict.columns");
        }
      }
      out = out.add(c.column, c.type(model), false);
    }
    return out;
  }

  /** Sizes for messages: [L*D][H_out] etc. */
  static String stateShape(LstmConfig c, boolean cell) {
    return "[" + c.stateRows() + "][" + (cell ? c.hiddenSize() : c.outputHiddenSize()) + "]";
  }
}
