"""How alike two claims are, for grouping the same statement across articles and outlets.

Content words are compared by their first six letters (a cheap stem that also joins German
compounds and inflections: "nordkoreanische"/"Nordkorea", "Soldaten"/"Soldat"); numbers by
value and unit; speakers by their grouping key. Each part counts only when both claims have it.
"""

from __future__ import annotations

import re

from pipeline.claims.speakers import normalise_name
from pipeline.claims.text import words
from pipeline.models import Claim, Quantity

_STEM_LENGTH = 6
_STOPWORDS = words(
    """
    der die das des dem den ein eine einer eines einem einen und oder aber dass ob nicht auch
    noch sich sie er es wir ich ist sind war waren sei seien habe hat haben hatte werde wird
    werden wurde würden zu zum zur in im an am auf aus bei mit nach von vor für über unter um
    als wie so bereits sehr mehr diese dieser dieses man nur schon
    the a an and or but that this these those is are was were be been being has have had will
    would could should may might of to in on at by for with from as it its they he she we i you
    not no also said says more than there their his her which who what when
    """
)
# Weights of the parts: the words carry most; a matching number or speaker is strong evidence.
_CONTENT_WEIGHT = 0.6
_QUANTITY_WEIGHT = 0.25
_SPEAKER_WEIGHT = 0.15


def _stems(text: str) -> set[str]:
    return {
        word.casefold()[:_STEM_LENGTH]
        for word in re.findall(r"[^\W\d_]{3,}", text)
        if word.casefold() not in _STOPWORDS
    }


def _same_quantity(a: Quantity, b: Quantity) -> bool:
    close = abs(a.value - b.value) <= 0.05 * max(abs(a.value), abs(b.value), 1.0)
    return close and (a.unit is None or b.unit is None or a.unit == b.unit)


def _quantity_similarity(a: Claim, b: Claim) -> float:
    matched = sum(1 for qa in a.quantities if any(_same_quantity(qa, qb) for qb in b.quantities))
    return matched / max(len(a.quantities), len(b.quantities))


def _speaker_key(claim: Claim) -> str | None:
    if claim.speaker_entity_id:
        return claim.speaker_entity_id
    if claim.speaker_organisation_id:
        return claim.speaker_organisation_id
    return normalise_name(claim.speaker_name) if claim.speaker_name else None


def claim_similarity(a: Claim, b: Claim) -> float:
    """Content similarity of two claims in 0..1 (words, numbers, and speaker when both have one)."""
    stems_a, stems_b = _stems(a.content.text), _stems(b.content.text)
    content = 2 * len(stems_a & stems_b) / (len(stems_a) + len(stems_b)) if stems_a and stems_b else 0.0
    total, weight = _CONTENT_WEIGHT * content, _CONTENT_WEIGHT
    if a.quantities and b.quantities:
        total += _QUANTITY_WEIGHT * _quantity_similarity(a, b)
        weight += _QUANTITY_WEIGHT
    key_a, key_b = _speaker_key(a), _speaker_key(b)
    if key_a and key_b:
        total += _SPEAKER_WEIGHT * (key_a == key_b)
        weight += _SPEAKER_WEIGHT
    return round(total / weight, 4)


def speaker_key(claim: Claim) -> str | None:
    """Grouping key of the speaker: entity id, else organisation id, else normalised name."""
    return _speaker_key(claim)
