"""The gateway the tests talk to: $GATEWAY_TARGET when scripts/conformance.sh started one, else a
gateway process started here from server/target/gateway.jar (build it first with
`mvn -B -q -DskipTests package`), serving from its built-in simulator on a free loopback port."""
import os
import socket
import subprocess
import time
from pathlib import Path

import grpc

from gateway_client import GatewayClient, GatewayError

JAR = Path(__file__).resolve().parents[3] / "server" / "target" / "gateway.jar"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GatewayProcess:
    def __init__(self):
        self.process = None
        self.target = os.environ.get("GATEWAY_TARGET")

    def start(self):
        if self.target:
            return self
        if not JAR.exists():
            raise RuntimeError(f"{JAR} is missing: run mvn -B -q -DskipTests package first, or set GATEWAY_TARGET")
        port = free_port()
        # No metrics endpoint: its default port 9464 may belong to another gateway on this machine.
        env = dict(os.environ, GATEWAY_HOST="127.0.0.1", GATEWAY_PORT=str(port), OPENROUTER_MAX_RETRIES="0",
                   GATEWAY_METRICS_PORT="off")
        env.pop("OPENROUTER_API_KEY", None)
        env.pop("OPENROUTER_BASE_URL", None)
        self.process = subprocess.Popen(["java", "-jar", str(JAR)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.target = f"127.0.0.1:{port}"
        try:
            self._wait_serving(120)  # a cold JVM on a busy machine; only bounds a failure
        except Exception:
            self.stop()
            raise
        return self

    def _wait_serving(self, seconds):
        deadline = time.monotonic() + seconds
        with GatewayClient(self.target, read_timeout=1, retries=False) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the gateway exited with {self.process.returncode}")
                try:
                    if client.serving_status("") == "SERVING":
                        return
                except GatewayError as e:
                    if e.code not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                        raise
                time.sleep(0.2)
        raise RuntimeError(f"the gateway at {self.target} was not SERVING within {seconds} s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
