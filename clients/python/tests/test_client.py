"""The Python client against a real gateway serving from its simulator, and against a scripted
grpcio server for the retry policy and the API key header."""
import threading
import time
import unittest
from concurrent import futures
from decimal import Decimal

import grpc

from conformance import load_scenarios, run_scenarios
from gateway_client import ChatAccumulator, GatewayClient, GatewayError, models_pb2
from gateway_client._protos import chat_pb2_grpc, gateway_health_pb2, gateway_health_pb2_grpc

from .gateway_process import GatewayProcess


def user(model, content, **extra):
    return {"model": model, "messages": [{"role": "ROLE_USER", "content": content}], **extra}


class AgainstAGatewayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.gateway = GatewayProcess().start()
        cls.client = GatewayClient(cls.gateway.target)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.gateway.stop()

    def test_stream_chat_yields_deltas_then_the_summary(self):
        answer = ChatAccumulator()
        events = []
        for m in self.client.stream_chat(user("sim/echo", "streamed to python")):
            events.append(m.WhichOneof("event"))
            if m.HasField("delta"):
                answer.add(m.delta)
        self.assertEqual(events, ["delta", "delta", "delta", "summary"])
        self.assertEqual(answer.content, "streamed to python")

    def test_chat_returns_the_whole_answer(self):
        r = self.client.chat(user("sim/echo", "unary from python"))
        self.assertEqual(r.message.content, "unary from python")
        self.assertEqual(r.summary.finish_reason, "stop")

    def test_get_spend_counts_what_this_caller_spent_in_its_window(self):
        before = self.client.get_spend()
        self.assertEqual((before.caller, before.has_budget, before.budget, before.remaining, before.window_days),
                         ("anonymous", False, "", "", 1))
        self.assertEqual(before.window_end.seconds - before.window_start.seconds, 86_400)
        cost = Decimal(self.client.chat(user("sim/echo", "what does this cost")).summary.usage.cost)
        self.assertGreater(cost, 0)
        after = self.client.get_spend()
        # At least: a cancelled stream of an earlier test may be charged in the background meanwhile.
        same_window = after.window_start == before.window_start
        self.assertGreaterEqual(Decimal(after.spent), (Decimal(before.spent) if same_window else 0) + cost)

    def test_a_failure_mid_stream_comes_after_the_delivered_deltas(self):
        deltas = 0
        with self.assertRaises(GatewayError) as caught:
            for m in self.client.stream_chat(user("sim/error-midstream", "x")):
                deltas += m.HasField("delta")
        self.assertEqual(deltas, 3)
        self.assertEqual((caught.exception.code_name, caught.exception.reason), ("UNAVAILABLE", "PROVIDER_UNAVAILABLE"))

    def test_a_failure_mid_stream_names_its_generation_and_no_cost_without_usage(self):
        with self.assertRaises(GatewayError) as caught:
            for _ in self.client.stream_chat(user("sim/error-midstream", "x")):
                pass
        self.assertTrue(caught.exception.generation_id.startswith("gen-"))
        self.assertIsNone(caught.exception.cost_usd)

    def test_a_429_carries_retry_info_and_error_info_metadata(self):
        with self.assertRaises(GatewayError) as caught:
            self.client.chat(user("sim/error-429", "x"))
        e = caught.exception
        self.assertEqual(e.code, grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertEqual(e.retry_delay_ms, 2000)
        self.assertEqual(e.metadata["httpStatus"], "429")

    def test_an_openrouter_key_goes_in_x_openrouter_api_key_not_in_api_key(self):
        own = "sk-or-v1-" + "6" * 64
        with GatewayClient(self.gateway.target, api_key=own) as misplaced, \
                GatewayClient(self.gateway.target, openrouter_key=own) as byok:
            with self.assertRaises(GatewayError) as wrong:
                misplaced.chat(user("sim/echo", "x"))
            self.assertEqual((wrong.exception.code_name, wrong.exception.reason),
                             ("INVALID_ARGUMENT", "OPENROUTER_KEY_IN_AUTHORIZATION"))
            self.assertIn("x-openrouter-api-key", wrong.exception.description)
            # This gateway does not allow bring-your-own-key: refusing the header shows it arrived.
            with self.assertRaises(GatewayError) as refused:
                byok.chat(user("sim/echo", "x"))
            self.assertEqual((refused.exception.code_name, refused.exception.reason),
                             ("PERMISSION_DENIED", "CALLER_KEYS_DISABLED"))

    def test_an_invalid_request_names_the_field(self):
        with self.assertRaises(GatewayError) as caught:
            self.client.chat(user("sim/echo", "x", temperature=5))
        self.assertEqual(caught.exception.code_name, "INVALID_ARGUMENT")
        self.assertIn("temperature", [field for field, _ in caught.exception.field_violations])

    def test_cancel_ends_a_stream_cancelled(self):
        # 3 s between chunks: still running when cancelled, however slow the machine (at the
        # default 200 ms the stream could end OK before a busy machine ran the loop's first turn).
        stream = self.client.stream_chat(user("sim/slow", "a b c d e f g h i j",
                                              metadata={"sim_chunk_delay_ms": "3000"}))
        with self.assertRaises(GatewayError) as caught:
            for m in stream:
                stream.cancel()
        self.assertEqual(caught.exception.code_name, "CANCELLED")

    def test_the_timeout_is_the_call_deadline(self):
        with self.assertRaises(GatewayError) as caught:
            for _ in self.client.stream_chat(user("sim/stall-first", "x"), timeout=0.3):
                pass
        self.assertEqual(caught.exception.code_name, "DEADLINE_EXCEEDED")

    def test_health_standard_health_and_reflection(self):
        self.assertEqual(self.client.health().status, gateway_health_pb2.OVERALL_STATUS_SERVING)
        self.assertEqual(self.client.serving_status(""), "SERVING")
        self.assertIn("openrouter.gateway.v1.ChatService", self.client.list_services())

    def test_embeddings_model_endpoints_and_providers(self):
        r = self.client.embed({"model": "sim/embed", "inputs": [{"text": "a"}, {"text": "b"}], "dimensions": 8})
        self.assertEqual([e.index for e in r.embeddings], [0, 1])
        self.assertEqual(len(r.embeddings[1].values), 8)
        self.assertIn("sim/embed", [m.id for m in self.client.list_embedding_models().models])
        endpoints = self.client.list_model_endpoints("sim/echo").endpoints
        self.assertEqual(models_pb2.EndpointStatus.Name(endpoints[0].status), "ENDPOINT_STATUS_OK")
        self.assertFalse(endpoints[1].HasField("latency_last30m"))
        providers = self.client.list_providers().providers
        self.assertIn("DE", [p for p in providers if p.slug == "simcloud"][0].datacenters)

    def test_every_shared_conformance_scenario_passes(self):
        results = run_scenarios(self.client, load_scenarios())
        self.assertEqual([(name, problems) for name, problems in results if problems], [])
        self.assertGreaterEqual(len(results), 10)


class ScriptedHealth(gateway_health_pb2_grpc.HealthServiceServicer):
    def __init__(self):
        self.calls = 0
        self.fail_first = 0
        self.authorizations = []
        self.lock = threading.Lock()

    def Check(self, request, context):
        with self.lock:
            self.calls += 1
            calls = self.calls
        self.authorizations.append(dict(context.invocation_metadata()).get("authorization", "<none>"))
        if calls <= self.fail_first:
            context.abort(grpc.StatusCode.UNAVAILABLE, "scripted")
        return gateway_health_pb2.CheckResponse(status=gateway_health_pb2.OVERALL_STATUS_SERVING)


class ScriptedChat(chat_pb2_grpc.ChatServiceServicer):
    def __init__(self):
        self.calls = 0

    def Chat(self, request, context):
        self.calls += 1
        context.abort(grpc.StatusCode.UNAVAILABLE, "scripted")


class AgainstAScriptedServerTest(unittest.TestCase):
    def setUp(self):
        self.health = ScriptedHealth()
        self.chat = ScriptedChat()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        gateway_health_pb2_grpc.add_HealthServiceServicer_to_server(self.health, self.server)
        chat_pb2_grpc.add_ChatServiceServicer_to_server(self.chat, self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.target = f"127.0.0.1:{port}"

    def tearDown(self):
        self.server.stop(None)

    def test_reads_are_retried_on_unavailable_by_the_published_service_config(self):
        self.health.fail_first = 2
        with GatewayClient(self.target) as client:
            self.assertEqual(client.health().status, gateway_health_pb2.OVERALL_STATUS_SERVING)
        self.assertEqual(self.health.calls, 3)

    def test_without_retries_a_read_is_tried_once(self):
        self.health.fail_first = 1
        with GatewayClient(self.target, retries=False) as client:
            with self.assertRaises(GatewayError) as caught:
                client.health()
        self.assertEqual(caught.exception.code_name, "UNAVAILABLE")
        self.assertEqual(self.health.calls, 1)

    def test_chat_is_never_retried(self):
        with GatewayClient(self.target) as client:
            with self.assertRaises(GatewayError):
                client.chat(user("sim/echo", "x"))
        self.assertEqual(self.chat.calls, 1)

    def test_the_api_key_travels_as_a_bearer_token(self):
        with GatewayClient(self.target, api_key="sk-or-v1-python") as keyed, GatewayClient(self.target) as anonymous:
            keyed.health()
            anonymous.health()
        self.assertEqual(self.health.authorizations, ["Bearer sk-or-v1-python", "<none>"])


if __name__ == "__main__":
    unittest.main()
