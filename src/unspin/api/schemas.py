"""Request and response shapes of the REST API (Pydantic models, for validation and OpenAPI).

Responses are built from :meth:`unspin.types.Analysis.to_dict` directly; the response models
here document that shape in ``/openapi.json`` (schema ``unspin.analysis/1``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_ID = 200  # characters in a client-chosen article id


class AnalyzeRequest(BaseModel):
    """``POST /v1/analyze`` with a JSON body."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: str = Field(
        description="The article text. Offsets in the answer are code-point "
        "offsets into exactly this string. Must contain more than whitespace."
    )
    id: str = Field("", max_length=MAX_ID, description="Your id for the article (echoed back).")
    threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Report only spans scoring at least this. Default: the model's "
        "per-technique thresholds.",
    )


class AnalyzeUpload(BaseModel):
    """``POST /v1/analyze`` with a ``multipart/form-data`` body."""

    file: bytes = Field(
        json_schema_extra={"format": "binary"},
        description="A .txt (UTF-8) or .html file. From HTML, the main text "
        "is extracted and offsets refer to that extracted text.",
    )
    id: str = Field(
        "",
        max_length=MAX_ID,
        description="Article id (default: the file name without its extension).",
    )
    threshold: float | None = Field(None, ge=0.0, le=1.0)


class BatchArticle(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: str
    id: str = Field("", max_length=MAX_ID)


class BatchRequest(BaseModel):
    """``POST /v1/analyze/batch``: several articles, analysed in one go, answered in order."""

    model_config = ConfigDict(extra="forbid", strict=True)

    articles: list[BatchArticle] = Field(min_length=1, description="At most UNSPIN_MAX_BATCH.")
    threshold: float | None = Field(None, ge=0.0, le=1.0)


# --- responses (documentation) -------------------------------------------------------------


class SpanOut(BaseModel):
    start: int
    end: int
    label: str
    score: float


class SentenceOut(BaseModel):
    start: int
    end: int
    score: float
    labels: list[str]


class ModelOut(BaseModel):
    name: str
    version: str


class StoredOut(BaseModel):
    id: str = Field(description="The stored analysis id.")
    url: str = Field(description="Where the API serves it: /v1/analyses/{id}.")
    permalink: str = Field(description="Where the web UI shows it: /a/{id}.")


class AnalysisOut(BaseModel):
    """An analysis (schema ``unspin.analysis/1``), plus ``stored`` when it was saved."""

    model_config = ConfigDict(extra="allow")

    schema_: Literal["unspin.analysis/1"] = Field(alias="schema")
    id: str
    text: str
    model: ModelOut
    techniques: list[SpanOut]
    sentences: list[SentenceOut]
    summary: dict[str, Any]
    narratives: list[dict[str, Any]] | None = None
    claims: list[dict[str, Any]] | None = None
    meta: dict[str, Any] | None = None
    stored: StoredOut | None = None


class BatchOut(BaseModel):
    analyses: list[AnalysisOut]


class TechniqueOut(BaseModel):
    name: str
    display: str
    definition: str
    example: str
    color: str
    pattern: str
    symbol: str


class TechniquesOut(BaseModel):
    techniques: list[TechniqueOut]


class ModelsOut(BaseModel):
    loaded: ModelOut = Field(
        description="The model this server analyses with ('none': no "
        "technique model, so no spans are reported)."
    )
    installed: list[str] = Field(description="Model names installed with the package.")


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    model: ModelOut
    store: bool
    inflight: int
    capacity: int


class ErrorDetail(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorInfo(BaseModel):
    status: int
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorOut(BaseModel):
    """The body of every error answer."""

    error: ErrorInfo
