"""numpy's BLAS runs on one thread inside ``one_blas_thread`` and is restored after it."""

from __future__ import annotations

import numpy as np

from unspin._blas import one_blas_thread


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_one_blas_thread_limits_and_restores() -> None:
    np.ones((4, 4)) @ np.ones((4, 4))  # make sure numpy's BLAS is loaded
    before = _blas_threads()
    assert before, "numpy should expose a BLAS library to threadpoolctl"
    with one_blas_thread():
        assert _blas_threads() == [1] * len(before)
        x = np.ones((64, 64), dtype=np.float32)
        assert float((x @ x)[0, 0]) == 64.0
    assert _blas_threads() == before
