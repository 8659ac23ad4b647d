"""The technique model in PyTorch (training only; analysis runs the ONNX export).

One encoder, two heads:

* a token head with 15 sigmoid outputs per token: channel 0 "inside a propaganda span" (used
  to find spans: span identification), channels 1-14 one per technique (an auxiliary task that
  shapes the encoder);
* a span head: for a candidate span, ``[h_CLS ; mean(h_span) ; max(h_span) ; features]`` →
  MLP → softmax over the 14 techniques (technique classification). The features
  (:func:`unspin.decode.span_features`) carry article-level facts such as "these words recur
  in the article", which a 256-token window cannot see (Repetition).

The span head is tiny and runs in numpy at analysis time, on the hidden states that the
exported ONNX graph returns alongside the token logits.
"""

from __future__ import annotations

import torch
from torch import nn

from unspin.decode import N_SPAN_FEATURES


class TechniqueTagger(nn.Module):
    def __init__(
        self,
        encoder: nn.Module,
        hidden_size: int,
        n_labels: int = 14,
        span_hidden: int = 256,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.token_head = nn.Linear(hidden_size, 1 + n_labels)
        self.span_fc1 = nn.Linear(3 * hidden_size + N_SPAN_FEATURES, span_hidden)
        self.span_fc2 = nn.Linear(span_hidden, n_labels)
        self.act = nn.GELU(approximate="tanh")  # numpy reproduces the tanh form exactly

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.token_head(self.dropout(h)), h

    def span_logits(
        self,
        hidden: torch.Tensor,
        rows: torch.Tensor,
        starts: torch.Tensor,
        ends: torch.Tensor,
        feats: torch.Tensor,
    ) -> torch.Tensor:
        """Logits for spans ``[starts, ends)`` of batch rows ``rows``."""
        pooled = []
        for r, a, b in zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True):
            seg = hidden[r, a:b]
            pooled.append(torch.cat([hidden[r, 0], seg.mean(0), seg.max(0).values]))
        x = torch.cat([torch.stack(pooled), feats], dim=-1)
        return self.span_fc2(self.dropout(self.act(self.span_fc1(self.dropout(x)))))


class Exportable(nn.Module):
    """What goes into the ONNX graph: token probabilities and hidden states."""

    def __init__(self, model: TechniqueTagger) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        logits, h = self.model(input_ids, attention_mask)
        return torch.sigmoid(logits), h


def build(
    encoder_path: str, n_labels: int = 14, span_hidden: int = 256, dropout: float = 0.1
) -> TechniqueTagger:
    from transformers import AutoModel

    enc = AutoModel.from_pretrained(
        encoder_path, attn_implementation="eager", add_pooling_layer=False
    )
    return TechniqueTagger(enc, enc.config.hidden_size, n_labels, span_hidden, dropout)
