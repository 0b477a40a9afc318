"""A small client for the gateway over the generated stubs: streaming and unary chat, models,
credits, key, generation, health and reflection; deadlines by default, the published retry
service config, the gateway caller key as authorization: Bearer, the caller's own OpenRouter key as
x-openrouter-api-key, and every failure a GatewayError.
"""
from pathlib import Path

import grpc
from google.protobuf import json_format

from ._protos import (
    chat_pb2,
    chat_pb2_grpc,
    credits_pb2,
    credits_pb2_grpc,
    embeddings_pb2,
    embeddings_pb2_grpc,
    gateway_health_pb2,
    gateway_health_pb2_grpc,
    health_pb2,
    health_pb2_grpc,
    models_pb2,
    models_pb2_grpc,
    reflection_pb2,
    reflection_pb2_grpc,
)
from .errors import GatewayError

# The gateway's own default total time for a chat call (GATEWAY_CHAT_TIMEOUT_MS).
DEFAULT_CHAT_TIMEOUT = 600.0
# Reads come from the gateway's caches; 30 s leaves room for a cold cache and retries.
DEFAULT_READ_TIMEOUT = 30.0
# Retry UNAVAILABLE for the idempotent reads only; never chat (it may have been billed).
SERVICE_CONFIG = Path(__file__).resolve().parent.parent.parent / "service-config.json"


def chat_request(request):
    """A ChatRequest from a ChatRequest or a dict in proto3 JSON form."""
    if isinstance(request, chat_pb2.ChatRequest):
        return request
    return json_format.ParseDict(request, chat_pb2.ChatRequest())


class ChatStream:
    """A streamed chat: iterate for StreamChatResponse messages (deltas, then the summary).
    Iteration raises GatewayError when the call fails, after the messages that came before."""

    def __init__(self, call):
        self._call = call

    def __iter__(self):
        try:
            for message in self._call:
                yield message
        except grpc.RpcError as error:
            raise GatewayError.from_rpc_error(error) from None

    def cancel(self):
        """Cancels the call (the gateway then cancels the upstream request)."""
        self._call.cancel()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cancel()  # a no-op once the call has ended


class ChatAccumulator:
    """Assembles streamed deltas: text appended, tool calls put together by index."""

    def __init__(self):
        self.content = ""
        self.deltas = 0
        self._calls = {}

    def add(self, delta):
        self.deltas += 1
        self.content += delta.content
        for fragment in delta.tool_calls:
            call = self._calls.setdefault(fragment.index, chat_pb2.ToolCall())
            if fragment.id:
                call.id = fragment.id
            if fragment.type:
                call.type = fragment.type
            if fragment.name:
                call.name = fragment.name
            call.arguments += fragment.arguments
        return self

    @property
    def tool_calls(self):
        return [self._calls[i] for i in sorted(self._calls)]


class GatewayClient:
    """Thread-safe; build one per process. Closing it closes its channel."""

    def __init__(self, target, *, credentials=None, api_key=None, openrouter_key=None,
                 chat_timeout=DEFAULT_CHAT_TIMEOUT, read_timeout=DEFAULT_READ_TIMEOUT, retries=True):
        """api_key is the gateway caller key (authorization: Bearer, for a gateway that
        authenticates callers); openrouter_key is your own OpenRouter key (x-openrouter-api-key,
        for a gateway that allows bring-your-own-key)."""
        options = [
            ("grpc.max_receive_message_length", 32 * 1024 * 1024),
            ("grpc.primary_user_agent", "openrouter-gateway-python-client"),
            ("grpc.enable_retries", 1 if retries else 0),
        ]
        if retries:
            options.append(("grpc.service_config", SERVICE_CONFIG.read_text()))
        self._channel = (grpc.secure_channel(target, credentials, options) if credentials
                         else grpc.insecure_channel(target, options))
        self._metadata = ((("authorization", f"Bearer {api_key}"),) if api_key else ()) + (
            (("x-openrouter-api-key", openrouter_key),) if openrouter_key else ())
        self.chat_timeout = chat_timeout
        self.read_timeout = read_timeout
        self._chat = chat_pb2_grpc.ChatServiceStub(self._channel)
        self._models = models_pb2_grpc.ModelsServiceStub(self._channel)
        self._credits = credits_pb2_grpc.CreditsServiceStub(self._channel)
        self._health = gateway_health_pb2_grpc.HealthServiceStub(self._channel)
        self._embeddings = embeddings_pb2_grpc.EmbeddingsServiceStub(self._channel)
        self._standard_health = health_pb2_grpc.HealthStub(self._channel)
        self._reflection = reflection_pb2_grpc.ServerReflectionStub(self._channel)

    # Chat

    def stream_chat(self, request, timeout=None):
        """Starts a streamed chat; returns a ChatStream (iterate it; cancel() or use `with`)."""
        call = self._chat.StreamChat(chat_request(request), timeout=timeout or self.chat_timeout,
                                     metadata=self._metadata)
        return ChatStream(call)

    def chat(self, request, timeout=None):
        """Runs a chat; returns the whole ChatResponse."""
        return self._unary(self._chat.Chat, chat_request(request), timeout or self.chat_timeout)

    def get_generation(self, generation_id):
        return self._unary(self._chat.GetGeneration, chat_pb2.GetGenerationRequest(id=generation_id))

    # Models, credits, key, spend

    def list_models(self, request=None):
        return self._unary(self._models.ListModels, request or models_pb2.ListModelsRequest())

    def get_model(self, model_id):
        return self._unary(self._models.GetModel, models_pb2.GetModelRequest(id=model_id))

    def get_credits(self, force_refresh=False):
        return self._unary(self._credits.GetCredits, credits_pb2.GetCreditsRequest(force_refresh=force_refresh))

    def get_key(self, force_refresh=False):
        return self._unary(self._credits.GetKey, credits_pb2.GetKeyRequest(force_refresh=force_refresh))

    def get_spend(self):
        """What this caller (its api_key; the anonymous caller when the gateway authenticates no one)
        spent in its current budget window, its budget and what is left (GetSpendResponse; amounts
        are decimal strings in USD)."""
        return self._unary(self._credits.GetSpend, credits_pb2.GetSpendRequest())

    # Embeddings, endpoints, providers

    def embed(self, request, timeout=None):
        """One embedding per input, in input order (EmbedResponse; values are float32s).

        Embed is idempotent: the published service config retries it on UNAVAILABLE.
        """
        if isinstance(request, dict):
            request = json_format.ParseDict(request, embeddings_pb2.EmbedRequest())
        return self._unary(self._embeddings.Embed, request, timeout or self.chat_timeout)

    def list_embedding_models(self, request=None):
        return self._unary(self._embeddings.ListEmbeddingModels,
                           request or embeddings_pb2.ListEmbeddingModelsRequest())

    def list_model_endpoints(self, model, force_refresh=False):
        """Every provider endpoint of a model (author/slug), with status, uptime and latency."""
        return self._unary(self._models.ListModelEndpoints,
                           models_pb2.ListModelEndpointsRequest(model=model, force_refresh=force_refresh))

    def list_providers(self, force_refresh=False):
        return self._unary(self._models.ListProviders, models_pb2.ListProvidersRequest(force_refresh=force_refresh))

    # Health and discovery

    def health(self):
        """The gateway's detailed health report (CheckResponse)."""
        return self._unary(self._health.Check, gateway_health_pb2.CheckRequest())

    def serving_status(self, service=""):
        """The standard grpc.health.v1 status name of a service ("" for the server), e.g. "SERVING"."""
        response = self._unary(self._standard_health.Check, health_pb2.HealthCheckRequest(service=service))
        return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)

    def list_services(self):
        """Service names from server reflection."""
        requests = iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        names = []
        try:
            for response in self._reflection.ServerReflectionInfo(requests, timeout=self.read_timeout,
                                                                  metadata=self._metadata):
                if response.HasField("error_response"):
                    raise GatewayError(grpc.StatusCode.UNKNOWN, response.error_response.error_message)
                names += [s.name for s in response.list_services_response.service]
        except grpc.RpcError as error:
            raise GatewayError.from_rpc_error(error) from None
        return names

    def close(self):
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _unary(self, method, request, timeout=None):
        try:
            return method(request, timeout=timeout or self.read_timeout, metadata=self._metadata)
        except grpc.RpcError as error:
            raise GatewayError.from_rpc_error(error) from None
