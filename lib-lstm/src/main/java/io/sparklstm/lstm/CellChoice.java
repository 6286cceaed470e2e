package io.sparklstm.lstm;

import java.util.logging.Logger;

/** Chooses the cell implementation once per JVM and logs the choice. */
final class CellChoice {
  private static final Logger LOG = Logger.getLogger(CellChoice.class.getName());
  static final LstmCell SCALAR = new ScalarCell();
  static final LstmCell BEST = choose();

  private CellChoice() {}

  /** True when the JVM runs with {@code --add-modules jdk.incubator.vector}. */
  static boolean vectorModuleLoaded() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  private static LstmCell choose() {
    if (vectorModuleLoaded() && !Boolean.getBoolean("sparklstm.cell.forceScalar")) {
      try {
        LstmCell cell = (LstmCell) Class.forName("io.sparklstm.lstm.VectorCell").getDeclaredConstructor().newInstance();
        LOG.info("spark-lstm cell: " + cell);
        return cell;
      } catch (ReflectiveOperationException | LinkageError e) {
        LOG.warning("spark-lstm cell: vector implementation failed to load (" + e + "); using scalar");
      }
    } else {
      LOG.info("spark-lstm cell: scalar (start the JVM with --add-modules=jdk.incubator.vector for SIMD)");
    }
    return SCALAR;
  }

  /** Which implementation {@link LstmCell#best()} is: for logs and for checking executors. */
  static String describe() {
    return BEST.toString();
  }
}
