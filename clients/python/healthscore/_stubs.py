"""The generated modules (healthscore.v1.*_pb2 / *_pb2_grpc), found where the
build put them (see healthscore._generate), with a message that says how to
make them when they are missing."""

import importlib


class _Stubs:
    _NAMES = ("health_scoring_pb2", "health_scoring_pb2_grpc", "history_pb2",
              "history_pb2_grpc", "alerts_pb2", "alerts_pb2_grpc", "overrides_pb2",
              "overrides_pb2_grpc", "validation_pb2", "validation_pb2_grpc")

    def __getattr__(self, name):
        if name not in self._NAMES:
            raise AttributeError(name)
        try:
            module = importlib.import_module("healthscore.v1." + name)
        except ImportError as e:
            raise ImportError(
                "healthscore: the generated stubs (healthscore.v1.%s) are not importable (%s). "
                "Install the package (pip install clients/python, which generates them) or "
                "generate them with clients/python/generate.sh OUT_DIR and put OUT_DIR on "
                "PYTHONPATH." % (name, e)) from e
        setattr(self, name, module)
        return module


pb = _Stubs()
