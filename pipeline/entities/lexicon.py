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

# Words that statistical NER sometimes labels as a name but that never are one on their own:
# weekdays, months, compass points, weather words, greetings ("Breezy" in a forecast as a
# person, "Northwest" as an organisation). Dropped when a NER span consists of one of them.
GENERIC_NAME_WORDS: frozenset[str] = _words(
    """
    monday tuesday wednesday thursday friday saturday sunday
    montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag
    january february march april may june july august september october november december
    januar februar märz mai juni juli oktober dezember
    north south east west northeast northwest southeast southwest northern southern eastern western
    nord süd ost west nordost nordwest südost südwest nordwesten nordosten südwesten südosten
    norden süden osten westen
    breezy windy sunny cloudy rainy snowy foggy stormy mild warm cold hot chilly humid dry wet
    partly mostly showers thunderstorms
    hello hi thanks thank please yes no okay ok mr mrs ms dr sir madam herr frau
    """
)

# Courtesy and academic titles stripped from the front of a NER name ("Dr. Anna Weber").
NAME_TITLES: frozenset[str] = _words(
    "mr mrs ms miss dr prof sir dame lord lady herr frau fräulein doktor professor mme mlle monsieur madame"
)

# Head words that say what kind of name a name is, whatever the model labelled it: "Hancock
# Pond" is a place, "Stadtwerke Gelsenkirchen" and "Bank of England" organisations. Matched on
# the last word of a name, the word before "of"/"der"/"des", or (German) as the end of a closed
# compound ("Energieversorgungsgesellschaft").
ORGANISATION_HEADS: dict[str, frozenset[str]] = {
    "en": _words(
        """
        inc corp corporation co company companies ltd llc plc group holdings bank university college
        school institute association society council committee commission party league club union
        federation foundation agency ministry department airlines airways railway railroad press
        times news post journal herald gazette tribune records studios band orchestra fc academy
        corps army navy government parliament senate assembly court
        """
    ),
    "de": _words(
        """
        gmbh ag kg se verein verband partei bank universität hochschule institut gesellschaft stiftung
        ministerium amt gericht konzern werke stadtwerke zeitung rundfunk fc sv gruppe holding
        bundesamt landesamt behörde kommission rat akademie
        """
    ),
}
LOCATION_HEADS: dict[str, frozenset[str]] = {
    "en": _words(
        """
        river lake pond brook creek mountain mountains mount mt hill hills valley bay island islands
        isle peninsula street road avenue boulevard square bridge county township village province
        district region airport harbor harbour forest desert ocean sea gulf strait canal dock beach
        coast falls springs cave glacier
        """
    ),
    "de": _words(
        """
        straße strasse platz see fluss berg gebirge tal insel kreis landkreis bezirk hafen flughafen
        bahnhof allee brücke
        """
    ),
}

# Lower-case words that belong to names ("Ursula von der Leyen", "Leonardo da Vinci", "Osama bin Laden").
NAME_PARTICLES: frozenset[str] = _words(
    "von vom van der den de del della di da dos das du la le al el bin ibn zu ten ter y"
)
