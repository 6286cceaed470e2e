package io.sparklstm.jobs;

import io.sparklstm.jobs.config.JobConfig;
import io.sparklstm.jobs.generate.GenerateCommand;
import io.sparklstm.jobs.window.WindowCommand;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spark-lstm <command> [--config FILE] [--debug] [key=value ...]}: the class for
 * {@code spark-submit --class} and for bin/spark-lstm. Parses the command line and config, starts
 * Spark and calls the command's {@code run}. Exit codes: 0 success, 2 user error (one line
 * {@code error: <cause>} on stderr), 1 unexpected failure ({@code error: internal: ...}; the stack
 * trace with {@code --debug} or SPARK_LSTM_DEBUG=1).
 */
public final class Main {
  /** Every command; adding one is one line. */
  static List<Command> commands() {
    return List.of(
        new io.sparklstm.jobs.train.TrainCommand(),
        new io.sparklstm.jobs.predict.PredictCommand(),
        new WindowCommand(),
        new GenerateCommand(),
        new io.sparklstm.jobs.export.ExportCommand(),
        new QuickstartCommand());
  }

  public static final int OK = 0;
  public static final int INTERNAL_ERROR = 1;
  public static final int USER_ERROR = 2;

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private final Map<String, Command> commands = new LinkedHashMap<>();
  private final Sessions sessions;

  Main(List<Command> commands, Sessions sessions) {
    for (Command c : commands) {
      this.commands.put(c.name(), c);
    }
    this.sessions = sessions;
  }

  public static void main(String[] args) {
    JulBridge.install();
    int code = new Main(commands(), Sessions.DEFAULT).execute(args, System.out, System.err);
    if (code != OK) {
      System.exit(code);
    }
  }

  /** Runs one command line; returns the exit code. Never throws an Exception. */
  int execute(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(usage());
      return USER_ERROR;
    }
    String name = args[0];
    if (name.equals("help") || name.equals("--help") || name.equals("-h")) {
      Command c = args.length > 1 ? commands.get(args[1]) : null;
      out.print(c != null ? commandUsage(c) : usage());
      return OK;
    }
    Command command = commands.get(name);
    if (command == null) {
      err.println("error: unknown command \"" + name + "\"; commands: " + String.join(", ", commands.keySet())
          + " (spark-lstm --help for usage)");
      return USER_ERROR;
    }
    boolean debug = "1".equals(System.getenv("SPARK_LSTM_DEBUG"));
    try {
      Invocation inv = Invocation.parse(args);
      debug |= inv.debug;
      if (inv.help) {
        out.print(commandUsage(command));
        return OK;
      }
      JobConfig config = JobConfig.load(inv.configFile, inv.overrides);
      command.validate(config);
      if (command.sections().length > 0) {
        LOG.info("spark-lstm {} with config:\n{}", name, config.render(command.sections()));
      }
      long start = System.nanoTime();
      SparkSession spark = sessions.start(config.spark(), "spark-lstm " + name);
      try {
        command.run(spark, config);
      } finally {
        sessions.stop(spark);
      }
      LOG.info("spark-lstm {} done in {}", name, seconds(System.nanoTime() - start));
      return OK;
    } catch (Exception e) {
      return report(e, debug, err);
    }
  }

  /** Prints the one-line error (and the stack trace when debugging); returns the exit code. */
  static int report(Exception e, boolean debug, PrintStream err) {
    UserError user = find(e, UserError.class);
    AnalysisException analysis = find(e, AnalysisException.class);
    int code;
    if (user != null) {
      err.println("error: " + firstLine(user.getMessage()));
      code = USER_ERROR;
    } else if (analysis != null) {
      err.println("error: " + firstLine(analysis.getMessage()));
      code = USER_ERROR;
    } else {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String what = root.getClass().getName() + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()));
      if (outOfMemory(e)) {
        err.println("error: out of memory (" + what + "); give the JVM more heap (SPARK_LSTM_DRIVER_MEMORY with"
            + " bin/spark-lstm, spark.executor.memory with spark-submit) or lower train.batch-size / predict.batch-size");
        code = USER_ERROR;
      } else {
        err.println("error: internal: " + what + (debug ? "" : " (--debug shows the stack trace)"));
        code = INTERNAL_ERROR;
      }
    }
    if (debug) {
      e.printStackTrace(err);
    }
    return code;
  }

  /** An OutOfMemoryError in the chain, or in a Spark task failure's message (tasks report it as text). */
  private static boolean outOfMemory(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OutOfMemoryError || (t.getMessage() != null && t.getMessage().contains("java.lang.OutOfMemoryError"))) {
        return true;
      }
    }
    return false;
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    String s = message.strip();
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl).strip();
  }

  private static String seconds(long nanos) {
    return String.format("%.1f s", nanos / 1e9);
  }

  String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: spark-lstm <command> [--config FILE] [--debug] [key=value ...]\n\n");
    sb.append("commands:\n");
    for (Command c : commands.values()) {
      sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
    }
    sb.append(String.format("  %-10s %s%n", "help", "this text; help <command> for one command"));
    sb.append("\n");
    sb.append("  --config FILE   a HOCON config file (every key and default: docs/CONFIG.md)\n");
    sb.append("  key=value       overrides a config key, e.g. train.epochs=3 predict.columns=[output,h_n]\n");
    sb.append("  --debug         print stack traces of failures (also SPARK_LSTM_DEBUG=1)\n");
    sb.append("\nexit codes: 0 success, 1 internal error, 2 user error (bad config, data or path)\n");
    return sb.toString();
  }

  static String commandUsage(Command c) {
    String keys = c.sections().length == 0 ? "" : "\nconfig sections: " + String.join(", ", c.sections())
        + " (docs/CONFIG.md)\n";
    return "usage: spark-lstm " + c.name() + " [--config FILE] [--debug] [key=value ...]\n\n"
        + c.summary() + "\n" + keys;
  }

  /** The parsed options after the command word. */
  static final class Invocation {
    Path configFile;
    boolean debug;
    boolean help;
    final List<String> overrides = new ArrayList<>();

    static Invocation parse(String[] args) {
      Invocation inv = new Invocation();
      for (int i = 1; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--config") || a.equals("-c")) {
          if (i + 1 >= args.length) {
            throw new UserError(a + " needs a file name");
          }
          inv.configFile = Path.of(args[++i]);
        } else if (a.startsWith("--config=")) {
          inv.configFile = Path.of(a.substring("--config=".length()));
        } else if (a.equals("--debug")) {
          inv.debug = true;
        } else if (a.equals("--help") || a.equals("-h")) {
          inv.help = true;
        } else if (a.startsWith("-")) {
          throw new UserError("unknown option " + a + " (options: --config FILE, --debug, --help)");
        } else {
          inv.overrides.add(a);
        }
      }
      return inv;
    }
  }
}
