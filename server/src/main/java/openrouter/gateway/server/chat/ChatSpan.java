package openrouter.gateway.server.chat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import openrouter.gateway.server.errors.Redactor;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatSummary;
import openrouter.gateway.v1.Usage;

/**
 * The GenAI semantic conventions on the span of a chat call (the gRPC server span, current on
 * the worker): the request's model and the parameters that were set, then what served it,
 * tokens and cost ({@code openrouter.cost_usd}), and retries, fallbacks and watchdogs as
 * events. Never message content, never a key. Costs nothing when the span is not recording.
 */
final class ChatSpan {
  private final Span span;

  private ChatSpan(Span span) {
    this.span = span;
  }

  static ChatSpan start(ChatRequest request) {
    Span span = Span.current();
    ChatSpan s = new ChatSpan(span);
    if (!span.isRecording()) {
      return s;
    }
    span.setAttribute("gen_ai.operation.name", "chat");
    span.setAttribute("gen_ai.provider.name", "openrouter");
    span.setAttribute("gen_ai.system", "openrouter");
    span.setAttribute("gen_ai.request.model", Redactor.redact(request.getModel()));
    if (request.hasTemperature()) {
      span.setAttribute("gen_ai.request.temperature", request.getTemperature());
    }
    if (request.hasTopP()) {
      span.setAttribute("gen_ai.request.top_p", request.getTopP());
    }
    if (request.hasTopK()) {
      span.setAttribute("gen_ai.request.top_k", (long) request.getTopK());
    }
    if (request.hasFrequencyPenalty()) {
      span.setAttribute("gen_ai.request.frequency_penalty", request.getFrequencyPenalty());
    }
    if (request.hasPresencePenalty()) {
      span.setAttribute("gen_ai.request.presence_penalty", request.getPresencePenalty());
    }
    if (request.hasSeed()) {
      span.setAttribute("gen_ai.request.seed", request.getSeed());
    }
    if (request.hasMaxTokens()) {
      span.setAttribute("gen_ai.request.max_tokens", (long) request.getMaxTokens());
    } else if (request.hasMaxCompletionTokens()) {
      span.setAttribute("gen_ai.request.max_tokens", (long) request.getMaxCompletionTokens());
    }
    return s;
  }

  void retry(int attempt, String errorType, Duration delay) {
    if (span.isRecording()) {
      span.addEvent("retry", Attributes.of(AttributeKey.longKey("attempt"), (long) attempt,
          AttributeKey.stringKey("error.type"), errorType,
          AttributeKey.longKey("delay_ms"), delay.toMillis()));
    }
  }

  void fallback(int attempt, String errorType, String nextModel) {
    if (span.isRecording()) {
      span.addEvent("fallback", Attributes.of(AttributeKey.longKey("attempt"), (long) attempt,
          AttributeKey.stringKey("error.type"), errorType,
          AttributeKey.stringKey("gen_ai.request.model"), Redactor.redact(nextModel)));
    }
  }

  void watchdog(String limit, Duration after) {
    if (span.isRecording()) {
      span.addEvent("watchdog_fired", Attributes.of(AttributeKey.stringKey("limit"), limit,
          AttributeKey.longKey("after_ms"), after.toMillis()));
    }
  }

  /**
   * What served the call, from the final summary, or from the stats of a failed call. Every
   * string here is OpenRouter's text, so it goes through the redactor like a log line.
   */
  void finished(ChatSummary summary, ChatStats stats) {
    if (!span.isRecording()) {
      return;
    }
    span.setAttribute("gateway.upstream.attempts", (long) stats.attempts());
    if (!stats.model().isEmpty()) {
      span.setAttribute("gen_ai.response.model", Redactor.redact(stats.model()));
    }
    if (!stats.generationId().isEmpty()) {
      span.setAttribute("gen_ai.response.id", Redactor.redact(stats.generationId()));
    }
    if (!stats.provider().isEmpty()) {
      span.setAttribute("openrouter.provider", Redactor.redact(stats.provider()));
    }
    if (summary != null && !summary.getFinishReason().isEmpty()) {
      span.setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"),
          List.of(Redactor.redact(summary.getFinishReason())));
    }
    Usage usage = stats.usage();
    if (usage != null) {
      span.setAttribute("gen_ai.usage.input_tokens", (long) usage.getPromptTokens());
      span.setAttribute("gen_ai.usage.output_tokens", (long) usage.getCompletionTokens());
      if (!usage.getCost().isEmpty()) {
        try {
          span.setAttribute("openrouter.cost_usd", new BigDecimal(usage.getCost()).doubleValue());
        } catch (NumberFormatException notANumber) {
          // no cost attribute
        }
      }
    }
  }
}
