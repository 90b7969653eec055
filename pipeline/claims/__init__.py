"""Attributed claims ("who said what") in German and English news text; docs/claims.md.

extract.py         extract_claims(text, language, entities=..., published=...) -> tuple[Claim, ...]
german.py          German finder: quotations, speech-act verbs, "laut/zufolge", Konjunktiv
english.py         English finder: quotations, speech-act verbs, "according to"
german_phrases.py  German speaker phrases without a parser
clauses.py         clause boundaries, quoted tokens and the verb scan both finders share
lexicon.py         word lists of the finders
draft.py           a finder's result: offsets only
speakers.py        who a speaker span is (name, role, entity, organisation, pronouns)
quantities.py      the numbers of a claim; timex.py its time expression
text.py            paragraphs, sentences, tokens and quotations with offsets
similarity.py      claim_similarity and speaker_key, for grouping claims across articles
clusters.py        claim clusters in the index and their timelines (``newshound claims``)
"""
