"""Reading plain-text files strictly: UTF-8 only, no NUL bytes, no binary data.

The text is returned exactly as stored (a BOM stays as character 0, ``\\r\\n`` stays two
characters), because every offset unspin reports is an offset into that exact string.
"""

from __future__ import annotations

import sys
from pathlib import Path

from unspin.errors import InputError

MAX_BYTES_DEFAULT = 64 * 1024 * 1024


def decode_text(data: bytes, *, name: str = "input") -> str:
    """Decode bytes as UTF-8 text exactly (no newline translation, BOM kept)."""
    if b"\x00" in data:
        pos = data.index(b"\x00")
        raise InputError(
            f"{name} looks like a binary file",
            expected="UTF-8 text",
            found=f"a NUL byte at byte {pos}",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{name} is not valid UTF-8",
            expected="UTF-8 text",
            found=f"byte 0x{data[err.start]:02x} at byte {err.start}",
            hint="convert it with: iconv -f <encoding> -t utf-8",
        ) from err


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES_DEFAULT) -> str:
    """Read a UTF-8 text file (``-`` reads standard input)."""
    if str(path) == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "standard input"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(
                f"{p}: no such file", expected="an existing text file", found="nothing at that path"
            )
        if p.is_dir():
            raise InputError(f"{p} is a directory", expected="a text file", found="a directory")
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
        name = str(p)
    if len(data) > max_bytes:
        raise InputError(
            f"{name} is too large", expected=f"at most {max_bytes} bytes", found="more"
        )
    return decode_text(data, name=name)
