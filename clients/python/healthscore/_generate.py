"""Generates the healthscore.v1 Python stubs from proto/ (never committed).

    clients/python/generate.sh <out dir>
    python3 -m healthscore._generate <out dir> [--proto-dir DIR]

writes <out dir>/healthscore/v1/*_pb2.py and *_pb2_grpc.py. The `healthscore`
package extends its __path__ over sys.path, so putting <out dir> on
PYTHONPATH next to this package makes `healthscore.v1` importable.

It runs the protoc that matches the installed protobuf runtime: `protoc` with
`grpc_python_plugin` (Debian: protobuf-compiler, protobuf-compiler-grpc),
else grpc_tools.protoc (pip's grpcio-tools). $PROTOC and
$GRPC_PYTHON_PLUGIN override the lookup. This file imports nothing from the
package, so setup.py can load it by path before anything is built.
"""

import glob
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def default_proto_dir():
    """The repository's proto/ (clients/python/healthscore -> ../../../proto)."""
    env = os.environ.get("HEALTHSCORE_PROTO_DIR")
    if env:
        return env
    return os.path.normpath(os.path.join(HERE, "..", "..", "..", "proto"))


def _include_dirs():
    """Where google/protobuf/timestamp.proto lives, when protoc needs telling."""
    dirs = []
    for d in ("/usr/include", "/usr/local/include"):
        if os.path.exists(os.path.join(d, "google", "protobuf", "timestamp.proto")):
            dirs.append(d)
    return dirs


def _command(proto_dir, out_dir, files):
    protoc = os.environ.get("PROTOC") or shutil.which("protoc")
    plugin = os.environ.get("GRPC_PYTHON_PLUGIN") or shutil.which("grpc_python_plugin")
    includes = ["-I" + proto_dir] + ["-I" + d for d in _include_dirs()]
    outs = ["--python_out=" + out_dir, "--grpc_python_out=" + out_dir]
    if protoc and plugin:
        return [protoc, "--plugin=protoc-gen-grpc_python=" + plugin] + includes + outs + files
    try:
        import grpc_tools  # noqa: F401  (pip's grpcio-tools)
    except ImportError:
        raise SystemExit(
            "healthscore: cannot generate the stubs: need protoc and grpc_python_plugin "
            "(Debian: apt-get install protobuf-compiler protobuf-compiler-grpc) "
            "or grpc_tools (python3-grpc-tools / pip install grpcio-tools)")
    import pkg_resources  # grpc_tools ships well-known types as package data

    wkt = pkg_resources.resource_filename("grpc_tools", "_proto")
    return [sys.executable, "-m", "grpc_tools.protoc", "-I" + wkt] + includes + outs + files


def generate(out_dir, proto_dir=None):
    """Writes the stubs under out_dir/healthscore/v1; returns that directory."""
    proto_dir = os.path.abspath(proto_dir or default_proto_dir())
    files = sorted(glob.glob(os.path.join(proto_dir, "healthscore", "v1", "*.proto")))
    if not files:
        raise SystemExit("healthscore: no .proto files under %s/healthscore/v1" % proto_dir)
    os.makedirs(out_dir, exist_ok=True)
    cmd = _command(proto_dir, out_dir, files)
    subprocess.run(cmd, check=True)
    pkg = os.path.join(out_dir, "healthscore", "v1")
    # healthscore/v1 is a regular package; out_dir/healthscore gets no
    # __init__.py: it is a namespace portion the real package's extend_path
    # picks up, so the client's own __init__ always runs.
    with open(os.path.join(pkg, "__init__.py"), "w") as f:
        f.write("# Generated from proto/healthscore/v1 by healthscore._generate. Do not edit.\n")
    return pkg


def main(argv=None):
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir")
    p.add_argument("--proto-dir", default=None)
    a = p.parse_args(argv)
    pkg = generate(a.out_dir, a.proto_dir)
    print("healthscore: stubs in %s" % pkg)


if __name__ == "__main__":
    main()
