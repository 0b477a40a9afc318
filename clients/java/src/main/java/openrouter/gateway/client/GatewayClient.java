package openrouter.gateway.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbedResponse;
import openrouter.gateway.v1.EmbeddingsServiceGrpc;
import openrouter.gateway.v1.ListEmbeddingModelsRequest;
import openrouter.gateway.v1.ListEmbeddingModelsResponse;
import openrouter.gateway.v1.ListModelEndpointsRequest;
import openrouter.gateway.v1.ListModelEndpointsResponse;
import openrouter.gateway.v1.ListProvidersRequest;
import openrouter.gateway.v1.ListProvidersResponse;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.CheckResponse;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.GetCreditsRequest;
import openrouter.gateway.v1.GetCreditsResponse;
import openrouter.gateway.v1.GetGenerationRequest;
import openrouter.gateway.v1.GetGenerationResponse;
import openrouter.gateway.v1.GetKeyRequest;
import openrouter.gateway.v1.GetKeyResponse;
import openrouter.gateway.v1.GetModelRequest;
import openrouter.gateway.v1.GetModelResponse;
import openrouter.gateway.v1.GetSpendRequest;
import openrouter.gateway.v1.GetSpendResponse;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.ModelsServiceGrpc;
import openrouter.gateway.v1.StreamChatResponse;

/**
 * A small, blocking-first client for the gateway over the generated stubs.
 *
 * <p>Build one per process and share it: it is thread-safe, and its channel multiplexes every
 * call over one HTTP/2 connection. {@link #newBuilder(String)} owns its channel (close the
 * client to close it) and applies the published retry {@link ServiceConfig}; {@link
 * #forChannel(Channel)} uses a channel you manage and never closes it.
 *
 * <p>Every call has a deadline: {@link #DEFAULT_CHAT_TIMEOUT} for chat, {@link
 * #DEFAULT_READ_TIMEOUT} for the reads; change them with {@link #withChatTimeout} and {@link
 * #withReadTimeout}, which return a view sharing the same channel. Every failure is a
 * {@link GatewayException}.
 */
public final class GatewayClient implements AutoCloseable {
  /** The gateway's own default for a chat call without a deadline ({@code GATEWAY_CHAT_TIMEOUT_MS}). */
  public static final Duration DEFAULT_CHAT_TIMEOUT = Duration.ofMinutes(10);
  /** Reads are answered from the gateway's caches; 30 s leaves room for a cold cache and retries. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  /** A page of 1000 models with their raw JSON runs to a few MiB: above gRPC's 4 MiB default. */
  static final int MAX_INBOUND_MESSAGE_BYTES = 32 * 1024 * 1024;

  private final Channel channel;
  private final ManagedChannel owned;
  private final Duration chatTimeout;
  private final Duration readTimeout;

  private GatewayClient(Channel channel, ManagedChannel owned, Duration chatTimeout, Duration readTimeout) {
    this.channel = channel;
    this.owned = owned;
    this.chatTimeout = chatTimeout;
    this.readTimeout = readTimeout;
  }

  /**
   * A client on a channel you own (you close it). Apply {@link ServiceConfig#asMap()} with
   * {@code enableRetry()} when you build it to get the published retry policy.
   */
  public static GatewayClient forChannel(Channel channel) {
    return new GatewayClient(Objects.requireNonNull(channel, "channel"), null,
        DEFAULT_CHAT_TIMEOUT, DEFAULT_READ_TIMEOUT);
  }

  /** A plaintext client for {@code target} (e.g. {@code 127.0.0.1:50051}); close it when done. */
  public static GatewayClient connect(String target) {
    return newBuilder(target).build();
  }

  /** A builder for a client that owns its channel to {@code target} ({@code host:port} or a gRPC URI). */
  public static Builder newBuilder(String target) {
    return new Builder(target);
  }

  /** A view of this client whose chat calls get this deadline. It shares the channel. */
  public GatewayClient withChatTimeout(Duration timeout) {
    return new GatewayClient(channel, null, positive(timeout, "chat timeout"), readTimeout);
  }

  /** A view of this client whose reads (models, credits, key, spend, generation, health) get this deadline. */
  public GatewayClient withReadTimeout(Duration timeout) {
    return new GatewayClient(channel, null, chatTimeout, positive(timeout, "read timeout"));
  }

  /**
   * A view of this client that sends {@code apiKey}, a gateway caller key, as {@code
   * authorization: Bearer}. It shares the channel.
   */
  public GatewayClient withApiKey(String apiKey) {
    return new GatewayClient(ClientInterceptors.intercept(channel, new BearerTokenInterceptor(apiKey)),
        null, chatTimeout, readTimeout);
  }

  /**
   * A view of this client that sends {@code openRouterKey}, the caller's own OpenRouter key, as
   * {@code x-openrouter-api-key}, for a gateway that allows bring-your-own-key. It shares the
   * channel.
   */
  public GatewayClient withOpenRouterKey(String openRouterKey) {
    return new GatewayClient(ClientInterceptors.intercept(channel, new OpenRouterKeyInterceptor(openRouterKey)),
        null, chatTimeout, readTimeout);
  }

  /** The channel calls go through, for stubs this class does not wrap. */
  public Channel channel() {
    return channel;
  }

  // Chat

  /**
   * Starts a streamed chat and returns it as an iterator of deltas then the summary. Close the
   * stream (try-with-resources) if you stop reading before its end.
   */
  public ChatStream streamChat(ChatRequest request) {
    return ChatStream.start(channel, chatOptions(), request);
  }

  /** Starts a streamed chat whose messages go to {@code listener}; returns a handle to cancel it. */
  public ChatCall streamChat(ChatRequest request, ChatListener listener) {
    Objects.requireNonNull(listener, "listener");
    CompletableFuture<ClientCallStreamObserver<ChatRequest>> requestStream = new CompletableFuture<>();
    ClientResponseObserver<ChatRequest, StreamChatResponse> observer = new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<ChatRequest> stream) {
        requestStream.complete(stream);
      }

      @Override
      public void onNext(StreamChatResponse message) {
        if (message.hasDelta()) {
          listener.onDelta(message.getDelta());
        } else if (message.hasSummary()) {
          listener.onSummary(message.getSummary());
        }
      }

      @Override
      public void onError(Throwable t) {
        listener.onError(GatewayException.from(t));
      }

      @Override
      public void onCompleted() {
        listener.onCompleted();
      }
    };
    ClientCalls.asyncServerStreamingCall(
        channel.newCall(ChatServiceGrpc.getStreamChatMethod(), chatOptions()), request, observer);
    // beforeStart has run by now: asyncServerStreamingCall calls it before starting the call.
    ClientCallStreamObserver<ChatRequest> stream = requestStream.getNow(null);
    return () -> stream.cancel("cancelled by the client", null);
  }

  /** Runs a chat and returns the whole answer. */
  public ChatResponse chat(ChatRequest request) {
    return call(() -> ChatServiceGrpc.newBlockingStub(channel).withDeadline(deadline(chatTimeout)).chat(request));
  }

  /** OpenRouter's statistics for a finished generation ({@code ChatSummary.generation_id}). */
  public GetGenerationResponse getGeneration(String generationId) {
    return call(() -> ChatServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .getGeneration(GetGenerationRequest.newBuilder().setId(generationId).build()));
  }

  // Models, credits, key

  /** One page of the model catalogue that matches the request's filters. */
  public ListModelsResponse listModels(ListModelsRequest request) {
    return call(() -> ModelsServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .listModels(request));
  }

  /** One model by id; a variant suffix such as {@code :free} resolves to the base model. */
  public GetModelResponse getModel(String id) {
    return call(() -> ModelsServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .getModel(GetModelRequest.newBuilder().setId(id).build()));
  }

  /** The balance of the OpenRouter key the gateway spends (from its cache unless {@code forceRefresh}). */
  public GetCreditsResponse getCredits(boolean forceRefresh) {
    return call(() -> CreditsServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .getCredits(GetCreditsRequest.newBuilder().setForceRefresh(forceRefresh).build()));
  }

  /** The label, limit and usage of the OpenRouter key the gateway spends. */
  public GetKeyResponse getKey(boolean forceRefresh) {
    return call(() -> CreditsServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .getKey(GetKeyRequest.newBuilder().setForceRefresh(forceRefresh).build()));
  }

  /**
   * What this caller (its gateway API key; the anonymous caller when the gateway authenticates
   * no one) spent in its current budget window, its budget and what is left.
   */
  public GetSpendResponse getSpend() {
    return call(() -> CreditsServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .getSpend(GetSpendRequest.getDefaultInstance()));
  }

  // Embeddings, endpoints, providers

  /**
   * One embedding per input, in input order. Embed is idempotent, so the client's service
   * config retries it on UNAVAILABLE like the reads. Bounded by the chat timeout: a large
   * batch may take a while.
   */
  public EmbedResponse embed(EmbedRequest request) {
    return call(() -> EmbeddingsServiceGrpc.newBlockingStub(channel).withDeadline(deadline(chatTimeout))
        .embed(request));
  }

  /** One page of the embedding models that match the request's filters. */
  public ListEmbeddingModelsResponse listEmbeddingModels(ListEmbeddingModelsRequest request) {
    return call(() -> EmbeddingsServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .listEmbeddingModels(request));
  }

  /** Every provider endpoint of a model (author/slug), with status, uptime and latency. */
  public ListModelEndpointsResponse listModelEndpoints(String model, boolean forceRefresh) {
    return call(() -> ModelsServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .listModelEndpoints(ListModelEndpointsRequest.newBuilder().setModel(model).setForceRefresh(forceRefresh).build()));
  }

  /** OpenRouter's providers. */
  public ListProvidersResponse listProviders(boolean forceRefresh) {
    return call(() -> ModelsServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .listProviders(ListProvidersRequest.newBuilder().setForceRefresh(forceRefresh).build()));
  }

  // Health and discovery

  /** The gateway's detailed health report. */
  public CheckResponse health() {
    return call(() -> HealthServiceGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .check(CheckRequest.getDefaultInstance()));
  }

  /** The standard {@code grpc.health.v1} status of {@code service} ("" for the whole server). */
  public HealthCheckResponse.ServingStatus servingStatus(String service) {
    return call(() -> HealthGrpc.newBlockingStub(channel).withDeadline(deadline(readTimeout))
        .check(HealthCheckRequest.newBuilder().setService(service).build())).getStatus();
  }

  /** The fully qualified names of the services the server offers, from server reflection. */
  public List<String> listServices() {
    CompletableFuture<List<String>> result = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .withDeadline(deadline(readTimeout))
        .serverReflectionInfo(new StreamObserver<>() {
          private final List<String> names = new ArrayList<>();

          @Override
          public void onNext(ServerReflectionResponse response) {
            if (response.hasErrorResponse()) {
              result.completeExceptionally(io.grpc.Status.fromCodeValue(response.getErrorResponse().getErrorCode())
                  .withDescription(response.getErrorResponse().getErrorMessage()).asRuntimeException());
            }
            for (ServiceResponse s : response.getListServicesResponse().getServiceList()) {
              names.add(s.getName());
            }
          }

          @Override
          public void onError(Throwable t) {
            result.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            result.complete(List.copyOf(names));
          }
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    try {
      // The call's own deadline ends it; the extra second only guards against a lost close.
      return result.get(readTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw GatewayException.from(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw GatewayException.from(io.grpc.Status.CANCELLED.withDescription("interrupted").withCause(e)
          .asRuntimeException());
    } catch (TimeoutException e) {
      throw GatewayException.from(io.grpc.Status.DEADLINE_EXCEEDED
          .withDescription("server reflection did not answer within " + readTimeout).asRuntimeException());
    }
  }

  /** Closes the channel if this client owns it (views and {@link #forChannel} clients own none). */
  @Override
  public void close() {
    if (owned == null) {
      return;
    }
    owned.shutdown();
    try {
      if (!owned.awaitTermination(5, TimeUnit.SECONDS)) {
        owned.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      owned.shutdownNow();
    }
  }

  private CallOptions chatOptions() {
    return CallOptions.DEFAULT.withDeadline(deadline(chatTimeout));
  }

  private static Deadline deadline(Duration timeout) {
    return Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw GatewayException.from(e);
    }
  }

  private static Duration positive(Duration d, String what) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
    return d;
  }

  /** Builds a client that owns its channel. */
  public static final class Builder {
    private final String target;
    private boolean tls;
    private File caCertificate;
    private File clientCertificate;
    private File clientKey;
    private String authority;
    private String apiKey;
    private String openRouterKey;
    private boolean retries = true;
    private Duration chatTimeout = DEFAULT_CHAT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;

    private Builder(String target) {
      if (target == null || target.isBlank()) {
        throw new IllegalArgumentException("target must be host:port or a gRPC URI, got \"" + target + "\"");
      }
      this.target = target;
    }

    /** TLS with the JVM's trusted CAs (without it, plaintext: the gateway's default on loopback). */
    public Builder useTls() {
      this.tls = true;
      return this;
    }

    /** TLS trusting only the CA certificates in this PEM file. */
    public Builder trustedCertificates(File caPem) {
      this.tls = true;
      this.caCertificate = caPem;
      return this;
    }

    /** Mutual TLS: present this certificate chain and PKCS#8 private key (PEM files). */
    public Builder clientCertificate(File certChainPem, File privateKeyPem) {
      this.tls = true;
      this.clientCertificate = certChainPem;
      this.clientKey = privateKeyPem;
      return this;
    }

    /** The authority (and TLS server name) to use instead of the target's host. */
    public Builder authority(String authority) {
      this.authority = authority;
      return this;
    }

    /**
     * The gateway caller key, sent as {@code authorization: Bearer <apiKey>} on every call: for a
     * gateway that authenticates callers. Not your OpenRouter key: see {@link #openRouterKey}.
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /**
     * Your own OpenRouter key (sk-or-...), sent as {@code x-openrouter-api-key} on every call: for
     * a gateway that allows bring-your-own-key, which then spends your credits.
     */
    public Builder openRouterKey(String openRouterKey) {
      this.openRouterKey = openRouterKey;
      return this;
    }

    /** Turns the published retry policy off (it is on by default). */
    public Builder withoutRetries() {
      this.retries = false;
      return this;
    }

    public Builder chatTimeout(Duration timeout) {
      this.chatTimeout = positive(timeout, "chat timeout");
      return this;
    }

    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive(timeout, "read timeout");
      return this;
    }

    /**
     * Builds the client. Connecting is lazy: a gateway that is down shows up as UNAVAILABLE on
     * the first call, not here.
     *
     * @throws IllegalArgumentException when a certificate or key file cannot be read
     */
    public GatewayClient build() {
      ManagedChannelBuilder<?> b = Grpc.newChannelBuilder(target, credentials())
          .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
          .userAgent("openrouter-gateway-java-client");
      if (authority != null && !authority.isBlank()) {
        b.overrideAuthority(authority);
      }
      if (retries) {
        b.defaultServiceConfig(ServiceConfig.asMap()).enableRetry();
      } else {
        b.disableRetry();
      }
      ManagedChannel channel = b.build();
      Channel calls = apiKey == null || apiKey.isEmpty()
          ? channel
          : ClientInterceptors.intercept(channel, new BearerTokenInterceptor(apiKey));
      if (openRouterKey != null && !openRouterKey.isEmpty()) {
        calls = ClientInterceptors.intercept(calls, new OpenRouterKeyInterceptor(openRouterKey));
      }
      return new GatewayClient(calls, channel, chatTimeout, readTimeout);
    }

    private ChannelCredentials credentials() {
      if (!tls) {
        return InsecureChannelCredentials.create();
      }
      TlsChannelCredentials.Builder creds = TlsChannelCredentials.newBuilder();
      try {
        if (caCertificate != null) {
          creds.trustManager(readable(caCertificate, "CA certificate"));
        }
        if (clientCertificate != null || clientKey != null) {
          if (clientCertificate == null || clientKey == null) {
            throw new IllegalArgumentException("mutual TLS needs both a client certificate and its private key");
          }
          creds.keyManager(readable(clientCertificate, "client certificate"), readable(clientKey, "client key"));
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot load TLS material: " + e.getMessage(), e);
      }
      return creds.build();
    }

    private static File readable(File f, String what) {
      if (!f.canRead()) {
        throw new IllegalArgumentException(what + " file " + f + " does not exist or is not readable");
      }
      return f;
    }
  }
}
