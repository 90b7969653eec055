"""English attributed statements: quotations, speech-act verbs, "according to".

Rules over tokens and clause boundaries (no parser). English keeps subject-verb order, so the
speaker is the noun phrase before the cue ("Rutte said ...") except in the quotative inversion
after the message ('"...," said Rutte.'). The message is what the verb governs ("said (that)
...", 'told reporters: "..."') or, when the frame comes last, everything before it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.claims.clauses import BOUNDARY_MARKS, QUOTE_MARKS, ClauseView, claim_kind, drafts_at_verbs, token_chars
from pipeline.claims.draft import Draft
from pipeline.claims.lexicon import ENGLISH_SUBORDINATORS, ENGLISH_VERB_FORMS
from pipeline.claims.text import ABBREVIATIONS, Sentence, words

_LEADING = words("but and so yet or also then still now however meanwhile later instead")
_TRAILING = words(
    """
    has have had also would will could did does do not never previously later recently
    repeatedly once then just already often frequently again has been is was were are who
    simply flatly publicly privately quickly subsequently ultimately didn't didn’t doesn't
    doesn’t don't don’t hasn't hasn’t haven't haven’t won't won’t wouldn't wouldn’t may might
    should must can cannot can't can’t reportedly allegedly
    """
)
# Words after a post-posed frame verb that do not start the speaker ('..., said Tuesday').
_AFTER_VERB_SKIP = words("on in at during last this yesterday today tuesday monday wednesday thursday friday")
_NP_STOPS = words(
    """
    on in at during to that in about of for with after before when while as because if
    yesterday today tonight recently earlier later last this who which ,
    """
)
_FULL_STOPS = frozenset({".", "!", "?"})
_WEEKDAYS = words("monday tuesday wednesday thursday friday saturday sunday")
_ADDRESSEE_VERBS = words("told tell tells telling asked ask asks asking")
_PRONOUNS = words("he she they it i we you")
_QUOTE_FRAME_WORDS = 6  # a post-posed frame ("Rutte said in a statement") is short
_COLON_LEAD_IN = 8  # 'The mayor on the radio: "..."'
_HEADLINE_NAME = 4  # "Mayor Lee:", "THE CHAIR:"
_ADJUNCT_WORDS = 14  # "said in an interview with a local radio station on Monday that ..."


def _subject(view: ClauseView, first: int, verb: int) -> tuple[int, int] | None:
    """The subject before the verb: the clause's prefield without conjunctions and auxiliaries."""
    tokens = view.tokens
    while first < verb and (
        tokens[first].lower in _LEADING or tokens[first].text in BOUNDARY_MARKS or tokens[first].text in QUOTE_MARKS
    ):
        first += 1
    stop = verb
    while stop > first and (tokens[stop - 1].lower in _TRAILING or tokens[stop - 1].lower in _WEEKDAYS):
        stop -= 1
        if stop > first and tokens[stop].lower in _WEEKDAYS and tokens[stop - 1].lower == "on":
            stop -= 1  # "The governor on Friday said"
    # "The council delayed the vote because they said ...": the subject of the last clause.
    for index in range(stop - 1, first, -1):
        if tokens[index].lower in ENGLISH_SUBORDINATORS or tokens[index].lower in {"because", "and", "but"}:
            if tokens[index].lower in {"and", "but"} and index == stop - 1:
                return _leading_name(view, first, index)  # "Lee criticised the plan and said"
            if tokens[index].lower not in {"and", "but"}:
                first = index + 1
            break
    if stop <= first or stop - first > 14 or any(view.quoted[first:stop]):
        return None
    if tokens[first].lower in ENGLISH_SUBORDINATORS:
        return None
    return first, stop


def _leading_name(view: ClauseView, first: int, stop: int) -> tuple[int, int] | None:
    """The capitalised name (or pronoun) opening a clause: "Lee criticised the plan and said"."""
    tokens = view.tokens
    if tokens[first].lower in _PRONOUNS:
        return first, first + 1
    index = first
    while index < stop and (tokens[index].is_capitalised or _is_abbreviation_dot(view, index)):
        index += 1
    return (first, index) if index > first else None


def _is_abbreviation_dot(view: ClauseView, index: int) -> bool:
    """The dot of "Mr." or of an initial ("Ann B. Lee"), which does not end a name."""
    tokens = view.tokens
    if tokens[index].text != "." or index == 0 or index + 1 >= len(tokens):
        return False
    before = tokens[index - 1].text
    return (len(before) == 1 and before.isupper()) or before.lower() in ABBREVIATIONS


def _np_after(view: ClauseView, index: int, limit: int) -> tuple[int, int] | None:
    """The speaker after a post-posed verb: '"...," said Sue Smith, 62.' -> "Sue Smith"."""
    tokens = view.tokens
    while index < limit and tokens[index].lower in _AFTER_VERB_SKIP:
        index += 1
    if index < limit and tokens[index].lower in _PRONOUNS:
        return index, index + 1
    start = index
    while index < limit and tokens[index].lower not in _NP_STOPS:
        if tokens[index].text in _FULL_STOPS and not _is_abbreviation_dot(view, index):
            break
        index += 1
    return (start, index) if index > start else None


def _complement_start(view: ClauseView, first: int, end: int) -> int:
    """Where the message after the verb starts: at "that" or a quotation after a short adjunct."""
    tokens = view.tokens
    for index in range(first, min(len(tokens), first + _ADJUNCT_WORDS)):
        if tokens[index].lower == "that" or (view.quoted[index] and index > first):
            if all(not view.quoted[k] for k in range(first, index)):
                return index
            break
    while first < len(tokens) and tokens[first].text in {":", ","} and not view.quoted[first]:
        first += 1
    return first


def _with_apposition(view: ClauseView, speaker: tuple[int, int] | None) -> tuple[int, int] | None:
    """'said Ann Lee, a former aide to the governor.': the apposition belongs to the speaker."""
    if speaker is None:
        return None
    tokens = view.tokens
    stop = speaker[1]
    last = view.last_word_index()
    while stop < last and tokens[stop].text == "," and stop + 1 < last:
        following = tokens[stop + 1]
        if view.quoted[stop + 1] or following.lower.endswith("ing") or following.lower in _NP_STOPS - {"who"}:
            break
        next_stop = view.clause_end(stop + 1)
        stop = min(next_stop, last)
    return speaker[0], stop


def _verb_draft(
    view: ClauseView, verb: int, earlier_speaker: tuple[int, int] | None = None
) -> tuple[Draft, int] | None:
    """The statement framed by the cue verb at ``verb``, and where the search goes on."""
    tokens = view.tokens
    cue = ENGLISH_VERB_FORMS.get(tokens[verb].text)
    if cue is None or view.quoted[verb]:
        return None
    start, end = view.clause_start(verb), view.clause_end(verb)
    last = view.last_word_index()
    cue_span = (tokens[verb].start, tokens[verb].end)
    inherited: tuple[int, int] | None = None  # a speaker span taken over from the sentence's frame
    before_words = view.word_count(0, start)
    clause_words_after = view.word_count(verb + 1, end)
    rest_after = view.word_count(end, last) if end < len(tokens) else 0
    after_quotation = start > 0 and (view.quoted[start - 1] or (start > 1 and view.quoted[start - 2]))
    followed_by_that = verb + 1 < len(tokens) and tokens[verb + 1].lower == "that"
    participle = verb == start and tokens[verb].lower.endswith("ing")
    post_posed = clause_words_after <= _QUOTE_FRAME_WORDS and not rest_after and not followed_by_that
    post_posed = post_posed and not participle
    if start > 0 and before_words and (post_posed or after_quotation):
        # '"...," Rutte said.' / '..., said Rutte.'
        subject = _subject(view, start, verb)
        speaker = subject if subject is not None else _with_apposition(view, _np_after(view, verb + 1, end))
        content = view.span(0, start)
    else:
        if start > 0 and tokens[start].lower in ENGLISH_SUBORDINATORS:
            return None
        subject = _subject(view, start, verb)
        if start > 1 and verb == start and tokens[start - 1].text == ",":
            subject = _subject(view, 0, start - 1)  # "Ann Lee, a city planner, said ..."
        speaker = subject if subject is not None else _np_after(view, verb + 1, end)
        if participle and earlier_speaker is not None:
            # '..., he said, adding that ...': the participle's subject is the sentence's speaker.
            speaker, inherited = (verb, verb), earlier_speaker
        first = verb + 1
        if tokens[verb].lower in _ADDRESSEE_VERBS:
            # "told reporters (that) ...": skip the addressee up to "that", a colon or a quote.
            while first < len(tokens) and not (
                tokens[first].lower == "that" or tokens[first].text in {":", ","} or view.quoted[first]
            ):
                first += 1
        first = _complement_start(view, first, end)
        if speaker is None or view.word_count(first, last) == 0:
            return None
        content = view.span(first, last)
        end = len(tokens)
    if content is None:
        return None
    speaker_chars = inherited if inherited is not None else token_chars(view, speaker)
    draft = Draft(content, claim_kind(view, content), view.sentence.index, speaker_chars, cue_span)
    return draft, end


def _verb_draft_after(view: ClauseView, verb: int, before: Sequence[Draft]) -> tuple[Draft, int] | None:
    """A statement at ``verb``; a pronoun subject may take the speaker of the statement before."""
    return _verb_draft(view, verb, before[-1].speaker if before else None)


def _according_to(view: ClauseView) -> list[Draft]:
    tokens = view.tokens
    drafts = []
    for index in range(len(tokens) - 1):
        if tokens[index].lower != "according" or tokens[index + 1].lower != "to" or view.quoted[index]:
            continue
        end = view.clause_end(index)
        source = _np_after(view, index + 2, end)
        last = view.last_word_index()
        if index == 0 or (index > 0 and tokens[index - 1].text in BOUNDARY_MARKS and index <= 2):
            content = view.span(end, last) if end < last else None
        elif tokens[index - 1].text in BOUNDARY_MARKS and end >= last:
            content = view.span(0, index - 1)
        else:
            content = view.span(0, last)
        if content is None:
            continue
        cue = (tokens[index].start, tokens[index + 1].end)
        drafts.append(Draft(content, "reported", view.sentence.index, token_chars(view, source), cue))
    return drafts


def _colon_quote(view: ClauseView) -> Draft | None:
    """'The mayor on the radio: "..."' - a short lead-in before a colon and a quotation."""
    tokens = view.tokens
    for index, token in enumerate(tokens[:-1]):
        if token.text != ":" or view.quoted[index]:
            continue
        if index == 0 or index > _COLON_LEAD_IN:
            return None
        if view.quoted[index + 1]:
            quotation = next(q for q in view.speech if q.start == tokens[index + 1].start)
            lead_in = _np_after(view, 0, index)
            return Draft((quotation.start, quotation.end), "direct", view.sentence.index, token_chars(view, lead_in))
        speaker = _leading_name(view, 0, index)
        if speaker is None or speaker[1] != index or index > _HEADLINE_NAME:
            return None
        # A headline or transcript line: "Lee: Council Will Cut Bus Fares."
        content = view.span(index + 1, view.last_word_index())
        if content is None:
            return None
        return Draft(content, "indirect", view.sentence.index, token_chars(view, speaker))
    return None


def _continues_quote(view: ClauseView, previous: Draft | None) -> bool:
    if previous is None or previous.kind != "direct":
        return False
    return view.sentence.index - previous.sentence == 1 and sum(view.quoted) >= 0.9 * len(view.tokens)


def find_english_drafts(text: str, sentences: Sequence[Sentence]) -> list[Draft]:
    """Attributed statements of an English text, sentence by sentence."""
    drafts: list[Draft] = []
    previous: Draft | None = None
    previous_paragraph = -1
    for sentence in sentences:
        view = ClauseView.of(text, sentence)
        if sentence.paragraph == previous_paragraph and _continues_quote(view, previous):
            # '"A," the mayor said. "B."': one statement in two quotations.
            assert previous is not None
            merged = Draft(
                (previous.content[0], sentence.end), "direct", sentence.index, previous.speaker, previous.cue
            )
            drafts[-1] = merged
            previous = merged
            continue
        found = drafts_at_verbs(view, _verb_draft_after)
        found.extend(_according_to(view))
        if not found:
            colon = _colon_quote(view)
            if colon is not None:
                found.append(colon)
        drafts.extend(found)
        previous = found[-1] if found else None
        previous_paragraph = sentence.paragraph
    return drafts
