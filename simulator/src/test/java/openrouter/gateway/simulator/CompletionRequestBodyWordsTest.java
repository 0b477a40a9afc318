package openrouter.gateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Token counts (usage) rest on words(); it must count exactly as strip() + split("\\s+"). */
class CompletionRequestBodyWordsTest {
  @Test
  void countsLikeTheRegexDefinition() {
    List<String> texts = List.of("", " ", " \t\n ", "a", "  Hello big world  ", "a  b\tc\nd\re",
        "x\u000Bx\fx", "em\u2003space", "\u2003edges\u2003", "no\u00A0break", "😀 😀  😀",
        "trailing\n\n", "\u3000ideographic\u3000space\u3000", "mixed \u2003 \t words");

    for (String text : texts) {
      String stripped = text.strip();
      int expected = stripped.isEmpty() ? 0 : stripped.split("\\s+").length;
      assertThat(CompletionRequestBody.words(text)).as("words of [%s]", text).isEqualTo(expected);
    }
  }

  @Test
  void countsRealPrompts() {
    assertThat(CompletionRequestBody.words("benchmark prompt")).isEqualTo(2);
    assertThat(CompletionRequestBody.words("  Héllo,\nwörld  😀 !")).isEqualTo(4);
  }
}
