"""Is a near-duplicate text a new version of the earlier article, or a new article reusing it?

MinHash similarity alone cannot tell: a follow-up that repeats 60-90% of the first report as
background scores 0.5-0.7, as high as an update with a rewritten lead, while a short update
with one long paragraph appended scores under 0.5. Two more measurements separate them, both
estimated from the MinHash signatures and the shingle-set sizes (no text of the earlier article
is needed, so the index lookup stays as it is):

- containment: the share of one text's shingles found in the other, from the Jaccard estimate J
  and the set sizes (|A n B| = J(|A| + |B|) / (1 + J));
- where the new text is: an update changes the lead or the body (a paragraph rewritten, replaced
  or appended) but a new article has both a lead of its own and new text after it.

A false merge hides a distinct article from users while a missed update only leaves it in the
same story, so when the evidence is mixed the pair is not the same article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.dedupe.fingerprints import estimated_similarity, minhash_signature, shingles

_WORD = re.compile(r"\w+", re.UNICODE)

# The lead: the first 50 words (a news lead is one or two sentences of 30-50 words). Counted in
# words rather than paragraphs because a first paragraph may be a one-line kicker or the whole text.
LEAD_WORDS = 50
# A changed lead: under half of the new lead's shingles occur in the earlier article. On the
# development pairs a kept lead scores 0.56-1.0, a rewritten one 0-0.49, a follow-up's 0.0.
LEAD_KEPT = 0.5
# New text after a changed lead, as a share of the new article's shingles: a new article has a
# lead of its own and new text after it. Updates with a rewritten lead have at most 0.15 (figures
# edited, a sentence dropped), follow-ups reusing the first report 0.19-0.56 (0.23-0.41 at
# similarity 0.5 or more), so 0.2 keeps every measured follow-up out.
NEW_TEXT_AFTER_NEW_LEAD = 0.2
# An update that keeps the lead and almost all of the earlier text but adds a long paragraph has
# a low Jaccard similarity (a short German update with one paragraph appended: 0.375). With the
# lead kept (0.75) and 80% of the earlier article's shingles contained, it is a version from
# 0.35 up; template stories (same frame, other names) keep at most 0.54 of each other and their
# leads at most 0.52.
UPDATE_SIMILARITY = 0.35
UPDATE_LEAD_KEPT = 0.75
UPDATE_CONTAINS_EARLIER = 0.8


@dataclass(frozen=True, slots=True)
class VersionEvidence:
    """How a later text relates to an earlier one, as shares of shingles (estimates)."""

    similarity: float  # Jaccard estimate of the two shingle sets
    earlier_contained: float  # share of the earlier text's shingles in the later text
    new_text: float  # share of the later text's shingles not in the earlier one
    lead_kept: float  # share of the later text's lead shingles found in the earlier text
    new_text_after_lead: float  # new shingles outside the later lead, as a share of the later text


def shared_shingles(similarity: float, first_size: int, second_size: int) -> float:
    """Estimated shingles two sets share, from their Jaccard similarity J and sizes:
    |A n B| = J (|A| + |B|) / (1 + J), at most the smaller size."""
    if similarity <= 0 or first_size <= 0 or second_size <= 0:
        return 0.0
    return min(similarity * (first_size + second_size) / (1 + similarity), first_size, second_size)


def lead_text(text: str) -> str:
    """The first ``LEAD_WORDS`` words of the text."""
    return " ".join(_WORD.findall(text)[:LEAD_WORDS])


def shingle_count(text: str, shingle_words: int) -> int:
    """Distinct word shingles of the text (the set MinHash estimates the similarity of)."""
    return len(set(shingles(text, shingle_words)))


def version_evidence(
    later_text: str,
    later_signature: Sequence[int],
    later_shingles: int,
    earlier_signature: Sequence[int],
    earlier_shingles: int,
    *,
    shingle_words: int,
    num_permutations: int,
) -> VersionEvidence:
    """Containment both ways and where the new text lies, from signatures and shingle counts."""
    similarity = estimated_similarity(later_signature, earlier_signature)
    shared = shared_shingles(similarity, later_shingles, earlier_shingles)
    lead = lead_text(later_text)
    lead_size = shingle_count(lead, shingle_words)
    lead_signature = minhash_signature(lead, shingle_words=shingle_words, num_permutations=num_permutations)
    lead_similarity = estimated_similarity(lead_signature, earlier_signature)
    lead_shared = shared_shingles(lead_similarity, lead_size, earlier_shingles)
    new_shingles = later_shingles - shared
    new_in_lead = lead_size - lead_shared
    return VersionEvidence(
        similarity=similarity,
        earlier_contained=shared / earlier_shingles if earlier_shingles else 0.0,
        new_text=new_shingles / later_shingles if later_shingles else 0.0,
        lead_kept=lead_shared / lead_size if lead_size else 0.0,
        new_text_after_lead=max(0.0, new_shingles - new_in_lead) / later_shingles if later_shingles else 0.0,
    )


def is_new_version(evidence: VersionEvidence, threshold: float) -> bool:
    """The same article in a new version (a near duplicate), not a new article reusing its text.

    At or above ``threshold`` similarity: unless the lead changed and there is new text after it
    (a follow-up with background from the first report). Below it, from ``UPDATE_SIMILARITY``:
    only when the lead is kept and nearly all of the earlier text is contained (a long addition).
    """
    lead_changed = evidence.lead_kept < LEAD_KEPT
    if evidence.similarity >= threshold:
        return not (lead_changed and evidence.new_text_after_lead >= NEW_TEXT_AFTER_NEW_LEAD)
    return (
        evidence.similarity >= UPDATE_SIMILARITY
        and evidence.lead_kept >= UPDATE_LEAD_KEPT
        and evidence.earlier_contained >= UPDATE_CONTAINS_EARLIER
    )
