"""One BLAS thread for the small matrix products of analysis.

numpy's OpenBLAS splits even small products over every core and then keeps its idle threads
spinning for a while, taking the CPU from the ONNX Runtime sessions that run next. The
products in analysis (the span head, catalogue search) are small, so they run on one thread
inside :func:`one_blas_thread`. Measured on the 2-core development machine: the REST API went
from 6.3 to 7.7 analyses/s at 8 clients, and the narrative layer from 57 to 39 ms per
1,000-word article (docs/api.md, docs/narratives.md).
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> Any:
    """A context manager in which numpy's BLAS uses one thread (restored on exit)."""
    return _controller().limit(limits=1, user_api="blas")
