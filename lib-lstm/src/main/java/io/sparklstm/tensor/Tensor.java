package io.sparklstm.tensor;

import java.util.Arrays;

/**
 * A dense row-major float32 tensor: a shape and a flat array, like a contiguous {@code torch.Tensor}.
 *
 * <p>{@link #view} reshapes without copying (the data is shared), exactly as
 * {@code tensor.view(...)} does for a contiguous PyTorch tensor.
 */
public final class Tensor {
  private final int[] shape;
  private final float[] data;

  private Tensor(int[] shape, float[] data) {
    this.shape = shape;
    this.data = data;
  }

  /** Wraps {@code data} (not copied) as a tensor of the given shape. */
  public static Tensor of(float[] data, int... shape) {
    int[] s = shape.clone();
    long n = numel(s);
    if (n != data.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(s) + " holds " + n
          + " elements but the data has " + data.length);
    }
    return new Tensor(s, data);
  }

  /** A tensor of zeros. */
  public static Tensor zeros(int... shape) {
    long n = numel(shape);
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large for one array");
    }
    return new Tensor(shape.clone(), new float[(int) n]);
  }

  private static long numel(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large for one array");
      }
    }
    return n;
  }

  /** The shape (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code dim}; negative counts from the end, as in PyTorch. */
  public int size(int dim) {
    return shape[dim < 0 ? shape.length + dim : dim];
  }

  /** Number of dimensions. */
  public int dim() {
    return shape.length;
  }

  /** Number of elements. */
  public int numel() {
    return data.length;
  }

  /** The backing array (shared, not copied). */
  public float[] data() {
    return data;
  }

  /** The element at the given indices. */
  public float get(int... index) {
    return data[flatIndex(index)];
  }

  /** Sets the element at the given indices. */
  public void set(float value, int... index) {
    data[flatIndex(index)] = value;
  }

  /** Same data, new shape; one dimension may be -1 (inferred), as in {@code Tensor.view}. */
  public Tensor view(int... newShape) {
    int[] s = newShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("only one dimension can be inferred: " + Arrays.toString(s));
        }
        infer = i;
      } else {
        known *= s[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || data.length % known != 0) {
        throw new IllegalArgumentException("shape " + Arrays.toString(s) + " is invalid for "
            + data.length + " elements");
      }
      s[infer] = (int) (data.length / known);
    }
    return of(data, s);
  }

  /** A deep copy. */
  public Tensor copy() {
    return new Tensor(shape.clone(), data.clone());
  }

  private int flatIndex(int[] index) {
    if (index.length != shape.length) {
      throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " indexed with "
          + index.length + " indices");
    }
    int flat = 0;
    for (int i = 0; i < shape.length; i++) {
      if (index[i] < 0 || index[i] >= shape[i]) {
        throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of range for shape "
            + Arrays.toString(shape));
      }
      flat = flat * shape[i] + index[i];
    }
    return flat;
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
