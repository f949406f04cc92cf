"""Generates the stubs from ../../proto into the built package (they are never
committed), so the installed `healthscore` has healthscore.v1 inside it.
Metadata is in pyproject.toml. $HEALTHSCORE_PROTO_DIR names another proto/."""

import importlib.util
import os

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def _generator():
    spec = importlib.util.spec_from_file_location(
        "_healthscore_generate", os.path.join(HERE, "healthscore", "_generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithStubs(build_py):
    def run(self):
        super().run()
        if not self.dry_run:
            _generator().generate(self.build_lib)


setup(cmdclass={"build_py": BuildPyWithStubs})
