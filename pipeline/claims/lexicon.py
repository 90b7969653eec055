"""Word lists of the claim finders: speech-act cues, source nouns, roles, pronouns, Konjunktiv forms.

Written by hand from German and English grammar (not taken from any annotated corpus). They are
Python data rather than files so that they ship with the package without package-data rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.claims.text import words


@dataclass(frozen=True, slots=True)
class VerbCue:
    """A form of a speech-act verb; ``particle`` must follow in the clause ("teilte ... mit")."""

    lemma: str
    particle: str | None
    reported: bool  # a summary of a speech act whose object is the message ("forderte X")


# German speech-act verbs. Line format: "lemma[/particle][*]: separated forms | joined forms".
# Separated forms need the particle later in the clause; joined forms (subordinate clauses,
# participles) carry it. "*" marks verbs whose object is the message ("forderte Neuwahlen").
_GERMAN_VERBS = """
sagen: sagt sagte sagten sagen sage gesagt sagend
erklären: erklärt erklärte erklärten erklären erkläre erklärend
betonen: betont betonte betonten betonen betone
behaupten: behauptet behauptete behaupteten behaupten behaupte
meinen: meint meinte meinten meinen
mitteilen/mit: teilt teilte teilten teilen | mitteilt mitteilte mitteilten mitgeteilt mitteilen
hinzufügen/hinzu: fügt fügte fügten | hinzufügte hinzugefügt
ankündigen/an*: kündigt kündigte kündigten kündigen | ankündigte ankündigten angekündigt
bekanntgeben/bekannt: gibt gab gaben gegeben | bekanntgab bekanntgegeben
angeben/an: gibt gab gaben | angab angaben angegeben
bestätigen: bestätigt bestätigte bestätigten bestätigen
warnen: warnt warnte warnten warnen gewarnt
einräumen/ein: räumt räumte räumten | einräumte eingeräumt
berichten: berichtet berichtete berichteten berichten
melden: meldet meldete meldeten gemeldet
schreiben: schreibt schrieb schrieben geschrieben
verkünden*: verkündet verkündete verkündeten verkündet
erläutern: erläutert erläuterte erläuterten
ausführen/aus: führt führte führten | ausführte ausgeführt
hinweisen/hin: weist wies wiesen | hinwies hingewiesen
verweisen/darauf: verweist verwies verwiesen
versichern: versichert versicherte versicherten
bekräftigen: bekräftigt bekräftigte bekräftigten
unterstreichen: unterstreicht unterstrich unterstrichen
beklagen: beklagt beklagte beklagten
bedauern: bedauert bedauerte bedauerten
bestreiten: bestreitet bestritt bestritten
dementieren: dementiert dementierte dementierten
zurückweisen/zurück*: weist wies wiesen | zurückwies zurückgewiesen
vorwerfen/vor*: wirft warf warfen | vorwarf vorgeworfen
kritisieren*: kritisiert kritisierte kritisierten kritisieren
fordern*: fordert forderte forderten fordern gefordert
verlangen*: verlangt verlangte verlangten
vermuten: vermutet vermutete vermuteten vermuten
glauben: glaubt glaubte glaubten
befürchten: befürchtet befürchtete befürchteten befürchten
hoffen: hofft hoffte hofften
schätzen: schätzt schätzte schätzten
annehmen/an: nimmt nahm nahmen | annahm angenommen
ausgehen/aus: geht ging gingen | ausging ausgegangen
antworten: antwortet antwortete antworteten
entgegnen: entgegnet entgegnete entgegneten
ergänzen: ergänzt ergänzte ergänzten
mahnen: mahnt mahnte mahnten
fragen: fragt fragte fragten fragen
zitieren: zitiert
bezeichnen*: bezeichnet bezeichnete bezeichneten
nennen*: nennt nannte nannten
feststellen/fest: stellt stellte stellten | feststellte festgestellt
begründen: begründet begründete begründeten
bekennen: bekennt bekannte bekannten
beteuern: beteuert beteuerte beteuerten
erinnern: erinnert erinnerte erinnerten
prognostizieren: prognostiziert prognostizierte
twittern: twitterte twittert
verraten: verriet verrät
zugeben/zu: gibt gab gaben | zugab zugegeben
beschließen*: beschloss beschlossen
entscheiden: entschied entschieden
heißen: heißt hieß
lauten: lautet lautete
äußern: äußert äußerte äußerten geäußert
kommentieren: kommentiert kommentierte kommentierten
argumentieren: argumentiert argumentierte argumentierten
urteilen: urteilt urteilte urteilten
"""

# Nouns after "nach" that name a source: "nach Angaben des Pentagons", "nach Polizeiangaben".
GERMAN_SOURCE_NOUNS = (
    "angaben",
    "informationen",
    "berichten",
    "aussagen",
    "aussage",
    "ansicht",
    "auffassung",
    "meinung",
    "einschätzung",
    "schätzungen",
    "schätzung",
    "darstellung",
    "worten",
    "erkenntnissen",
    "ermittlungen",
    "berechnungen",
    "zählung",
    "zählungen",
    "umfrage",
    "studie",
    "mitteilung",
    "meldungen",
    "meldung",
    "bericht",
    "vorstellung",
    "überzeugung",
    "zeugenaussagen",
    "recherchen",
    "daten",
    "zahlen",
    "prognosen",
    "prognose",
    "medienberichten",
    "presseberichten",
    "erkenntnisstand",
    "kenntnisstand",
    "idee",
    "vorstellungen",
    "wunsch",
    "willen",
    "sicht",
    "expertenmeinung",
    "polizeiangaben",
)

# Konjunktiv I: in a main clause it marks reported speech on its own ("Nordkorea habe ...").
GERMAN_KONJUNKTIV_I = words(
    """
    sei seien seiest habe werde könne müsse solle wolle dürfe möge gebe bleibe liege stehe gehe
    komme handele handle fehle brauche lasse sehe trage finde gelte führe mache zeige diene wisse
    bestehe hänge heiße arbeite plane
    """
)
# Konjunktiv II: also counterfactual, so it continues a statement only right after its speaker.
GERMAN_KONJUNKTIV_II = words("hätte hätten würde würden wäre wären könnten müssten sollten dürften")

GERMAN_AUXILIARIES = words(
    """
    hat hatte hatten haben habe hätte ist war sind waren wird wurde wurden werden will wollte soll
    sollte sollen wollen wollten kann konnte konnten können muss musste mussten müssen darf durfte
    durften möchte möchten
    """
)

GERMAN_DETERMINERS = words(
    """
    der die das des dem den ein eine einer eines einem einen sein seine seiner seines seinem
    seinen ihr ihre ihrer ihres ihrem ihren dessen deren dieser diese dieses diesem diesen jener
    jene mehrere viele einige zwei drei vier fünf beide beiden alle andere anderen unser unsere
    weitere weiterer zahlreiche manche mancher
    """
)

# Conjunctions that open a subordinate clause: the content of "sagte, dass ..." starts after them.
GERMAN_SUBORDINATORS = words("dass ob weil wenn nachdem als obwohl damit bevor sodass falls während")
ENGLISH_SUBORDINATORS = words("that if whether because although though when while since unless whom which who")

GERMAN_PRONOUNS = words("er sie es man wir ich ihr du dieser diese jener letzterer letztere")

# Words that end a speaker noun phrase going right ("sagte Rutte am Montag", "... gegenüber X").
GERMAN_NP_STOPS = words(
    """
    am im in an auf bei gegenüber nach vor mit zu zum zur über für aus seit während unter dass ob
    wie weil und oder aber doch jedoch denn sondern als wenn da damit so heute gestern morgen
    bereits noch auch zudem außerdem dazu dabei weiter ferner ebenfalls nun jetzt später zuvor
    damals allerdings hingegen dagegen indes erneut wiederum nämlich deshalb daher darum zuletzt
    kürzlich inzwischen mittlerweile nicht nur schon sich es letzte letzten vergangene vergangenen
    kommende kommenden nächste nächsten
    """
)

# Words a clause can open with that are not its subject ("Am Montag sagte X", "Dazu erklärte X").
GERMAN_ADVERBIAL_OPENERS = words(
    """
    am im in an auf bei gegenüber nach vor mit zu zum zur über für aus seit während unter um dazu
    dabei außerdem zudem heute gestern morgen bereits später zuvor damals jetzt nun dann daraufhin
    deshalb daher darum zuletzt kürzlich inzwischen weiter ferner so auch ebenfalls gleichzeitig
    zugleich allerdings jedoch dennoch trotzdem hierzu dort hier anschließend zunächst zuerst
    schließlich letztlich bislang bisher immer nach wie als wegen trotz angesichts laut gemäß
    anlässlich ebenso vorher danach davor demnach insgesamt vergangene vergangenen letzte letzten
    """
)

GERMAN_ROLES = words(
    """
    sprecherin sprecher ministerin minister präsidentin präsident kanzlerin kanzler
    generalsekretärin generalsekretär sekretärin sekretär vorsitzende vorsitzender chefin chef
    direktorin direktor leiterin leiter bürgermeisterin bürgermeister abgeordnete abgeordneter
    botschafterin botschafter beraterin berater kommandeur kommandant generalin general
    staatssekretärin staatssekretär expertin experte analystin analyst professorin professor
    beamtin beamte beamter kommissarin kommissar gouverneurin gouverneur senatorin senator
    premierministerin premierminister regierungschefin regierungschef managerin manager gründerin
    gründer anwältin anwalt richterin richter ermittler ermittlerin polizeichef außenministerin
    außenminister verteidigungsministerin verteidigungsminister bischöfin bischof papst könig
    königin prinz fürst oberst admiral diplomat diplomatin vertreterin vertreter mitglied
    ärztin arzt funktionär funktionärin koordinatorin koordinator reporterin reporter korrespondentin
    korrespondent journalistin journalist
    """
)

ENGLISH_ROLES = words(
    """
    spokeswoman spokesman spokesperson minister president secretary senator governor chairman
    chairwoman chair director chief official officials adviser advisor ambassador general mayor
    representative rep leader ceo professor analyst strategist aide aides manager commissioner
    attorney lawyer judge prosecutor sheriff pollster economist candidate nominee congressman
    congresswoman lawmaker spokespeople founder executive correspondent reporter editor chancellor
    premier king queen pope bishop colonel commander admiral diplomat
    """
)

# English speech-act verbs: lemma, then its forms (the lemma itself too unless a ":" follows it,
# for verbs whose bare form is mostly a noun: "the state", "a tweet"). "*": message is the object.
_ENGLISH_VERBS = """
say says said saying
tell tells told telling
add adds added adding
claim: claims claimed claiming
state: stated stating
announce* announces announced announcing
write writes wrote writing written
note: notes noted noting
argue argues argued arguing
explain explains explained explaining
insist insists insisted insisting
suggest suggests suggested suggesting
warn warns warned warning
acknowledge acknowledges acknowledged acknowledging
admit admits admitted admitting
report reports reported reporting
tweet: tweeted tweeting
declare declares declared declaring
continue: continued
believe believes believed believing
think thinks thought thinking
contend contends contended contending
assert asserts asserted asserting
predict predicts predicted predicting
reply replies replied replying
respond responds responded responding
conclude concludes concluded concluding
recall recalls recalled recalling
testify testifies testified testifying
confirm confirms confirmed confirming
deny denies denied denying
allege alleges alleged alleging
maintain maintains maintained maintaining
point: pointed
promise* promises promised promising
vow* vows vowed vowing
pledge* pledges pledged pledging
ask asks asked asking
call*: calls called calling
accuse* accuses accused accusing
praise* praises praised praising
criticize* criticizes criticized criticizing
urge* urges urged urging
show: shows showed shown
find: finds found
estimate estimates estimated estimating
indicate indicates indicated indicating
joke jokes joked joking
mention mentions mentioned mentioning
complain complains complained complaining
describe* describes described describing
fear fears feared fearing
hope: hopes hoped
expect expects expected expecting
feel feels felt feeling
know: knows knew
worry worries worried worrying
agree agrees agreed agreeing
emphasize emphasizes emphasized emphasizing
stress stresses stressed stressing
observe observes observed observing
"""


def _parse_german_verbs() -> dict[str, tuple[VerbCue, ...]]:
    forms: dict[str, tuple[VerbCue, ...]] = {}
    for line in _GERMAN_VERBS.strip().splitlines():
        head, _, rest = line.partition(":")
        reported = head.endswith("*")
        lemma, _, particle = head.rstrip("*").partition("/")
        separated, _, joined = rest.partition("|")
        for form in separated.split():
            forms[form] = (*forms.get(form, ()), VerbCue(lemma, particle or None, reported))
        for form in joined.split():
            forms[form] = (*forms.get(form, ()), VerbCue(lemma, None, reported))
    return forms


def _parse_english_verbs() -> dict[str, VerbCue]:
    forms: dict[str, VerbCue] = {}
    for line in _ENGLISH_VERBS.strip().splitlines():
        words = line.split()
        reported = words[0].rstrip(":").endswith("*")
        lemma = words[0].rstrip(":").rstrip("*")
        listed = words[1:] if words[0].endswith(":") else [lemma, *words[1:]]
        for form in listed:
            forms[form] = VerbCue(lemma, None, reported)
    return forms


GERMAN_VERB_FORMS = _parse_german_verbs()
ENGLISH_VERB_FORMS = _parse_english_verbs()
