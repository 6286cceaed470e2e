package io.sparklstm.jobs;

import java.util.List;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

/** Reading array columns of collected rows in tests. */
public final class Rows {
  private Rows() {
  }

  /** An array<float> column. */
  public static float[] floats(Row r, String column) {
    return toFloats(r.get(r.fieldIndex(column)));
  }

  /** An array<array<float>> column. */
  public static float[][] floats2(Row r, String column) {
    List<?> outer = list(r.get(r.fieldIndex(column)));
    float[][] out = new float[outer.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = toFloats(outer.get(i));
    }
    return out;
  }

  private static float[] toFloats(Object o) {
    List<?> l = list(o);
    float[] out = new float[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Float) l.get(i);
    }
    return out;
  }

  private static List<?> list(Object o) {
    if (o instanceof List<?> l) {
      return l;
    }
    return CollectionConverters.asJava((scala.collection.Seq<?>) o);
  }
}
