#!/usr/bin/env python
"""Build the tiny random technique model that the tests use: build_fixture_model.py OUT_DIR."""

import sys
from pathlib import Path

from unspin.training.fixture import build_fixture_model

if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/.fixture-model")
    print(build_fixture_model(out))
