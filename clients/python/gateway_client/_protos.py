"""Puts the generated modules (gen/, made by generate.py) on the import path."""
import sys
from pathlib import Path

_PYTHON_DIR = Path(__file__).resolve().parent.parent
if str(_PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(_PYTHON_DIR))

import generate  # noqa: E402  (clients/python/generate.py)

_GEN = str(generate.ensure())
if _GEN not in sys.path:
    sys.path.insert(0, _GEN)

from google.rpc import error_details_pb2, status_pb2  # noqa: E402,F401
from grpc_std.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402,F401
from grpc_std.reflection.v1 import reflection_pb2, reflection_pb2_grpc  # noqa: E402,F401
from openrouter.gateway.v1 import (  # noqa: E402,F401
    chat_pb2,
    chat_pb2_grpc,
    credits_pb2,
    credits_pb2_grpc,
    embeddings_pb2,
    embeddings_pb2_grpc,
    health_pb2 as gateway_health_pb2,
    health_pb2_grpc as gateway_health_pb2_grpc,
    models_pb2,
    models_pb2_grpc,
)
