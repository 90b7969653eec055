"""Word lists the matcher needs: common words that must never be read as names, and determiners.

A single-word alias that is also a common German or English word ("Die", "Mark", "Union",
"us") would link every occurrence of the word; the knowledge-base loader refuses such aliases
unless they are upper-case acronyms matched case-sensitively ("US", "WHO"). Names in one
language that are a common word in the other ("Island", German for Iceland) are only matched
in text of their own language. The lists are deliberately short: function words, pronouns,
and the capitalised nouns that news text most often shares with names.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


COMMON_WORDS_EN: frozenset[str] = _words(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up us very was we
    were what when where which while who whom why will with would you your yours yourself
    yourselves may might must shall one two three new old first last man men woman women people
    mark bill will may june april august art chance chase rose grant bush cook may hope faith
    joy rich white black brown green young king queen pope general major court state states
    union party bank house office island
    said says say told tell news report reports week day year today time times world
    """
)

COMMON_WORDS_DE: frozenset[str] = _words(
    """
    der die das des dem den ein eine einer eines einem einen und oder aber doch sondern denn
    nicht kein keine keiner keines keinem keinen ich du er sie es wir ihr man mich dich sich
    uns euch ihm ihn ihnen mein dein sein unser euer im in am an auf aus bei mit nach seit von
    vor zu zum zur um durch für gegen ohne über unter neben zwischen hinter als wie wenn weil
    dass ob so auch noch nur schon sehr mehr ist sind war waren wird werden wurde wurden hat
    haben hatte hatten sei seien kann können soll sollen will wollen muss müssen darf dürfen
    hier dort heute gestern morgen jahr jahre woche tag tage zeit welt land länder staat staaten
    bund union rat regierung kommission partei bank haus amt stern spiegel bild post bahn mark
    kanzler präsident minister sprecher chef general armee polizei gericht presse
    nord süd ost west mitte neu alt erste letzte alle viele andere ende anfang
    """
)

COMMON_WORDS: dict[str, frozenset[str]] = {"en": COMMON_WORDS_EN, "de": COMMON_WORDS_DE}
ALL_COMMON_WORDS: frozenset[str] = COMMON_WORDS_EN | COMMON_WORDS_DE

# Determiners stripped from the front of NER spans ("the White House" -> "White House").
DETERMINERS: frozenset[str] = _words("the a an der die das des dem den ein eine einer eines einem einen")

# Words that introduce the organisation of a role: "Sprecherin des Pentagons", "head of the UN".
ROLE_LINKERS: frozenset[str] = _words("des der of")
ROLE_LINKER_FILLERS: frozenset[str] = _words("the")
