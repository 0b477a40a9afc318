#!/usr/bin/python3
"""Runs the shared conformance scenarios (../conformance/scenarios.json) with the Python client:

    /usr/bin/python3 clients/python/conformance.py --target 127.0.0.1:50051 [--scenarios FILE]

Prints one line per scenario and a closing "N passed, M failed"; exits 1 when any failed.
"""
import argparse
import json
import re
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gateway_client import ChatAccumulator, GatewayClient, GatewayError, gateway_health_pb2, models_pb2  # noqa: E402

DEFAULT_SCENARIOS = Path(__file__).resolve().parent.parent / "conformance" / "scenarios.json"
CALL_TIMEOUT = 30.0


def load_scenarios(path=DEFAULT_SCENARIOS):
    return json.loads(Path(path).read_text())["scenarios"]


def outcome_of(client, scenario):
    o = {"code": "OK", "reason": "", "domain": "", "retry_delay_ms": None, "deltas": 0, "text": "",
         "finish_reason": "", "model": "", "tool_calls": [], "field_violations": [], "services": [],
         "serving_status": "", "overall_status": "", "indices": [], "dimensions": [], "first_values": [],
         "cost": "", "endpoint_statuses": [], "endpoints_with_latency": 0,
         "caller": "", "has_budget": False, "window_days": 0, "window_seconds": 0, "spent_is_decimal": False}
    action = scenario["action"]
    try:
        if action == "list_services":
            o["services"] = client.list_services()
        elif action == "health":
            o["serving_status"] = client.serving_status("")
            o["overall_status"] = gateway_health_pb2.OverallStatus.Name(client.health().status)
        elif action == "chat":
            r = client.chat(scenario["request"])
            o.update(text=r.message.content, tool_calls=list(r.message.tool_calls),
                     finish_reason=r.summary.finish_reason, model=r.summary.model)
        elif action == "stream_chat":
            answer = ChatAccumulator()
            stream = client.stream_chat(scenario["request"])
            with stream:
                for m in stream:
                    if m.HasField("delta"):
                        answer.add(m.delta)
                        o.update(deltas=answer.deltas, text=answer.content, tool_calls=answer.tool_calls)
                        if answer.deltas == scenario.get("cancel_after_deltas"):
                            stream.cancel()
                    elif m.HasField("summary"):
                        o.update(finish_reason=m.summary.finish_reason, model=m.summary.model)
        elif action == "embed":
            r = client.embed(scenario["request"])
            o.update(model=r.model, cost=r.usage.cost, indices=[e.index for e in r.embeddings],
                     dimensions=[len(e.values) for e in r.embeddings],
                     first_values=list(r.embeddings[0].values) if r.embeddings else [])
        elif action == "list_model_endpoints":
            r = client.list_model_endpoints(scenario["request"]["model"])
            o.update(endpoint_statuses=[models_pb2.EndpointStatus.Name(e.status) for e in r.endpoints],
                     endpoints_with_latency=sum(1 for e in r.endpoints if e.HasField("latency_last30m")))
        elif action == "get_spend":
            r = client.get_spend()
            o.update(caller=r.caller, has_budget=r.has_budget, window_days=r.window_days,
                     window_seconds=r.window_end.seconds - r.window_start.seconds,
                     spent_is_decimal=re.fullmatch(r"\d+(\.\d+)?", r.spent) is not None)
        else:
            raise ValueError(f"unknown action {action}")
    except GatewayError as e:
        o.update(code=e.code_name, reason=e.reason, domain=e.domain, retry_delay_ms=e.retry_delay_ms,
                 field_violations=[field for field, _ in e.field_violations])
    return o


SAME = ["code", "reason", "domain", "text", "finish_reason", "model", "serving_status", "overall_status",
        "retry_delay_ms", "deltas", "cost", "endpoints_with_latency", "indices", "endpoint_statuses",
        "caller", "has_budget", "window_days", "window_seconds", "spent_is_decimal"]


def float32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def check(o, expect):
    problems = []
    for key, want in expect.items():
        if key in SAME:
            if o[key] != want:
                problems.append(f"{key}: want {want}, got {o[key]}")
        elif key == "embeddings":
            if len(o["indices"]) != want:
                problems.append(f"embeddings: want {want}, got {len(o['indices'])}")
        elif key == "dimensions":
            if not o["dimensions"] or any(d != want for d in o["dimensions"]):
                problems.append(f"dimensions: want {want} for every embedding, got {o['dimensions']}")
        elif key == "first_values":
            # Compared as float32s: the scenario file writes them as JSON numbers.
            got = [float32(v) for v in o["first_values"][:len(want)]]
            if got != [float32(w) for w in want]:
                problems.append(f"first_values: want {want}, got {got}")
        elif key == "min_deltas":
            if o["deltas"] < want:
                problems.append(f"deltas: want at least {want}, got {o['deltas']}")
        elif key in ("services_include", "field_violations"):
            got = o["services"] if key == "services_include" else o["field_violations"]
            missing = [w for w in want if w not in got]
            if missing:
                problems.append(f"{key}: missing {missing} in {got}")
        elif key == "tool_calls":
            if len(want) != len(o["tool_calls"]):
                problems.append(f"tool_calls: want {len(want)}, got {len(o['tool_calls'])}")
                continue
            for i, (w, call) in enumerate(zip(want, o["tool_calls"])):
                if call.name != w["name"]:
                    problems.append(f"tool_calls[{i}].name: want {w['name']}, got {call.name}")
                try:
                    arguments = json.loads(call.arguments)
                except ValueError:
                    problems.append(f"tool_calls[{i}].arguments is not JSON: {call.arguments}")
                    continue
                if arguments != w["arguments"]:
                    problems.append(f"tool_calls[{i}].arguments: want {json.dumps(w['arguments'])}, got {call.arguments}")
        else:
            problems.append(f"unknown expectation {key}")
    return problems


def run_scenarios(client, scenarios):
    """Runs every scenario in order; returns [(name, problems)]."""
    results = []
    for scenario in scenarios:
        try:
            problems = check(outcome_of(client, scenario), scenario["expect"])
        except Exception as e:  # a bug in a scenario or the client: report it, run the rest
            problems = [f"unexpected {e!r}"]
        results.append((scenario["name"], problems))
    return results


def main(argv):
    parser = argparse.ArgumentParser(description="Runs the shared conformance scenarios with the Python client.")
    parser.add_argument("--target", default="127.0.0.1:50051")
    parser.add_argument("--scenarios", default=str(DEFAULT_SCENARIOS))
    args = parser.parse_args(argv)
    with GatewayClient(args.target, chat_timeout=CALL_TIMEOUT, read_timeout=CALL_TIMEOUT) as client:
        results = run_scenarios(client, load_scenarios(args.scenarios))
    failed = 0
    for name, problems in results:
        if problems:
            failed += 1
            print(f"FAIL python: {name}: {'; '.join(problems)}")
        else:
            print(f"PASS python: {name}")
    print(f"{len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
