"""Decoding grpc-status-details-bin, on trailers built here with the google.rpc types."""
import unittest

import grpc
from google.protobuf import any_pb2

from gateway_client import GatewayError, error_details_pb2
from gateway_client._protos import status_pb2


def packed(message):
    a = any_pb2.Any()
    a.Pack(message)
    return a


def trailers(*details):
    status = status_pb2.Status(code=8, message="slow down", details=list(details))
    return (("grpc-status-details-bin", status.SerializeToString()),)


class GatewayErrorTest(unittest.TestCase):
    def test_error_info_retry_info_and_bad_request_are_decoded(self):
        e = GatewayError(grpc.StatusCode.RESOURCE_EXHAUSTED, "slow down", trailers(
            packed(error_details_pb2.ErrorInfo(reason="RATE_LIMIT_EXCEEDED", domain="openrouter.ai",
                                               metadata={"httpStatus": "429"})),
            packed(error_details_pb2.RetryInfo(retry_delay={"seconds": 2, "nanos": 500_000_000})),
            packed(error_details_pb2.BadRequest(field_violations=[{"field": "temperature", "description": "at most 2"}])),
        ))
        self.assertEqual(e.code_name, "RESOURCE_EXHAUSTED")
        self.assertEqual(e.reason, "RATE_LIMIT_EXCEEDED")
        self.assertEqual(e.domain, "openrouter.ai")
        self.assertEqual(e.metadata, {"httpStatus": "429"})
        self.assertEqual(e.retry_delay_ms, 2500)
        self.assertEqual(e.field_violations, [("temperature", "at most 2")])
        self.assertEqual(str(e), "RESOURCE_EXHAUSTED (RATE_LIMIT_EXCEEDED): slow down")

    def test_a_failed_chat_call_exposes_its_generation_tokens_and_cost(self):
        e = GatewayError(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline", trailers(
            packed(error_details_pb2.ErrorInfo(reason="DEADLINE_EXCEEDED", domain="openrouter-grpc-gateway", metadata={
                "generationId": "gen-1", "promptTokens": "12", "completionTokens": "34", "costUsd": "0.000123"})),
        ))
        self.assertEqual((e.generation_id, e.prompt_tokens, e.completion_tokens, e.cost_usd),
                         ("gen-1", 12, 34, "0.000123"))
        bare = GatewayError(grpc.StatusCode.UNAVAILABLE, "x")
        self.assertEqual((bare.generation_id, bare.prompt_tokens, bare.completion_tokens, bare.cost_usd),
                         (None, None, None, None))

    def test_a_detail_of_an_unknown_type_is_kept_as_any(self):
        unknown = any_pb2.Any(type_url="type.googleapis.com/example.Unknown", value=b"\x01\x02")
        e = GatewayError(grpc.StatusCode.INTERNAL, "x", trailers(unknown))
        self.assertEqual(e.reason, "")
        self.assertEqual([(d.type_url, d.value) for d in e.details], [(unknown.type_url, unknown.value)])

    def test_a_status_without_details_still_gives_its_code(self):
        e = GatewayError(grpc.StatusCode.UNAVAILABLE, "connection refused", ())
        self.assertEqual(e.code_name, "UNAVAILABLE")
        self.assertEqual((e.reason, e.domain, e.metadata, e.retry_delay_ms), ("", "", {}, None))


if __name__ == "__main__":
    unittest.main()
