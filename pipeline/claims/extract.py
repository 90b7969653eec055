"""Attributed claims ("who said what") in an article: ``extract_claims``.

The finders (``german``, ``english``) locate content, speaker and cue spans with rules over
tokens and clause boundaries; this module then names the speaker (role, entity, pronoun
resolution), and finds the numbers and the time expression of each claim. No statistical model
is used, so it runs anywhere; see docs/claims.md for the method and its scores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from pipeline.claims.draft import Draft
from pipeline.claims.english import find_english_drafts
from pipeline.claims.german import find_german_drafts
from pipeline.claims.quantities import find_quantities
from pipeline.claims.speakers import (
    PRONOUN_WINDOW,
    SpeakerIdentity,
    describe,
    is_pronoun,
    named_people,
    unique_antecedent,
)
from pipeline.claims.text import Sentence, split_sentences
from pipeline.claims.timex import find_time_expressions
from pipeline.models import Claim, EntityMention, Span

_ENGLISH_MARKERS = re.compile(r"\b(?:the|and|said|of|that|is|was|with|for)\b")
_GERMAN_MARKERS = re.compile(r"\b(?:der|die|und|sagte|nicht|ist|mit|dass|sei|den|von)\b")


def _language(text: str, language: str | None) -> str | None:
    """ "de" or "en" (None for another given language), else a function-word count on the text."""
    if language:
        code = language.lower()[:2]
        return code if code in {"de", "en"} else None
    sample = text[:2000].lower()
    return "en" if len(_ENGLISH_MARKERS.findall(sample)) > len(_GERMAN_MARKERS.findall(sample)) else "de"


def _span(text: str, offsets: tuple[int, int] | None) -> Span | None:
    if offsets is None:
        return None
    return Span(text[offsets[0] : offsets[1]], offsets[0], offsets[1])


def _identities(
    text: str, drafts: Sequence[Draft], sentences: Sequence[Sentence], entities: Sequence[EntityMention]
) -> list[SpeakerIdentity]:
    """The speaker of every draft; pronouns take a single recent antecedent's identity."""
    identities: list[SpeakerIdentity] = []
    by_span: dict[tuple[int, int], SpeakerIdentity] = {}
    for index, draft in enumerate(drafts):
        if draft.speaker is None:
            identities.append(SpeakerIdentity())
            continue
        if draft.speaker in by_span:  # a continuation: the same speaker as the claim it goes on
            identities.append(by_span[draft.speaker])
            continue
        start, end = draft.speaker
        identity = describe(text, start, end, entities)
        if is_pronoun(text[start:end]):
            identity = _resolve_pronoun(text, index, drafts, identities, sentences, entities)
        identities.append(identity)
        by_span[draft.speaker] = identity
    return identities


def _resolve_pronoun(
    text: str,
    index: int,
    drafts: Sequence[Draft],
    identities: Sequence[SpeakerIdentity],
    sentences: Sequence[Sentence],
    entities: Sequence[EntityMention],
) -> SpeakerIdentity:
    current = drafts[index].sentence
    first = max(0, current - PRONOUN_WINDOW)
    candidates = []
    for earlier, identity in zip(drafts[:index], identities, strict=False):
        if earlier.sentence < first or earlier.speaker is None or not identity.key:
            continue
        if not is_pronoun(text[earlier.speaker[0] : earlier.speaker[1]]) or identity.entity_id:
            candidates.append(identity)
    for sentence in sentences[first : current + 1]:
        candidates.extend(named_people(text, sentence.start, sentence.end, entities))
    antecedent = unique_antecedent(candidates)
    return antecedent if antecedent is not None else SpeakerIdentity()


def _time(text: str, draft: Draft, sentence: Sentence, published: date | None) -> tuple[str | None, date | None]:
    """The claim's time: in its frame (when it was said) first, else in its content."""
    expressions = find_time_expressions(text, sentence.start, max(sentence.end, draft.content[1]), published)
    in_frame = [e for e in expressions if not (draft.content[0] <= e.start < draft.content[1])]
    chosen = in_frame or expressions
    return (chosen[0].text, chosen[0].resolved) if chosen else (None, None)


def extract_claims(
    text: str,
    language: str | None,
    *,
    entities: Sequence[EntityMention] = (),
    published: date | None = None,
) -> tuple[Claim, ...]:
    """Attributed statements of a German or English article text, in text order (none for other languages)."""
    code = _language(text, language)
    if code is None:
        return ()  # only German and English have rules
    sentences = split_sentences(text)
    finder = find_english_drafts if code == "en" else find_german_drafts
    drafts = finder(text, sentences)
    identities = _identities(text, drafts, sentences, entities)
    claims = []
    for draft, identity in zip(drafts, identities, strict=True):
        content = Span(text[draft.content[0] : draft.content[1]], *draft.content)
        time_expression, time_resolved = _time(text, draft, sentences[draft.sentence], published)
        claims.append(
            Claim(
                content=content,
                kind=draft.kind,
                speaker=_span(text, draft.speaker),
                cue=_span(text, draft.cue),
                speaker_entity_id=identity.entity_id,
                speaker_name=identity.name,
                speaker_role=identity.role,
                speaker_organisation_id=identity.organisation_id,
                quantities=find_quantities(text, content.start, content.end, code),
                time_expression=time_expression,
                time_resolved=time_resolved,
                language=language or code,
            )
        )
    return tuple(claims)
