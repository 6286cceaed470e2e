package io.sparklstm.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The key reference of docs/CONFIG.md, generated from reference.conf (keys in file order, the
 * comment above each key as its meaning), so the two cannot drift: a test compares them.
 */
public final class ConfigDoc {
  /** One documented key. */
  public record Entry(String key, String type, String defaultValue, String meaning, boolean required) {
  }

  private ConfigDoc() {
  }

  /** Every leaf of reference.conf (empty objects count as leaves), in file order. */
  public static List<Entry> entries() {
    Config reference = JobConfig.reference();
    List<String> lines = JobConfig.referenceLines();
    List<Map.Entry<String, ConfigValue>> leaves = new ArrayList<>();
    collect(reference.root(), new ArrayList<>(), leaves);
    leaves.sort(Comparator.comparingInt(e -> e.getValue().origin().lineNumber()));
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> leaf : leaves) {
      out.add(entry(leaf.getKey(), leaf.getValue(), lines.get(leaf.getValue().origin().lineNumber() - 1)));
    }
    return out;
  }

  private static void collect(ConfigObject obj, List<String> prefix, List<Map.Entry<String, ConfigValue>> out) {
    for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(e.getKey());
      if (e.getValue() instanceof ConfigObject child && !child.isEmpty()) {
        collect(child, path, out);
      } else {
        out.add(Map.entry(ConfigUtil.joinPath(path), e.getValue()));
      }
    }
  }

  private static Entry entry(String key, ConfigValue v, String line) {
    String comment = String.join(" ", v.origin().comments().stream().map(String::strip).toList());
    if (v.valueType() == ConfigValueType.NULL) {
      // "(type; required for X) meaning"
      int close = comment.indexOf(')');
      String paren = comment.startsWith("(") && close > 0 ? comment.substring(1, close) : "";
      String meaning = comment.substring(close + 1).strip();
      int semi = paren.indexOf(';');
      String type = semi < 0 ? paren : paren.substring(0, semi).strip();
      String note = semi < 0 ? "" : paren.substring(semi + 1).strip();
      return new Entry(key, type, "null", note.isEmpty() ? meaning : note + ": " + meaning, !note.isEmpty());
    }
    // The default as written in reference.conf (Typesafe would render 0.0 as 0).
    int eq = line.indexOf('=');
    String rendered = eq >= 0 ? line.substring(eq + 1).strip() : v.render(ConfigRenderOptions.concise());
    String type = switch (v.valueType()) {
      case NUMBER -> rendered.matches("-?[0-9]+") ? "int" : "number";
      case BOOLEAN -> "boolean";
      case STRING -> "string";
      case LIST -> "list of strings";
      case OBJECT -> "object (any keys)";
      default -> v.valueType().name().toLowerCase();
    };
    return new Entry(key, type, rendered, comment, false);
  }

  /** The generated markdown: one table per top-level section. */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    String section = null;
    for (Entry e : entries()) {
      String top = ConfigUtil.splitPath(e.key()).get(0);
      if (!top.equals(section)) {
        section = top;
        sb.append(sb.length() == 0 ? "" : "\n").append("### ").append(top).append("\n\n");
        sb.append("| key | type | default | meaning |\n|---|---|---|---|\n");
      }
      sb.append("| `").append(e.key()).append("` | ").append(cell(e.type())).append(" | ")
          .append(e.required() ? "(none)" : "`" + cell(e.defaultValue()) + "`").append(" | ")
          .append(cell(e.meaning())).append(" |\n");
    }
    return sb.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|");
  }
}
