package io.sparklstm.jobs;

import java.lang.reflect.Method;

/**
 * Routes java.util.logging (used by lib-lstm, e.g. the "BLAS in use" line) into SLF4J and so into
 * Spark's log4j2 config, instead of JUL's own two-line console format. Spark does the same when its
 * logging starts; doing it first also covers anything logged before. Reflective, like Spark, because
 * jul-to-slf4j comes with Spark's (provided) jars.
 */
final class JulBridge {
  private JulBridge() {
  }

  static void install() {
    try {
      Class<?> bridge = Class.forName("org.slf4j.bridge.SLF4JBridgeHandler");
      bridge.getMethod("removeHandlersForRootLogger").invoke(null);
      Method installed = bridge.getMethod("isInstalled");
      if (!(Boolean) installed.invoke(null)) {
        bridge.getMethod("install").invoke(null);
      }
    } catch (ReflectiveOperationException e) {
      // jul-to-slf4j absent: JUL keeps its own console output.
    }
  }
}
