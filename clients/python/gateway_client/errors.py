"""Every failed call as one GatewayError, with the google.rpc details decoded from the
grpc-status-details-bin trailer (one ErrorInfo; RetryInfo, BadRequest, ... where they apply)."""
import grpc

from ._protos import error_details_pb2, status_pb2

DETAILS_TRAILER = "grpc-status-details-bin"

# The detail types a caller may want; others are kept as google.protobuf.Any.
_DETAIL_TYPES = [
    error_details_pb2.ErrorInfo,
    error_details_pb2.RetryInfo,
    error_details_pb2.BadRequest,
    error_details_pb2.QuotaFailure,
    error_details_pb2.PreconditionFailure,
    error_details_pb2.ResourceInfo,
    error_details_pb2.Help,
    error_details_pb2.LocalizedMessage,
    error_details_pb2.DebugInfo,
    error_details_pb2.RequestInfo,
]


class GatewayError(Exception):
    """A failed gateway call.

    code: grpc.StatusCode; code_name: e.g. "RESOURCE_EXHAUSTED"; description: the gateway's
    message; reason / domain / metadata: from ErrorInfo ("" / "" / {} when none);
    retry_delay_ms: from RetryInfo, or None; field_violations: BadRequest's [(field,
    description)]; details: every decoded detail message; generation_id, prompt_tokens,
    completion_tokens, cost_usd: of a chat call that failed after the upstream started.
    """

    def __init__(self, code, description, trailers=()):
        self.code = code
        self.code_name = code.name
        self.description = description or ""
        self.trailers = tuple(trailers or ())
        self.status = decode_status(self.trailers)
        self.details = [] if self.status is None else [_unpack(any_) for any_ in self.status.details]
        info = self.detail(error_details_pb2.ErrorInfo)
        self.reason = info.reason if info else ""
        self.domain = info.domain if info else ""
        self.metadata = dict(info.metadata) if info else {}
        # A chat call that failed after the upstream started: its generation id, and its tokens
        # and cost (a decimal string, USD) when the usage had arrived; None otherwise.
        self.generation_id = self.metadata.get("generationId")
        self.prompt_tokens = int(self.metadata["promptTokens"]) if "promptTokens" in self.metadata else None
        self.completion_tokens = (
            int(self.metadata["completionTokens"]) if "completionTokens" in self.metadata else None
        )
        self.cost_usd = self.metadata.get("costUsd")
        retry = self.detail(error_details_pb2.RetryInfo)
        self.retry_delay_ms = (
            retry.retry_delay.seconds * 1000 + retry.retry_delay.nanos // 1_000_000
            if retry is not None and retry.HasField("retry_delay")
            else None
        )
        bad = self.detail(error_details_pb2.BadRequest)
        self.field_violations = [(v.field, v.description) for v in bad.field_violations] if bad else []
        summary = self.code_name + (f" ({self.reason})" if self.reason else "")
        super().__init__(summary + (f": {self.description}" if self.description else ""))

    def detail(self, message_type):
        """The first detail of this type (e.g. error_details_pb2.QuotaFailure), or None."""
        for d in self.details:
            if isinstance(d, message_type):
                return d
        return None

    @classmethod
    def from_rpc_error(cls, error):
        """From a grpc.RpcError raised by a call (it is also a grpc.Call)."""
        if isinstance(error, GatewayError):
            return error
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        description = error.details() if hasattr(error, "details") else str(error)
        trailers = error.trailing_metadata() if hasattr(error, "trailing_metadata") else ()
        return cls(code or grpc.StatusCode.UNKNOWN, description, trailers)


def decode_status(trailers):
    """The google.rpc.Status in the trailers, or None."""
    for key, value in trailers or ():
        if key == DETAILS_TRAILER:
            return status_pb2.Status.FromString(value)
    return None


def _unpack(any_):
    for message_type in _DETAIL_TYPES:
        if any_.Is(message_type.DESCRIPTOR):
            message = message_type()
            any_.Unpack(message)
            return message
    return any_
