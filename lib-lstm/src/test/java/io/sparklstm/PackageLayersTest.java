package io.sparklstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * lib-lstm's packages stack: {@code blas} and {@code tensor} at the bottom, {@code lstm}
 * ({@code torch.nn.LSTM}) on them, {@code model} (an LSTM and a head) on {@code lstm}, {@code train}
 * and {@code io} on {@code model}. A package may name its own level and the levels below, never one
 * above. Checked on the text of the main sources: every {@code io.sparklstm.<package>} named in code
 * (imports, static imports, qualified names), comments and string literals left out. Subpackages
 * ({@code train.optim}) belong to their package.
 */
class PackageLayersTest {
  private static final Path SOURCES = Path.of("src", "main", "java", "io", "sparklstm");
  private static final Map<String, Integer> LEVEL =
      Map.of("blas", 0, "tensor", 0, "lstm", 1, "model", 2, "train", 3, "io", 3);
  private static final Pattern REFERENCE = Pattern.compile("(?<![\\w.])io\\.sparklstm\\.(\\w+)");

  @Test
  void lstmNamesNothingFromModelTrainOrIo() throws IOException {
    assertEquals(List.of(), upwardReferences("lstm"));
  }

  @Test
  void noPackageNamesAHigherOne() throws IOException {
    List<String> found = new ArrayList<>();
    for (String pkg : packages()) {
      found.addAll(upwardReferences(pkg));
    }
    assertEquals(List.of(), found);
  }

  @Test
  void everyPackageHasALevel() throws IOException {
    for (String pkg : packages()) {
      assertTrue(LEVEL.containsKey(pkg), "io.sparklstm." + pkg + " has no level in " + LEVEL
          + "; add it to PackageLayersTest.LEVEL where it stands");
    }
  }

  @Test
  void theScanSeesReferencesInCodeOnly() {
    String source = """
        package io.sparklstm.lstm;

        import io.sparklstm.blas.Gemm;
        import static io.sparklstm.model.Losses.mse;
        // import io.sparklstm.comment.Line;
        /* io.sparklstm.comment.Block */
        /** {@link io.sparklstm.comment.Javadoc} */
        // a path that ends in a backslash: C:\\temp\\
        class X {
          String s = "io.sparklstm.string.Literal // not a comment";
          char c = '"';
          io.sparklstm.train.Trainer t = new io.sparklstm.io.Json();
          String block = \"""
              io.sparklstm.string.TextBlock
              \""";
        }
        """;
    assertEquals(Set.of("lstm", "blas", "model", "train", "io"), referencedPackages(source));
  }

  /** "lstm/Lstm.java names io.sparklstm.model" for each reference from {@code pkg} to a higher level. */
  private static List<String> upwardReferences(String pkg) throws IOException {
    int level = LEVEL.get(pkg);
    List<String> found = new ArrayList<>();
    for (Path file : javaFiles(SOURCES.resolve(pkg))) {
      for (String other : referencedPackages(Files.readString(file))) {
        if (LEVEL.getOrDefault(other, Integer.MAX_VALUE) > level) {
          found.add(SOURCES.relativize(file) + " names io.sparklstm." + other);
        }
      }
    }
    return found;
  }

  private static List<String> packages() throws IOException {
    try (Stream<Path> dirs = Files.list(SOURCES)) {
      List<String> names = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(names.contains("lstm"), "no lstm package under " + SOURCES.toAbsolutePath());
      return names;
    }
  }

  private static List<Path> javaFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  /** The io.sparklstm packages (first name after io.sparklstm) that the code of {@code source} names. */
  static Set<String> referencedPackages(String source) {
    Set<String> packages = new TreeSet<>();
    Matcher m = REFERENCE.matcher(codeOnly(source));
    while (m.find()) {
      packages.add(m.group(1));
    }
    return packages;
  }

  /** {@code source} with comments, string, text block and char literals blanked out. */
  private static String codeOnly(String source) {
    StringBuilder code = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      String end;
      if (source.startsWith("//", i)) {
        end = "\n";
      } else if (source.startsWith("/*", i)) {
        end = "*/";
      } else if (source.startsWith("\"\"\"", i)) {
        end = "\"\"\"";
      } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
        end = String.valueOf(source.charAt(i));
      } else {
        code.append(source.charAt(i++));
        continue;
      }
      boolean comment = end.equals("\n") || end.equals("*/");
      int j = i + (comment ? 2 : end.length());
      while (j < n && !source.startsWith(end, j)) {
        j += !comment && source.charAt(j) == '\\' ? 2 : 1;
      }
      j = Math.min(n, j + end.length());
      code.append(" ".repeat(j - i));
      i = j;
    }
    return code.toString();
  }
}
