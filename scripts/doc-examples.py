#!/usr/bin/env python3
"""Runs every example in README.md and docs/*.md against a real gateway, so none can rot.

Starts server/target/gateway.jar from the simulator (no key) on free loopback ports, then, page
by page, runs each fenced block tagged sh/bash/shell (each command in turn, in one bash process
per page, so variables set in one block are seen by the next), python and js, and checks:

- every command exits 0, unless an expectation line right after it says `# → exit N`;
- its output (stdout and stderr together) contains each expectation line that follows it:
  `# → text` (in a python block also, in a js block `// → text`, anywhere in the block).
  Whitespace is ignored and `...` stands for anything, so `# → "code": 8 ... "2s"` means those
  two pieces, in that order.

The documented addresses 127.0.0.1:50051 and `--port 50051` (gRPC) and 127.0.0.1:9464 (metrics)
are replaced by the test gateway's ports, and GATEWAY_TARGET points the CLI at it. A block that cannot run here
carries, on the line before its fence, `<!-- not run: why -->`, or `<!-- needs: cmd -->` to run
only where cmd is installed (grpcurl, docker); the test lists every block it skipped and why,
and every command quoted inline in the prose (which it does not run).
Fails if any command fails or prints something else than the text says.

Needs server/target/gateway.jar and tools/target/gateway-cli.jar (mvn package), npm ci at
the root and in clients/node, and a python3 with grpcio and protobuf.
"""
import concurrent.futures
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
GATEWAY_JAR = "server/target/gateway.jar"
CLI_JAR = "tools/target/gateway-cli.jar"
PAGE_TIMEOUT_S = 600
SHELL_TAGS = {"sh", "bash", "shell"}
ANNOTATION = re.compile(r"^<!--\s*(not run|needs):\s*(.*?)\s*-->\s*$")
EXPECT_SH = re.compile(r"^\s*#\s*→\s?(.*)$")
EXPECT_JS = re.compile(r"^\s*//\s*→\s?(.*)$")
EXIT = re.compile(r"^exit\s+(\d+)\b")


class Block:
  def __init__(self, path, line, tag, text, annotation):
    self.path, self.line, self.tag, self.text, self.annotation = path, line, tag, text, annotation

  def where(self):
    return f"{os.path.relpath(self.path, ROOT)}:{self.line}"


class Command:
  """One shell command (continuation lines joined) and what the text says it prints."""

  def __init__(self, block, line, text):
    self.block, self.line, self.text = block, line, text
    self.expected, self.exit = [], 0

  def where(self):
    return f"{os.path.relpath(self.block.path, ROOT)}:{self.line}"

  def expect(self, text):
    m = EXIT.match(text)
    if m:
      self.exit = int(m.group(1))
    else:
      self.expected.append(text)


def pages():
  return [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))


def blocks(path):
  """The fenced blocks of one page, with the annotation on the line before each fence."""
  lines = open(path, encoding="utf-8").read().split("\n")
  found, i = [], 0
  while i < len(lines):
    m = re.match(r"^(\s*)```(\S*)", lines[i])
    if not m:
      i += 1
      continue
    indent, tag, start = len(m.group(1)), m.group(2).lower(), i
    body = []
    i += 1
    while i < len(lines) and not lines[i].strip().startswith("```"):
      body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
      i += 1
    i += 1
    previous = lines[start - 1].strip() if start > 0 else ""
    annotation = ANNOTATION.match(previous)
    found.append(Block(path, start + 2, tag, "\n".join(body),
                       (annotation.group(1), annotation.group(2)) if annotation else None))
  return found


INLINE_COMMAND = re.compile(r"^(npx buf curl|buf curl|grpcurl|curl|java -(jar|cp)|python3|node) \S")


def inline_commands(path):
  """Commands quoted inline in the prose (`...` spans outside fenced blocks): listed, not run."""
  text = re.sub(r"(?ms)^\s*```.*?^\s*```", lambda m: "\n" * m.group(0).count("\n"),
                open(path, encoding="utf-8").read())
  found = []
  for m in re.finditer(r"`([^`]+)`", text):
    span = " ".join(m.group(1).split())
    if INLINE_COMMAND.match(span):
      found.append((f"{os.path.relpath(path, ROOT)}:{text.count(chr(10), 0, m.start()) + 1}", span))
  return found


def complete(shell_text):
  """Whether bash sees a whole command (no open quote, no trailing backslash)."""
  if shell_text.rstrip().endswith("\\"):
    return False
  return subprocess.run(["bash", "-n", "-c", shell_text], stderr=subprocess.DEVNULL).returncode == 0


def commands(block):
  result, pending, pending_line = [], [], 0
  for offset, line in enumerate(block.text.split("\n")):
    number = block.line + offset
    if not pending:
      m = EXPECT_SH.match(line)
      if m:
        if not result:
          raise SystemExit(f"{block.where()}: an expectation before any command")
        result[-1].expect(m.group(1).strip())
        continue
      if not line.strip() or line.lstrip().startswith("#"):
        continue
      pending_line = number
    pending.append(line)
    if complete("\n".join(pending)):
      result.append(Command(block, pending_line, "\n".join(pending)))
      pending = []
  if pending:
    raise SystemExit(f"{block.where()}: an unfinished command: {pending[0]}")
  return result


def normalise(text):
  return re.sub(r"\s+", "", text)


def missing(expected, output):
  """The first expected piece not found in order in the output, or None."""
  haystack, position = normalise(output), 0
  for line in expected:
    for piece in line.split("..."):
      piece = normalise(piece)
      if not piece:
        continue
      found = haystack.find(piece, position)
      if found < 0:
        return piece
      position = found + len(piece)
  return None


def substitute(text, port, metrics_port):
  return (text.replace("127.0.0.1:50051", f"127.0.0.1:{port}")
          .replace("127.0.0.1:9464", f"127.0.0.1:{metrics_port}")
          .replace("--port 50051", f"--port {port}"))


def free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def listening(port):
  with socket.socket() as s:
    s.settimeout(1)
    return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until_healthy(port, gateway, log_name):
  """Waits (at most 120 s) for the detailed health to say SERVING: its first upstream probe done."""
  deadline = time.monotonic() + 120
  check = ["npx", "--no-install", "buf", "curl", "--protocol", "grpc", "--http2-prior-knowledge",
           f"http://127.0.0.1:{port}/openrouter.gateway.v1.HealthService/Check"]
  while True:
    out = subprocess.run(check, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode()
    if '"OVERALL_STATUS_SERVING"' in out:
      return
    if gateway.poll() is not None or time.monotonic() > deadline:
      raise SystemExit(f"doc examples: the gateway's detailed health is not SERVING: {out}\n"
                       f"its log:\n{open(log_name).read()}")
    time.sleep(1)


def python_with_grpc():
  for candidate in ("python3", "/usr/bin/python3"):
    if shutil.which(candidate) and subprocess.run(
        [candidate, "-c", "import grpc, google.protobuf"], stderr=subprocess.DEVNULL).returncode == 0:
      return candidate
  raise SystemExit("doc examples: no python3 with grpcio and protobuf (apt-get install python3-grpcio python3-protobuf)")


def run_shell_page(path, cmds, env, port, metrics_port):
  """Runs a page's commands in one bash process; returns (command, exit code, output) triples."""
  with tempfile.TemporaryDirectory() as work:
    return run_shell_commands(cmds, env, port, metrics_port, work)


def run_shell_commands(cmds, env, port, metrics_port, work):
  script = ["cd " + ROOT]
  for n, c in enumerate(cmds):
    script.append(f"echo {n} > {work}/started")
    script.append("{\n" + substitute(c.text, port, metrics_port) + f"\n}} </dev/null >{work}/out.{n} 2>&1")
    script.append(f"echo $? > {work}/rc.{n}")
  shell = subprocess.Popen(["bash", "-c", "\n".join(script)], env=env, cwd=ROOT, start_new_session=True)
  try:
    shell.wait(timeout=PAGE_TIMEOUT_S)
  except subprocess.TimeoutExpired:
    os.killpg(shell.pid, signal.SIGKILL)  # the hung command and everything it started
    shell.wait()
  try:
    os.killpg(shell.pid, signal.SIGKILL)  # anything a command left running in the background
  except ProcessLookupError:
    pass
  results = []
  for n, c in enumerate(cmds):
    try:
      rc = int(open(f"{work}/rc.{n}").read())
      out = open(f"{work}/out.{n}", errors="replace").read()
    except FileNotFoundError:
      rc, out = None, f"(did not finish within the page's {PAGE_TIMEOUT_S} s)"
    results.append((c, rc, out))
  return results


def run_program(block, argv, env, port, metrics_port):
  pattern = EXPECT_JS if block.tag in ("js", "javascript") else EXPECT_SH
  c = Command(block, block.line, block.text.split("\n")[0] + " ...")
  for line in block.text.split("\n"):
    m = pattern.match(line)
    if m:
      c.expect(m.group(1).strip())
  try:
    p = subprocess.run(argv + [substitute(block.text, port, metrics_port)], env=env, cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return c, p.returncode, p.stdout.decode(errors="replace")
  except subprocess.TimeoutExpired:
    return c, None, "(did not finish within 120 s)"


def main():
  for f in (GATEWAY_JAR, CLI_JAR):
    if not os.path.isfile(os.path.join(ROOT, f)):
      raise SystemExit(f"doc examples: {f} is missing; build it first (mvn -B -DskipTests package)")
  python = python_with_grpc()
  port, metrics_port = free_port(), free_port()
  env = {k: v for k, v in os.environ.items() if k not in ("OPENROUTER_API_KEY", "OPENROUTER_BASE_URL")}
  env.update(GATEWAY_HOST="127.0.0.1", GATEWAY_PORT=str(port), GATEWAY_METRICS_PORT=str(metrics_port),
             GATEWAY_SHUTDOWN_GRACE_MS="2000",
             # The docs show a healthy gateway. On a busy machine the first GET /key to the cold
             # in-process simulator can outlast the default 5 s probe limit (DEGRADED until the
             # next probe 30 s later), so the probe gets longer here, and the examples wait below.
             GATEWAY_HEALTH_PROBE_TIMEOUT_MS="30000")
  log = tempfile.NamedTemporaryFile(prefix="doc-examples-gateway.", suffix=".log", delete=False)
  gateway = subprocess.Popen(["java", "-jar", GATEWAY_JAR], cwd=ROOT, env=env, stdout=log,
                             stderr=subprocess.STDOUT)
  try:
    deadline = time.monotonic() + 120  # a cold JVM on a busy machine; bounds only a failure
    while not (listening(port) and listening(metrics_port)):
      if gateway.poll() is not None or time.monotonic() > deadline:
        raise SystemExit(f"doc examples: the gateway did not start; its log:\n{open(log.name).read()}")
      time.sleep(0.2)
    print(f"== doc examples: gateway on 127.0.0.1:{port} (metrics {metrics_port}), simulator")
    wait_until_healthy(port, gateway, log.name)
    run_env = dict(env, GATEWAY_TARGET=f"127.0.0.1:{port}", NPM_CONFIG_LOGLEVEL="error")
    for k in ("GATEWAY_HOST", "GATEWAY_PORT", "GATEWAY_METRICS_PORT", "GATEWAY_SHUTDOWN_GRACE_MS",
              "GATEWAY_HEALTH_PROBE_TIMEOUT_MS"):
      run_env.pop(k)
    # Pages run side by side (each page's commands in order), programs too; results in page order.
    failures, skipped, inline, ran, jobs = [], [], [], 0, []
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
      for path in pages():
        inline.extend(inline_commands(path))
        shell = []
        for block in blocks(path):
          if block.tag not in SHELL_TAGS | {"python", "js", "javascript"}:
            continue
          if block.annotation and block.annotation[0] == "not run":
            skipped.append((block.where(), block.annotation[1]))
            continue
          if block.annotation and block.annotation[0] == "needs" and not shutil.which(block.annotation[1]):
            skipped.append((block.where(), f"needs {block.annotation[1]}, not installed here"))
            continue
          if block.tag in SHELL_TAGS:
            shell.extend(commands(block))
          else:
            argv = [python, "-c"] if block.tag == "python" else ["node", "-e"]
            jobs.append(pool.submit(lambda b=block, a=argv: [run_program(b, a, run_env, port, metrics_port)]))
        if shell:
          jobs.append(pool.submit(run_shell_page, path, shell, run_env, port, metrics_port))
      results = [r for job in jobs for r in job.result()]
    results.sort(key=lambda r: (pages().index(r[0].block.path), r[0].line))
    for c, rc, out in results:
      ran += 1
      first = c.text.split("\n")[0]
      problem = None
      if rc != c.exit:
        problem = f"exit {rc}, the text says {c.exit}"
      else:
        piece = missing(c.expected, out)
        if piece is not None:
          problem = f"output lacks {piece!r}"
      if problem:
        failures.append(c.where())
        print(f"FAIL {c.where()}: {first}\n     {problem}; output:\n" + "\n".join(
            "     | " + l for l in out.rstrip().split("\n")[-40:]))
      else:
        print(f"ok   {c.where()}: {first}")
    print(f"== doc examples: {ran} run, {len(failures)} failed, {len(skipped)} blocks not run:")
    for where, why in skipped:
      print(f"     not run {where}: {why}")
    print(f"== doc examples: {len(inline)} commands quoted inline in the prose, not run (show one in"
          " a fenced block to run it):")
    for where, span in inline:
      print(f"     inline {where}: {span}")
    if failures:
      print("doc examples: FAILED: " + " ".join(failures) + f" (gateway log: {log.name})", file=sys.stderr)
      return 1
    os.unlink(log.name)
    return 0
  finally:
    if gateway.poll() is None:
      gateway.send_signal(signal.SIGTERM)
      try:
        gateway.wait(timeout=30)
      except subprocess.TimeoutExpired:
        gateway.kill()


if __name__ == "__main__":
  sys.exit(main())
