#!/usr/bin/env python3
"""Generates the Python modules of the gateway's contracts into gen/ (git-ignored).

Works with any python3 that has grpcio and protobuf (pip install grpcio protobuf, or Debian's
python3-grpcio and python3-protobuf). With grpcio-tools installed (pip install grpcio-tools) it
uses that protoc, which matches pip's protobuf; otherwise Debian's protoc (protobuf-compiler) and
gRPC Python plugin (protobuf-compiler-grpc), which match Debian's runtimes (the newer protoc from
Maven Central does not: its Python output needs protobuf >= 5). Runs again only when an input or
the generator changed. The tests call ensure(); run it by hand with
`python3 clients/python/generate.py`.

grpc.health.v1 and grpc.reflection.v1 are generated under the module prefix grpc_std (e.g.
grpc_std.health.v1.health_pb2), because a top-level `grpc` folder would clash with the grpc
library itself; the proto package, and so the wire names, stay grpc.health.v1 and
grpc.reflection.v1.
"""
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PROTO_DIR = REPO / "proto"
VENDORED_DIR = REPO / "clients" / "protos"
GEN_DIR = HERE / "gen"
STAMP = GEN_DIR / ".inputs-sha256"
PROTOC = "protoc"
PLUGIN = "/usr/bin/grpc_python_plugin"
INSTALL_HINT = ("pip install grpcio grpcio-tools protobuf, or (Debian's python3)"
                " apt-get install -y protobuf-compiler protobuf-compiler-grpc python3-grpcio python3-protobuf")


def require_runtime():
    """A clear error, naming this interpreter, when grpcio or protobuf is missing."""
    missing = [package for package, module in (("grpcio", "grpc"), ("protobuf", "google.protobuf"))
               if not _installed(module)]
    if missing:
        raise RuntimeError(f"{sys.executable} has no {' or '.join(missing)}: {INSTALL_HINT}")


def _installed(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a missing parent package, e.g. google
        return False


def grpc_tools_protoc():
    """The protoc of grpcio-tools for this interpreter, when installed: [python, -m, ...]."""
    return [sys.executable, "-m", "grpc_tools.protoc"] if _installed("grpc_tools") else None


def inputs():
    gateway = sorted((PROTO_DIR / "openrouter").rglob("*.proto"))
    rpc = [VENDORED_DIR / "google/rpc/status.proto", VENDORED_DIR / "google/rpc/error_details.proto"]
    std = [VENDORED_DIR / "grpc/health/v1/health.proto", VENDORED_DIR / "grpc/reflection/v1/reflection.proto"]
    return gateway, rpc, std


def fingerprint():
    gateway, rpc, std = inputs()
    digest = hashlib.sha256()
    for path in gateway + rpc + std + [Path(__file__)]:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    digest.update(subprocess.run(protoc() + ["--version"], capture_output=True, text=True, check=True).stdout.encode())
    return digest.hexdigest()


def protoc():
    """The protoc command line: grpcio-tools' when installed, else Debian's with its plugin."""
    tools = grpc_tools_protoc()
    if tools is not None:
        return tools
    return [PROTOC, f"--plugin=protoc-gen-grpc_python={PLUGIN}"]


def ensure():
    """Generates gen/ unless it is up to date; returns its path."""
    require_runtime()
    if grpc_tools_protoc() is None and (shutil.which(PROTOC) is None or not os.access(PLUGIN, os.X_OK)):
        raise RuntimeError(f"neither grpcio-tools nor protoc and {PLUGIN} are installed: {INSTALL_HINT}")
    want = fingerprint()
    if STAMP.exists() and STAMP.read_text().strip() == want:
        return GEN_DIR
    generate(want)
    return GEN_DIR


def generate(stamp):
    gateway, rpc, std = inputs()
    with tempfile.TemporaryDirectory(prefix="gateway-pygen-") as tmp:
        staging = Path(tmp) / "staging"
        out = Path(tmp) / "gen"
        out.mkdir()
        staged = []
        for path in std:
            target = staging / "grpc_std" / path.relative_to(VENDORED_DIR / "grpc")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            staged.append(target)
        command = protoc() + [
            f"-I{PROTO_DIR}",
            f"-I{VENDORED_DIR}",
            f"-I{staging}",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
        ]
        command += [str(p.relative_to(PROTO_DIR)) for p in gateway]
        command += [str(p.relative_to(VENDORED_DIR)) for p in rpc]
        command += [str(p.relative_to(staging)) for p in staged]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"protoc failed:\n{result.stderr}")
        (out / ".inputs-sha256").write_text(stamp + "\n")
        # Replace gen/ whole, so a failed run never leaves half a tree behind.
        if GEN_DIR.exists():
            shutil.rmtree(GEN_DIR)
        shutil.move(str(out), str(GEN_DIR))


if __name__ == "__main__":
    try:
        print(ensure())
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
