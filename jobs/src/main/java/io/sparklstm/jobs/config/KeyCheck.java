package io.sparklstm.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sparklstm.jobs.UserError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rejects keys that reference.conf does not have, naming the key and, when one is close, suggesting
 * it. An empty object in reference.conf ({@code spark.conf}, {@code *.options}) accepts any keys.
 */
final class KeyCheck {
  private final ConfigObject reference;
  private final List<String> knownKeys = new ArrayList<>();

  KeyCheck(Config reference) {
    this.reference = reference.root();
    collect(this.reference, new ArrayList<>());
  }

  private void collect(ConfigObject obj, List<String> prefix) {
    for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
      List<String> path = append(prefix, e.getKey());
      knownKeys.add(ConfigUtil.joinPath(path));
      if (e.getValue() instanceof ConfigObject child) {
        collect(child, path);
      }
    }
  }

  /**
   * Checks every key of {@code user} (the file and overrides as given); {@code resolved} is the
   * merged, resolved config, used where the user's value is a substitution.
   */
  void check(Config user, Config resolved) {
    walk(user.root(), reference, new ArrayList<>(), resolved);
  }

  private void walk(ConfigObject userObj, ConfigObject refObj, List<String> prefix, Config resolved) {
    for (Map.Entry<String, ConfigValue> e : userObj.entrySet()) {
      List<String> path = append(prefix, e.getKey());
      String key = ConfigUtil.joinPath(path);
      ConfigValue ref = refObj.get(e.getKey());
      if (ref == null && !refObj.containsKey(e.getKey())) {
        throw new UserError("unknown key " + key + suggestion(key));
      }
      if (!(ref instanceof ConfigObject refChild)) {
        if (e.getValue() instanceof ConfigObject) {
          throw new UserError(key + ": expected a single value, got an object");
        }
        continue;
      }
      ConfigValue value = e.getValue() instanceof ConfigObject ? e.getValue()
          : (resolved.hasPathOrNull(key) ? resolved.getValue(key) : e.getValue());
      if (value instanceof ConfigObject userChild) {
        if (!refChild.isEmpty()) {
          walk(userChild, refChild, path, resolved);
        }
      } else if (value.valueType() != ConfigValueType.NULL) { // null = the reference's default
        throw new UserError(key + ": expected an object" + (refChild.isEmpty() ? "" : " with keys " + refChild.keySet()));
      }
    }
  }

  /** " (did you mean X?)" for the closest known key, or "". */
  String suggestion(String unknown) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String last = lastSegment(unknown);
    for (String known : knownKeys) {
      int d = distance(unknown, known);
      boolean close = d <= Math.max(2, unknown.length() / 6) || lastSegment(known).equals(last)
          || (last.length() > 3 && distance(lastSegment(known), last) <= 1);
      if (close && d < bestDistance) {
        best = known;
        bestDistance = d;
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  private static String lastSegment(String key) {
    List<String> parts = ConfigUtil.splitPath(key);
    return parts.get(parts.size() - 1);
  }

  private static List<String> append(List<String> prefix, String key) {
    List<String> path = new ArrayList<>(prefix);
    path.add(key);
    return path;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
