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
    if (!fmaInstructionsUsed()) {
      LOG.warning("spark-lstm cell: this JVM does not use FMA instructions (-XX:-UseFMA, or a CPU without them):"
          + " the cell's fused multiply-adds fall back to the JDK's exact software fma, many times slower;"
          + " run on a CPU with FMA (x86 since 2013, every 64-bit ARM)");
    }
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

  /** False only when HotSpot reports {@code UseFMA=false}; true when it cannot be asked (other JVMs). */
  static boolean fmaInstructionsUsed() {
    try {
      var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
          com.sun.management.HotSpotDiagnosticMXBean.class);
      return bean == null || !"false".equals(bean.getVMOption("UseFMA").getValue());
    } catch (RuntimeException | LinkageError e) {
      return true;
    }
  }

  /** Which implementation {@link LstmCell#best()} is: for logs and for checking executors. */
  static String describe() {
    return BEST.toString();
  }
}
