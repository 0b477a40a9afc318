"""The client works with any python3 that has grpcio and protobuf, and says so when one lacks them."""
import subprocess
import sys
import unittest
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]


class InterpreterTest(unittest.TestCase):
    def test_a_python_without_grpcio_and_protobuf_gets_a_clear_error(self):
        # -S: no site-packages, like a python3 on PATH that never had grpcio or protobuf installed.
        result = subprocess.run([sys.executable, "-S", "-c", "import gateway_client"], cwd=PYTHON_DIR,
                                capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"{sys.executable} has no grpcio or protobuf", result.stderr)
        self.assertIn("pip install grpcio", result.stderr)
        self.assertNotIn("No module named", result.stderr)

    def test_this_python_imports_the_client(self):
        result = subprocess.run([sys.executable, "-c", "import gateway_client; print(gateway_client.GatewayClient)"],
                                cwd=PYTHON_DIR, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("GatewayClient", result.stdout)


if __name__ == "__main__":
    unittest.main()
