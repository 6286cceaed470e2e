package io.sparklstm.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/CONFIG.md holds the table generated from reference.conf between two markers. To refresh it
 * after changing reference.conf: {@code mvn -pl jobs -am test -Dtest=ConfigDocTest -Dsparklstm.updateDocs=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ConfigDocTest {
  private static final Path DOC = Path.of("..", "docs", "CONFIG.md");
  private static final String BEGIN = "<!-- BEGIN GENERATED from jobs/src/main/resources/reference.conf -->\n";
  private static final String END = "<!-- END GENERATED -->";

  @Test
  void everyKeyHasAComment() {
    for (ConfigDoc.Entry e : ConfigDoc.entries()) {
      assertFalse(e.meaning().isBlank(), "no comment above " + e.key() + " in reference.conf");
      assertFalse(e.type().isBlank(), "no (type) in the comment of " + e.key() + " (a key without default)");
    }
  }

  @Test
  void configDocMatchesReferenceConf() throws Exception {
    String doc = Files.readString(DOC);
    int b = doc.indexOf(BEGIN);
    int e = doc.indexOf(END);
    assertTrue(b >= 0 && e > b, "docs/CONFIG.md lacks the generated-section markers");
    String expected = ConfigDoc.markdown();
    String actual = doc.substring(b + BEGIN.length(), e);
    if (Boolean.getBoolean("sparklstm.updateDocs")) {
      Files.writeString(DOC, doc.substring(0, b + BEGIN.length()) + expected + doc.substring(e));
      return;
    }
    if (!expected.equals(actual)) {
      fail("docs/CONFIG.md is out of date with reference.conf; regenerate it: mvn -q -B -pl jobs -am test "
          + "-Dtest=ConfigDocTest -Dsurefire.failIfNoSpecifiedTests=false -Dsparklstm.updateDocs=true");
    }
    assertEquals(expected, actual);
  }
}
