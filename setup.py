"""Build hook: the wheel carries the top-level ``mappings/`` (the one copy in git) as ``etl/mappings/``.

Everything else about the package is in pyproject.toml. ``mappings/`` stays at the top so a user can
find it and send it with curl; an editable install skips the copy and the library reads the checkout's
``mappings/`` directly (see ``etl/index/elastic/indices.py``).
"""

import os

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithMappings(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            self.copy_tree("mappings", os.path.join(self.build_lib, "etl", "mappings"))


setup(cmdclass={"build_py": BuildPyWithMappings})
