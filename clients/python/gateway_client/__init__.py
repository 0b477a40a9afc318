"""Python client for openrouter-grpc-gateway (modules generated from proto/ by generate.py)."""
from ._protos import chat_pb2, credits_pb2, embeddings_pb2, error_details_pb2, gateway_health_pb2, models_pb2
from .client import (
    DEFAULT_CHAT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    ChatAccumulator,
    ChatStream,
    GatewayClient,
    chat_request,
)
from .errors import GatewayError, decode_status

__all__ = [
    "ChatAccumulator",
    "ChatStream",
    "DEFAULT_CHAT_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "GatewayClient",
    "GatewayError",
    "chat_pb2",
    "chat_request",
    "credits_pb2",
    "decode_status",
    "embeddings_pb2",
    "error_details_pb2",
    "gateway_health_pb2",
    "models_pb2",
]
