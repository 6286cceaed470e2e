package io.sparklstm.bench;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two builds of the engine in one JVM, timed in alternation: the before/after measurement for a change
 * on a machine whose speed drifts (by up to 20% over minutes here, more than most changes gain).
 * Each build is loaded by its own class loader from its classes directories ({@link EngineRun}
 * compiled against it, then its lib-lstm classes); the native BLAS and the JDK are shared.
 *
 * <pre>
 * AbCompare A_DIRS B_DIRS CASES [MODES] [PAIRS] [MILLIS]
 *   A_DIRS, B_DIRS  class directories, colon-separated
 *   CASES           case ids (BenchCase), comma-separated
 *   MODES           forwardBackward,forward (default both)
 *   PAIRS           timed pairs per case and mode (default 15), after 3 s of warm-up each
 *   MILLIS          CPU milliseconds per timing (default 500)
 * </pre>
 *
 * <p>Prints per case and mode the median CPU-ms per operation of A and of B and the median over the
 * pairs of A's time / B's time: above 1, B is faster. Pairs run A then B, then B then A, alternately.
 * Run by {@code bin/bench-ab}, which builds the two revisions.
 */
public final class AbCompare {
  private AbCompare() {}

  /** Loads io.sparklstm classes from its own directories first, everything else from the parent. */
  private static final class BuildLoader extends URLClassLoader {
    BuildLoader(URL[] urls, ClassLoader parent) {
      super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("io.sparklstm.") || name.equals(AbCompare.class.getName())) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = findClass(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }

  private record Engine(Object run, Method time, Method kernels) {
    String describe() throws Exception {
      return (String) kernels.invoke(run);
    }

    double millisPerOp(String mode, long millis) throws Exception {
      return (double) time.invoke(run, mode, millis);
    }
  }

  private static Engine load(String dirs, String caseId) throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String d : dirs.split(":")) {
      urls.add(toUrl(d));
    }
    ClassLoader loader = new BuildLoader(urls.toArray(URL[]::new), AbCompare.class.getClassLoader());
    Class<?> k = loader.loadClass("io.sparklstm.bench.EngineRun");
    Constructor<?> make = k.getConstructor(String.class);
    return new Engine(make.newInstance(caseId), k.getMethod("run", String.class, long.class), k.getMethod("kernels"));
  }

  private static URL toUrl(String dir) throws MalformedURLException {
    return new File(dir).toURI().toURL();
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: AbCompare A_DIRS B_DIRS CASES [MODES] [PAIRS] [MILLIS]");
      System.exit(2);
    }
    String[] modes = (args.length > 3 ? args[3] : "forwardBackward,forward").split(",");
    int pairs = args.length > 4 ? Integer.parseInt(args[4]) : 15;
    long millis = args.length > 5 ? Long.parseLong(args[5]) : 500;
    String[] cases = args[2].split(",");
    System.out.println("A: " + args[0] + "\n   kernels " + load(args[0], cases[0]).describe());
    System.out.println("B: " + args[1] + "\n   kernels " + load(args[1], cases[0]).describe());
    System.out.printf(Locale.ROOT, "%n| case | mode | A CPU-ms/op | B CPU-ms/op | A/B (median of %d pairs) | B faster in |%n", pairs);
    System.out.println("|---|---|---:|---:|---:|---:|");
    for (String caseId : cases) {
      for (String mode : modes) {
        Engine a = load(args[0], caseId);
        Engine b = load(args[1], caseId);
        a.millisPerOp(mode, 3000);
        b.millisPerOp(mode, 3000);
        double[] ta = new double[pairs];
        double[] tb = new double[pairs];
        double[] ratio = new double[pairs];
        int bFaster = 0;
        for (int i = 0; i < pairs; i++) {
          if (i % 2 == 0) {
            ta[i] = a.millisPerOp(mode, millis);
            tb[i] = b.millisPerOp(mode, millis);
          } else {
            tb[i] = b.millisPerOp(mode, millis);
            ta[i] = a.millisPerOp(mode, millis);
          }
          ratio[i] = ta[i] / tb[i];
          bFaster += ratio[i] > 1 ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %d of %d |%n",
            caseId, mode, median(ta), median(tb), median(ratio), bFaster, pairs);
      }
    }
  }
}
