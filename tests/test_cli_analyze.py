"""``unspin analyze`` through ``unspin.cli.main.main(argv)`` (which returns the exit code)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from unspin.cli.main import main
from unspin.types import Analysis

SAMPLE = "\ufeffThey lied to you.\r\nAgain and again! \U0001f600 \u05e9\u05dc\u05d5\u05dd.\n"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    p = tmp_path / "sample.txt"
    p.write_bytes(SAMPLE.encode("utf-8"))
    return p


def test_json_output_is_exact(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "analyze", sample, "--format", "json", "--model", "none")
    assert code == 0, err
    d = json.loads(out)
    assert d["schema"] == "unspin.analysis/1"
    assert d["id"] == "sample" and d["text"] == SAMPLE  # BOM and CRLF kept
    assert d["model"]["name"] == "none" and d["techniques"] == []
    a = Analysis.from_dict(d)
    assert [a.text[s.start : s.end] for s in a.sentences] == [
        "\ufeffThey lied to you.",
        "Again and again!",
        "\U0001f600 \u05e9\u05dc\u05d5\u05dd.",
    ]


def test_text_output(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "analyze", sample, "--model", "none")
    assert code == 0
    assert "They lied to you." in out


def test_jsonl_for_several_files(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.txt"
    other.write_text("Second text.")
    code, out, _ = run(capsys, "analyze", sample, other, "--model", "none")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["sample", "other"]
    assert rows[1]["text"] == "Second text."
    code, out, _ = run(capsys, "analyze", sample, "--format", "jsonl", "--model", "none")
    assert code == 0 and len(out.splitlines()) == 1


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fake = io.TextIOWrapper(io.BytesIO(b"Read from stdin.\r\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    code, out, _ = run(capsys, "analyze", "-", "--format", "json", "--model", "none")
    assert code == 0
    d = json.loads(out)
    assert d["id"] == "stdin" and d["text"] == "Read from stdin.\r\n"


@pytest.mark.parametrize("text", ["", "   \n\t\r\n  "])
def test_empty_and_whitespace_text(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "empty.txt"
    p.write_text(text, newline="")
    code, out, _ = run(capsys, "analyze", p, "--format", "json", "--model", "none")
    assert code == 0
    d = json.loads(out)
    assert d["text"] == text and d["techniques"] == [] and d["sentences"] == []
    code, _, _ = run(capsys, "analyze", p, "--model", "none")
    assert code == 0


@pytest.mark.slow
def test_five_megabytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    words = "officials said the plan would work while critics were not so sure about it "
    line = "Officials said " + words * 4 + "today. Critics " + words * 4 + "again!\n"
    text = line * (5_000_000 // len(line) + 1)
    p = tmp_path / "big.txt"
    p.write_text(text)
    code, out, err = run(capsys, "analyze", p, "--format", "json", "--model", "none")
    assert code == 0, err
    d = json.loads(out)
    assert len(d["text"]) == len(text) >= 5_000_000
    assert len(d["sentences"]) == 2 * text.count("\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"caf\xe9 au lait", "not valid UTF-8"),
        (b"text\x00with NUL", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_bad_input_exits_1_with_one_line(
    data: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    code, out, err = run(capsys, "analyze", p, "--model", "none")
    assert code == 1
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert "Traceback" not in err


def test_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "analyze", tmp_path / "missing.txt", "--model", "none")
    assert code == 1 and "no such file" in err and err.count("\n") == 1
    code, _, err = run(capsys, "analyze", tmp_path, "--model", "none")
    assert code == 1 and "is a directory" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["analyze"],
        ["analyze", "x.txt", "--format", "yaml"],
        ["analyze", "x.txt", "--threshold", "2"],
        ["analyze", "x.txt", "--bogus"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err


def test_json_with_several_files_is_a_usage_error(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "analyze", sample, sample, "--format", "json", "--model", "none")
    assert code == 2 and "jsonl" in err
