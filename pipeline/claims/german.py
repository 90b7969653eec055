"""German attributed statements: quotations, speech-act verbs, "laut/nach Angaben/zufolge", Konjunktiv.

Rules over tokens and clause boundaries (no parser). German main clauses put the finite verb
second: what stands before it (the prefield) is the speaker when it is a noun phrase
("Rutte sagte, ..."), otherwise the speaker follows the verb ("Am Montag sagte Rutte, ...",
"..., sagte Rutte."). The message is the clause on the other side of the frame's comma or
colon. Sentences in Konjunktiv I/II without a frame continue the last speaker's statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.claims.clauses import BOUNDARY_MARKS, ClauseView, claim_kind, drafts_at_verbs, token_chars
from pipeline.claims.draft import Draft
from pipeline.claims.german_phrases import (
    np_after,
    np_before,
    subject_before,
    with_apposition,
    with_leading_name,
)
from pipeline.claims.lexicon import (
    GERMAN_AUXILIARIES,
    GERMAN_DETERMINERS,
    GERMAN_KONJUNKTIV_I,
    GERMAN_KONJUNKTIV_II,
    GERMAN_PRONOUNS,
    GERMAN_SOURCE_NOUNS,
    GERMAN_SUBORDINATORS,
    GERMAN_VERB_FORMS,
)
from pipeline.claims.text import Sentence, words
from pipeline.models import ClaimKind

_RELATIVE = words("der die das dem den deren dessen welche welcher welches")
_OPINION_NOUNS = words("meinung ansicht auffassung einschätzung überzeugung")
# Clauses that are adverbial, not a message, before a post-posed frame ("Als er gefragt wurde, ...").
_ADVERBIAL_CLAUSE_OPENERS = words("als nachdem während bevor seit seitdem obwohl weil wenn falls sobald")
# How many sentences a speaker stays "current" for frame-less continuations.
_CARRY_DISTANCE = 2


def _particle_present(view: ClauseView, particle: str, verb: int, start: int, end: int) -> bool:
    last = end - 1
    while last > verb and view.tokens[last].text in {".", "!", "?"}:
        last -= 1
    return view.tokens[last].lower == particle or (verb > start and view.tokens[verb - 1].lower == particle)


def _content_before(view: ClauseView, frame_start: int) -> tuple[int, int] | None:
    """The message before a post-posed frame: the quotation just before it, else the sentence start."""
    tokens = view.tokens
    for index in (frame_start - 1, frame_start - 2):
        if index >= 0 and view.quoted[index]:
            quotation = next((q for q in view.speech if q.end == tokens[index].end), None)
            if quotation is not None:
                return quotation.start, quotation.end
    return view.span(0, frame_start)


def _post_posed_frame(
    view: ClauseView, start: int, verb: int, end: int
) -> tuple[tuple[int, int] | None, tuple[int, int] | None, tuple[int, int] | None]:
    """Speaker, message and cue when the cue verb opens a clause after a comma or quotation."""
    tokens = view.tokens
    last = view.last_word_index()
    words_after = end < len(tokens) and view.word_count(end + 1, last) > 0
    speaker: tuple[int, int] | None = None
    content: tuple[int, int] | None = None
    cue_span: tuple[int, int] | None = (tokens[verb].start, tokens[verb].end)
    opener = tokens[start].lower
    after = verb + 1
    if after < len(tokens) and (tokens[after].text in BOUNDARY_MARKS or tokens[after].lower == "dass"):
        # The subject stands before the comma: "Eva Roth (SPD), fragte, ob ..."
        speaker = subject_before(view, 0, start - 1)
        if speaker is not None and words_after:
            content = view.span(end + 1, last)
    else:
        # "..., sagte Rutte." / "..., so der Sprecher, ..."
        speaker = np_after(view, after, end)
        if speaker is None and view.quoted[start - 1] and tokens[after].lower in GERMAN_DETERMINERS:
            # "„...“, schrieb die in Köln geborene Autorin, ...": the whole noun phrase.
            speaker = (after, end)
        adverbial = tokens[0].lower in _ADVERBIAL_CLAUSE_OPENERS
        leading = np_after(view, 0, start)
        if leading is not None and leading[0] == 0 and with_apposition(view, leading)[1] >= start - 1:
            # "Der Landrat des Kreises, Tom Weiß, wies die Kritik zurück, ..."
            speaker, adverbial = with_apposition(view, leading), True
        if (speaker is None or adverbial) and words_after:
            # "John Kirby, sagte letzte Woche, dass ..." / "Als er ..., wies er darauf hin, dass ..."
            speaker = speaker or subject_before(view, 0, start - 1)
            content = view.span(end + 1, last)
        elif speaker is not None:
            speaker = with_apposition(view, speaker)
            content = _content_before(view, start)
            if speaker[1] < last and tokens[speaker[1]].text == "," and view.word_count(speaker[1], last):
                content = view.span(0, last)  # "..., so der Sprecher, ..." inside the message
        if opener == "so":
            cue_span = (tokens[start].start, tokens[verb].end)
    return speaker, content, cue_span


def _verb_draft(view: ClauseView, verb: int) -> tuple[Draft, int] | None:
    """The statement framed by the speech-act verb at ``verb`` and the clause end, or None."""
    tokens = view.tokens
    cues = GERMAN_VERB_FORMS.get(tokens[verb].text)
    if not cues or view.quoted[verb] or (verb > 0 and tokens[verb - 1].lower in GERMAN_DETERMINERS):
        return None  # "der bekannte Autor": an adjective, not "bekannte" (confessed)
    start, end = view.clause_start(verb), view.clause_end(verb)
    cue = next((c for c in cues if c.particle is None or _particle_present(view, c.particle, verb, start, end)), None)
    if cue is None:
        return None
    opener = tokens[start].lower
    relative = start > 0 and opener in _RELATIVE and not tokens[min(start + 1, verb)].is_capitalised
    if opener in GERMAN_SUBORDINATORS or relative:
        return None
    if start == 0 and verb == 1 and tokens[0].lower in {"dies", "das", "dieses"}:
        return None  # "Dies teilte der Minister mit.": the frame of the sentence before
    finite = next((k for k in range(start, verb) if tokens[k].lower in GERMAN_AUXILIARIES), verb)
    last = view.last_word_index()
    words_after = end < len(tokens) and view.word_count(end + 1, last) > 0
    cue_span: tuple[int, int] | None = (tokens[verb].start, tokens[verb].end)
    speaker: tuple[int, int] | None = None
    content: tuple[int, int] | None = None
    kind: ClaimKind = "indirect"
    if opener == "wie" and finite > start:
        # "Wie der Sprecher mitteilte, ..." / "..., wie der Sprecher mitteilte."
        speaker = np_after(view, start + 1, verb)
        content = view.span(end + 1, last) if start == 0 and words_after else view.span(0, start)
        kind = "reported"
    elif start > 0 and (finite == start or (opener == "so" and finite == start + 1)):
        speaker, content, cue_span = _post_posed_frame(view, start, verb, end)
    else:
        if finite > start and tokens[finite - 1].lower in {"und", "aber", "sowie"}:
            # "Die Ministerin lobte den Plan und gab bekannt, ...": the first verb's subject.
            speaker = np_after(view, start, finite)
        else:
            speaker = subject_before(view, start, finite)
        if speaker is not None and start > 1 and tokens[start - 1].text == ",":
            speaker = with_leading_name(view, speaker)
        if speaker is None:
            speaker = np_after(view, finite + 1, end)
        if words_after:
            content = view.span(end + 1, last)
        elif cue.reported and speaker is not None:
            # A summarised speech act: "Die Opposition forderte Neuwahlen." is the statement itself.
            content = view.span(start, len(tokens))
            cue_span = None
    if content is None:
        return None
    draft = Draft(
        content=content,
        kind=claim_kind(view, content, kind),
        sentence=view.sentence.index,
        speaker=token_chars(view, speaker),
        cue=cue_span,
    )
    return draft, end


def _source_after_nach(view: ClauseView, index: int) -> tuple[int, int] | None:
    """ "nach Angaben des Pentagons" -> the noun phrase "Angaben des Pentagons"."""
    found = np_after(view, index + 1, len(view.tokens))
    if found is None:
        return None
    # "nach Angaben der UN", "nach Polizeiangaben", "nach Müllers Idee": a source noun up front.
    if not any(t.lower.endswith(GERMAN_SOURCE_NOUNS) for t in view.tokens[found[0] : found[0] + 3]):
        return None
    return found


def _marker_drafts(view: ClauseView) -> list[Draft]:
    """Statements marked by a preposition or adverb: laut X, nach Angaben X, X zufolge, so X."""
    tokens = view.tokens
    drafts: list[Draft] = []
    for index, token in enumerate(tokens):
        if view.quoted[index]:
            continue
        lower = token.lower
        source: tuple[int, int] | None = None
        if lower in {"laut", "gemäß"}:
            source = np_after(view, index + 1, view.clause_end(index))
        elif lower == "nach":
            source = _source_after_nach(view, index)
            if source is None and index >= 2 and tokens[index - 1].lower in _OPINION_NOUNS:
                source = (index - 2, index)  # "seiner Meinung nach"
        elif lower == "zufolge":
            source = np_before(view, index, view.clause_start(index))
        elif lower == "so" and index > 0 and tokens[index - 1].text in {",", "–"}:
            # "..., so der Sprecher (weiter)." - a noun phrase right after "so", no verb between.
            first = tokens[index + 1] if index + 1 < len(tokens) else None
            if first is not None and (
                first.is_capitalised or first.lower in GERMAN_DETERMINERS or first.lower in GERMAN_PRONOUNS
            ):
                source = np_after(view, index + 1, view.clause_end(index))
        if source is None:
            continue
        draft = _marker_draft(view, index, with_apposition(view, source))
        if draft is not None:
            drafts.append(draft)
    return drafts


def _marker_draft(view: ClauseView, cue: int, source: tuple[int, int]) -> Draft | None:
    last = view.last_word_index()
    phrase_start, phrase_end = min(cue, source[0]), max(cue + 1, source[1])
    if phrase_start <= 1:
        content = view.span(phrase_end, last)
    elif view.tokens[phrase_start - 1].text in BOUNDARY_MARKS and phrase_end >= last:
        content = view.span(0, phrase_start - 1)
    else:
        content = view.span(0, last)
    if content is None:
        return None
    return Draft(
        content=content,
        kind=claim_kind(view, content, "reported"),
        sentence=view.sentence.index,
        speaker=token_chars(view, source),
        cue=(view.tokens[cue].start, view.tokens[cue].end),
    )


def _colon_quote(view: ClauseView) -> Draft | None:
    """ "Der Trainer ...: „Wir geben nicht auf!“" -> the quotation, spoken by the opening subject."""
    tokens = view.tokens
    for index, token in enumerate(tokens[:-1]):
        if token.text == ":" and not view.quoted[index] and view.quoted[index + 1]:
            subject = np_after(view, 0, index)
            subject = with_apposition(view, subject) if subject is not None else None
            quotation = next(q for q in view.speech if q.start == tokens[index + 1].start)
            if subject is None or subject[0] != 0:
                return None
            return Draft(
                content=(quotation.start, quotation.end),
                kind="direct",
                sentence=view.sentence.index,
                speaker=token_chars(view, subject),
            )
    return None


def _continuation(view: ClauseView, previous: Draft | None) -> Draft | None:
    """A frame-less sentence: a quotation or Konjunktiv going on with the previous speaker."""
    recent = (
        previous is not None
        and previous.speaker is not None
        and view.sentence.index - previous.sentence <= _CARRY_DISTANCE
    )
    speaker = previous.speaker if recent and previous is not None else None
    tokens = view.tokens
    outside = [t.text for t, quoted in zip(tokens, view.quoted, strict=True) if not quoted]
    if sum(view.quoted) >= 0.6 * len(tokens):
        if speaker is None:
            return None
        content: tuple[int, int] = (view.speech[0].start, view.speech[-1].end)
        kind: ClaimKind = "direct"
    elif _reported_mood(outside, has_speaker=speaker is not None) or _hearsay_sollen(view):
        content = (tokens[_reported_clause_start(view)].start, tokens[-1].end)
        kind = "indirect"
    else:
        return None
    return Draft(content, kind, view.sentence.index, speaker=speaker, carried=speaker is not None)


def _reported_mood(words_outside: Sequence[str], *, has_speaker: bool) -> bool:
    """Konjunktiv I marks reported speech; Konjunktiv II only right after a known speaker."""
    if any(word in GERMAN_KONJUNKTIV_I for word in words_outside) and not _first_person(words_outside):
        return True
    return has_speaker and any(word in GERMAN_KONJUNKTIV_II for word in words_outside)


def _reported_clause_start(view: ClauseView) -> int:
    """Where a frame-less report starts: after an indicative lead-in ending in ":" or ", dass"."""
    tokens = view.tokens
    for boundary in view.boundaries:
        if view.quoted[boundary] or boundary + 1 >= len(tokens):
            continue
        lead_in = [t.text for t in tokens[:boundary]]
        if any(word in GERMAN_KONJUNKTIV_I or word in GERMAN_KONJUNKTIV_II for word in lead_in):
            return 0
        if tokens[boundary].text == ":" or tokens[boundary + 1].lower == "dass":
            return boundary + 1
    return 0


def _hearsay_sollen(view: ClauseView) -> bool:
    """Evidential "sollen" with a perfect infinitive: "Der Brand soll gelegt worden sein."."""
    tokens = view.tokens
    for index, token in enumerate(tokens):
        if token.text not in {"soll", "sollen"} or view.quoted[index]:
            continue
        end = view.clause_end(index)
        last = end - 1
        while last > index and tokens[last].text in {".", "!", "?"}:
            last -= 1
        if last - 1 > index and tokens[last].text in {"sein", "haben"}:
            participle = tokens[last - 1].text
            if participle.startswith("ge") or participle.endswith(("iert", "worden")) or participle == "worden":
                return True
    return False


def _first_person(words: Sequence[str]) -> bool:
    """ "ich habe", "ich werde": the -e form is then indicative, not Konjunktiv I."""
    return any(word in {"ich", "Ich"} for word in words)


def _demonstrative_frame(view: ClauseView, previous_sentence: tuple[int, int] | None) -> Draft | None:
    """ "Dies teilte das Ministerium mit." reports the sentence before it."""
    tokens = view.tokens
    if previous_sentence is None or len(tokens) < 3 or tokens[0].lower not in {"dies", "das", "dieses"}:
        return None
    cues = GERMAN_VERB_FORMS.get(tokens[1].text)
    if not cues:
        return None
    end = view.clause_end(1)
    if not any(c.particle is None or _particle_present(view, c.particle, 1, 0, end) for c in cues):
        return None
    speaker = np_after(view, 2, end)
    return Draft(
        content=previous_sentence,
        kind="indirect",
        sentence=view.sentence.index,
        speaker=token_chars(view, speaker),
        cue=(tokens[1].start, tokens[1].end),
    )


def find_german_drafts(text: str, sentences: Sequence[Sentence]) -> list[Draft]:
    """Attributed statements of a German text, sentence by sentence."""
    drafts: list[Draft] = []
    previous: Draft | None = None
    previous_span: tuple[int, int] | None = None
    for sentence in sentences:
        view = ClauseView.of(text, sentence)
        found = drafts_at_verbs(view, lambda clause, verb, _: _verb_draft(clause, verb))
        found.extend(_marker_drafts(view))
        if not found:
            colon = _colon_quote(view)
            if colon is not None:
                found.append(colon)
        if not found:
            demonstrative = _demonstrative_frame(view, previous_span)
            if demonstrative is not None:
                found.append(demonstrative)
        if not found:
            carried = _continuation(view, previous)
            if carried is not None:
                found.append(carried)
        drafts.extend(found)
        previous_span = (sentence.start, sentence.end)
        with_speaker = [draft for draft in found if draft.speaker is not None]
        if with_speaker:
            previous = with_speaker[-1]
    return drafts
