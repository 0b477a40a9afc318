package openrouter.gateway.server.errors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The redaction rules, on plain strings. */
class RedactorTest {
  private static final String SECRET = "5eC7e7ab1e".repeat(6) + "abcd"; // 64 characters
  private static final String KEY = "sk-or-v1-" + SECRET;

  @org.junit.jupiter.api.BeforeEach
  void knowTheKey() {
    Redactor.addCallerKey(KEY);
  }

  @Test
  void theKeyGoesInEveryCaseAndEncoding() {
    assertThat(Redactor.redact("key " + KEY + " rejected")).isEqualTo("key sk-or-<redacted> rejected");
    assertThat(Redactor.redact("KEY " + KEY.toUpperCase(java.util.Locale.ROOT))).isEqualTo("KEY sk-or-<redacted>");
    assertThat(Redactor.redact("bare " + SECRET + ".")).isEqualTo("bare <redacted>.");
    assertThat(Redactor.redact("bare upper " + SECRET.toUpperCase(java.util.Locale.ROOT))).isEqualTo("bare upper <redacted>");
    assertThat(Redactor.redact("{\"m\":\"\\u0073k-or-v1-" + SECRET + "\"}")).isEqualTo("{\"m\":\"sk-or-<redacted>\"}");
    String allEscaped = SECRET.chars().mapToObj(c -> String.format("\\u%04x", c)).reduce("", String::concat);
    assertThat(Redactor.redact("x" + allEscaped + "y")).isEqualTo("x<redacted>y");
    assertThat(Redactor.redact("double \\\\u0073k-or-v1-" + SECRET)).isEqualTo("double sk-or-<redacted>");
    assertThat(Redactor.redact("glued" + SECRET + "tail")).isEqualTo("glued<redacted>tail");
  }

  @Test
  void textIsRedactedWholeBeforeItIsCut() {
    String text = "x".repeat(20) + " " + SECRET.toUpperCase(java.util.Locale.ROOT) + " tail";
    assertThat(Redactor.redactAndCut(text, 40)).isEqualTo("x".repeat(20) + " <redacted> tail");
    assertThat(Redactor.redactAndCut(text, 30)).isEqualTo("x".repeat(20) + " <redacted...");
    assertThat(Redactor.redactAndCut("short", 30)).isEqualTo("short");
  }

  @Test
  void anythingShapedLikeAKeyGoesEvenUnknown() {
    assertThat(Redactor.redact("sk-or-v1-0123abc and SK-OR-V1-XYZ")).isEqualTo("sk-or-<redacted> and sk-or-<redacted>");
  }

  @Test
  void otherTextIsLeftAloneAndRedactingTwiceChangesNothing() {
    String plain = "Provider returned error: context length 8192 exceeded (gen-1739458867-kUKFjpDGCEBBvK6V46PX)";
    assertThat(Redactor.redact(plain)).isSameAs(plain);
    assertThat(Redactor.redact("a \\n newline and \\u00e9")).isEqualTo("a \\n newline and \\u00e9");
    String once = Redactor.redact("k=" + KEY + " bare=" + SECRET);
    assertThat(Redactor.redact(once)).isEqualTo(once);
    assertThat(Redactor.containsSecret(once)).isFalse();
    assertThat(Redactor.redact(null)).isNull();
  }

  @Test
  void callerKeysAreBoundedAndTheLeastRecentlyUsedGoFirst() {
    for (int i = 0; i < Redactor.MAX_CALLER_KEYS + 5; i++) {
      Redactor.addCallerKey("sk-or-v1-" + String.format("%064x", i + 1_000_000L));
    }
    String newest = String.format("%064x", Redactor.MAX_CALLER_KEYS + 4 + 1_000_000L);
    String oldest = String.format("%064x", 1_000_000L);
    assertThat(Redactor.containsSecret(newest)).isTrue();
    assertThat(Redactor.containsSecret(oldest)).as("evicted").isFalse();
    Redactor.addCallerKey(KEY); // in use again
    assertThat(Redactor.containsSecret(SECRET)).isTrue();
  }
}
