package io.sparklstm.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import io.sparklstm.jobs.UserError;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Command-line {@code key=value} overrides. A value that starts like HOCON structure ({@code [ { "}),
 * or is a number, boolean or null, is parsed as HOCON ({@code train.epochs=3},
 * {@code predict.columns=[output,h_n]}); anything else is taken verbatim as a string, so paths and
 * URLs such as {@code hdfs://nn/data} or {@code local[2]} need no quoting.
 */
final class Overrides {
  private static final Pattern HOCON_SCALAR =
      Pattern.compile("null|true|false|-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");

  private Overrides() {
  }

  /** The overrides as one config; later arguments win. */
  static Config parse(List<String> args) {
    Config merged = ConfigFactory.empty();
    for (String arg : args) {
      merged = parseOne(arg).withFallback(merged);
    }
    return merged;
  }

  static Config parseOne(String arg) {
    int eq = arg.indexOf('=');
    if (eq <= 0) {
      throw new UserError("expected key=value, got \"" + arg + "\"");
    }
    String key = arg.substring(0, eq).trim();
    String value = arg.substring(eq + 1).trim();
    try {
      ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      throw new UserError("bad key \"" + key + "\" in \"" + arg + "\"");
    }
    String hocon = looksLikeHocon(value) ? value : ConfigUtil.quoteString(value);
    try {
      return ConfigFactory.parseString(key + " = " + hocon,
          ConfigParseOptions.defaults().setOriginDescription("command line " + key));
    } catch (ConfigException e) {
      throw new UserError("cannot parse \"" + arg + "\": " + e.getMessage());
    }
  }

  private static boolean looksLikeHocon(String value) {
    return value.startsWith("[") || value.startsWith("{") || value.startsWith("\"")
        || HOCON_SCALAR.matcher(value).matches();
  }
}
