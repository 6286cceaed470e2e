package io.sparklstm.lstm;

import io.sparklstm.blas.Gemm;

/**
 * The two compute kernels the engine runs on: matrix products ({@link Gemm}: native OpenBLAS or
 * netlib's Java BLAS) and the cell's pointwise math ({@link LstmCell}: SIMD vector or scalar).
 * {@link #best()} is what production uses; tests build other pairs to compare them.
 */
public final class Kernels {
  private final Gemm gemm;
  private final LstmCell cell;

  private Kernels(Gemm gemm, LstmCell cell) {
    this.gemm = gemm;
    this.cell = cell;
  }

  /** The fastest available: native BLAS when it loads, the vector cell when its module is loaded. */
  public static Kernels best() {
    return new Kernels(Gemm.defaultGemm(), LstmCell.best());
  }

  /** A chosen GEMM with the best cell. */
  public static Kernels of(Gemm gemm) {
    return new Kernels(gemm, LstmCell.best());
  }

  /** A chosen GEMM with the scalar (plain Java) cell. */
  public static Kernels scalarCell(Gemm gemm) {
    return new Kernels(gemm, LstmCell.scalar());
  }

  public Gemm gemm() {
    return gemm;
  }

  LstmCell cell() {
    return cell;
  }

  /** True when the cell runs on the Vector API. */
  public boolean vectorCell() {
    return cell instanceof VectorCell;
  }

  /** One line for logs, e.g. {@code BLAS JNIBLAS (native ...), cell vector (512-bit)}. */
  public String describe() {
    return "BLAS " + gemm.description() + ", cell " + cell;
  }
}
