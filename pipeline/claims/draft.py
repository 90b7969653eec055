"""The claim finders' intermediate result: offsets only, before speakers and numbers are analysed."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.models import ClaimKind


@dataclass(frozen=True, slots=True)
class Draft:
    """Where a claim's content, speaker and cue are (character offsets, end exclusive).

    ``carried`` marks a frame-less continuation (a Konjunktiv sentence or a quotation after
    "…, sagte X."): its speaker span is the one of the claim it continues.
    """

    content: tuple[int, int]
    kind: ClaimKind
    sentence: int
    speaker: tuple[int, int] | None = None
    cue: tuple[int, int] | None = None
    carried: bool = False
