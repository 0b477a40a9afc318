package openrouter.gateway.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BoundedLabelsTest {
  @Test
  void keepsTheFirstValuesThenSaysOther() {
    BoundedLabels labels = new BoundedLabels(2);
    assertThat(labels.of("a")).isEqualTo("a");
    assertThat(labels.of("b")).isEqualTo("b");
    assertThat(labels.of("c")).isEqualTo("other");
    assertThat(labels.of("a")).isEqualTo("a");
    assertThat(labels.of("")).isEqualTo("unknown");
    assertThat(labels.of(null)).isEqualTo("unknown");
  }

  @Test
  void cutsLongValues() {
    assertThat(new BoundedLabels(5).of("x".repeat(300))).hasSize(100);
  }
}
