package openrouter.gateway.server.embeddings;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import openrouter.gateway.server.chat.ChatStats;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.resilience.RetryPolicy;
import openrouter.gateway.server.upstream.CallControl;
import openrouter.gateway.server.upstream.JsonCall;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.wire.EmbedRequestBodies;
import openrouter.gateway.server.upstream.wire.OpenRouterBody;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbedResponse;
import openrouter.gateway.v1.Usage;

/**
 * Runs one Embed call against OpenRouter. An embedding call is idempotent: the same request
 * gives the same vectors and changes nothing, so it is retried with {@link
 * RetryPolicy#delayBeforeIdempotent} (also after 500, 408 and 524, which chat never retries),
 * within the call's deadline. OpenRouter's {@code /embeddings} takes no {@code models}
 * fallback list, so there is no chain to walk.
 *
 * <p>It knows no gRPC: failures are thrown as {@link GatewayFailure}s.
 */
public final class EmbedRunner {
  private final OpenRouterClient client;
  private final RetryPolicy retryPolicy;
  private final Clock clock;

  public EmbedRunner(OpenRouterClient client, RetryPolicy retryPolicy, Clock clock) {
    this.client = client;
    this.retryPolicy = retryPolicy;
    this.clock = clock;
  }

  /** Embeds a validated request with {@code model} (the request's, or the default). */
  public EmbedResponse embed(EmbedRequest request, String model, Optional<String> callerKey, CallControl control) {
    return embed(request, model, callerKey, control, new ChatStats());
  }

  /** As above, recording model, provider, attempts and usage in {@code stats} for the access line. */
  public EmbedResponse embed(
      EmbedRequest request, String model, Optional<String> callerKey, CallControl control, ChatStats stats) {
    OpenRouterBody body = EmbedRequestBodies.body(request, model);
    stats.model(model);
    int retry = 0;
    int attempts = 0;
    while (true) {
      attempts++;
      stats.attempts(attempts);
      try {
        EmbedResponse answer = EmbedResponseMapper.map(
            JsonCall.embeddings(client.newEmbeddingsCall(body, callerKey), control), request.getInputsCount());
        stats.model(answer.getModel());
        stats.provider(answer.getProvider());
        stats.usage(Usage.newBuilder()
            .setPromptTokens((int) Math.min(Integer.MAX_VALUE, answer.getUsage().getPromptTokens()))
            .setTotalTokens((int) Math.min(Integer.MAX_VALUE, answer.getUsage().getTotalTokens()))
            .setCost(answer.getUsage().getCost())
            .setIsByok(answer.getUsage().getIsByok())
            .build());
        return answer;
      } catch (GatewayFailure f) {
        GatewayFailure failure = f.withAttempts(attempts, cause(f)).withServed(model, null, null);
        if (control.cancelled() || control.expired() || f.kind() == Kind.CALLER_CANCELLED
            || f.kind() == Kind.CALLER_DEADLINE || f.kind() == Kind.UPSTREAM_TIMEOUT) {
          throw failure;
        }
        Optional<Duration> wait = retryPolicy.delayBeforeIdempotent(++retry, f, control.remaining(), clock,
            () -> ThreadLocalRandom.current().nextDouble());
        if (wait.isEmpty()) {
          throw failure;
        }
        if (!control.pause(wait.get())) {
          throw GatewayFailure.of(Kind.CALLER_CANCELLED, "the caller cancelled the call");
        }
      }
    }
  }

  private static String cause(GatewayFailure f) {
    return f.upstreamError()
        .map(e -> "HTTP " + e.effectiveStatus() + (e.errorType().isEmpty() ? "" : " " + e.errorType()))
        .orElse(f.kind().name());
  }
}
