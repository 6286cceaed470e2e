package io.sparklstm.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sparklstm.jobs.UserError;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of a resolved config whose errors name the key and what was expected. A key set to
 * null reads as null ("not set"); sections turn that into "missing required key" when it is needed.
 */
final class ConfigReader {
  private final Config config;

  ConfigReader(Config config) {
    this.config = config;
  }

  boolean isNull(String key) {
    return !config.hasPathOrNull(key) || config.getIsNull(key);
  }

  /** A string, or null when the key is null. */
  String optString(String key) {
    if (isNull(key)) {
      return null;
    }
    ConfigValue v = config.getValue(key);
    if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
      throw wrongType(key, "a string");
    }
    return String.valueOf(v.unwrapped());
  }

  String string(String key) {
    return notNull(key, optString(key), "a string");
  }

  /** A string that must be one of {@code allowed}. */
  String oneOf(String key, String... allowed) {
    String s = string(key);
    for (String a : allowed) {
      if (a.equals(s)) {
        return s;
      }
    }
    throw new UserError(key + " must be one of " + String.join(" | ", allowed) + ", got \"" + s + "\"");
  }

  /** An integer >= min, or null when the key is null. */
  Integer optIntAtLeast(String key, int min) {
    if (isNull(key)) {
      return null;
    }
    long wide = integer(key);
    if (wide < Integer.MIN_VALUE || wide > Integer.MAX_VALUE) {
      throw wrongType(key, "an integer in 32-bit range");
    }
    int v = (int) wide;
    if (v < min) {
      throw new UserError(key + " must be an integer >= " + min + ", got " + v);
    }
    return v;
  }

  int intAtLeast(String key, int min) {
    return notNull(key, optIntAtLeast(key, min), "an integer");
  }

  /** An integer >= min, or null for the string {@code auto}. */
  Integer intAtLeastOrAuto(String key, int min) {
    if (!isNull(key) && config.getValue(key).valueType() == ConfigValueType.STRING
        && "auto".equals(config.getString(key))) {
      return null;
    }
    try {
      return intAtLeast(key, min);
    } catch (UserError e) {
      throw wrongType(key, "auto or an integer >= " + min);
    }
  }

  long longAtLeast(String key, long min) {
    if (isNull(key)) {
      throw wrongType(key, "an integer");
    }
    long v = integer(key);
    if (v < min) {
      throw new UserError(key + " must be an integer >= " + min + ", got " + v);
    }
    return v;
  }

  /** An integral number (2.5 is rejected, not truncated). */
  private long integer(String key) {
    Number n;
    try {
      n = config.getNumber(key);
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw wrongType(key, "an integer");
    }
    if (n instanceof Double d && (d != Math.rint(d) || Math.abs(d) > 9.0e15)) {
      throw wrongType(key, "an integer");
    }
    return n.longValue();
  }

  /** A number, or null when the key is null. */
  Double optNumber(String key) {
    if (isNull(key)) {
      return null;
    }
    try {
      double v = config.getDouble(key);
      if (!Double.isFinite(v)) {
        throw wrongType(key, "a finite number");
      }
      return v;
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw wrongType(key, "a number");
    }
  }

  /** A number in [lo, hi] (hi exclusive when {@code hiOpen}). */
  double numberIn(String key, double lo, double hi, boolean hiOpen) {
    double v = notNull(key, optNumber(key), "a number");
    checkRange(key, v, lo, hi, hiOpen);
    return v;
  }

  void checkRange(String key, double v, double lo, double hi, boolean hiOpen) {
    boolean ok = v >= lo && (hiOpen ? v < hi : v <= hi);
    if (!ok) {
      String range = Double.isInfinite(hi) ? ">= " + fmt(lo) : "in [" + fmt(lo) + ", " + fmt(hi) + (hiOpen ? ")" : "]");
      throw new UserError(key + " must be a number " + range + ", got " + fmt(v));
    }
  }

  /** A number > 0. */
  double positive(String key) {
    double v = notNull(key, optNumber(key), "a number");
    if (!(v > 0)) {
      throw new UserError(key + " must be a number > 0, got " + fmt(v));
    }
    return v;
  }

  boolean bool(String key) {
    if (isNull(key)) {
      throw wrongType(key, "a boolean (true or false)");
    }
    try {
      return config.getBoolean(key);
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw wrongType(key, "a boolean (true or false)");
    }
  }

  /** A list of strings, or null when the key is null. */
  List<String> optStrings(String key) {
    if (isNull(key)) {
      return null;
    }
    try {
      return List.copyOf(config.getStringList(key));
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw wrongType(key, "a list of strings, e.g. [a, b]");
    }
  }

  /** A free-form map (an object whose leaves are strings, numbers or booleans), keys joined by dots. */
  Map<String, String> map(String key) {
    if (isNull(key)) {
      return Map.of();
    }
    ConfigValue v = config.getValue(key);
    if (!(v instanceof ConfigObject)) {
      throw wrongType(key, "an object, e.g. { name = value }");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : ((ConfigObject) v).toConfig().entrySet()) {
      String name = String.join(".", ConfigUtil.splitPath(e.getKey()));
      ConfigValueType t = e.getValue().valueType();
      if (t == ConfigValueType.LIST || t == ConfigValueType.OBJECT) {
        throw new UserError(key + "." + e.getKey() + " must be a string, number or boolean");
      }
      out.put(name, String.valueOf(e.getValue().unwrapped()));
    }
    return Collections.unmodifiableMap(out);
  }

  private <T> T notNull(String key, T value, String expected) {
    if (value == null) {
      throw wrongType(key, expected);
    }
    return value;
  }

  UserError wrongType(String key, String expected) {
    return new UserError(key + ": expected " + expected + ", got " + describe(key));
  }

  private String describe(String key) {
    if (isNull(key)) {
      return "null";
    }
    ConfigValue v = config.getValue(key);
    String rendered = v.render(ConfigRenderOptions.concise());
    return v.valueType().name().toLowerCase() + " " + rendered + where(v);
  }

  /** " (file.conf: 3)" or " (command line)" for a user's value; "" for a default. */
  private static String where(ConfigValue v) {
    String file = v.origin().filename();
    if (file != null) {
      return " (" + file + ": " + v.origin().lineNumber() + ")";
    }
    String description = v.origin().description();
    return description != null && description.startsWith("command line") ? " (command line)" : "";
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
