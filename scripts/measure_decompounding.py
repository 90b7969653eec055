#!/usr/bin/env python3
"""Measure German compound splitting (precision, recall) and the cost of index_terms.

    .venv/bin/python scripts/measure_decompounding.py [--corpus ../shared/corpus] [--mistakes]

The labelled words below were drawn at random (fixed seeds) from the capitalised words of 8+
letters and the lower-case words of 9+ letters of GermEval 2014 dev and the corpus seeds, and
labelled by hand. TUNING was used to choose the rules and thresholds of pipeline/analysis.py;
HELD_OUT was labelled at the same time and only measured after the rules were frozen; TRAPS
are chosen words that must stay whole (and a few well-known compounds).

A label lists a word's parts with "+", a linking element in brackets, "-" for "no split":
"bund(es)+regierung". A part marked "?" may be split off but need not be ("?haupt+stadt": a
search for "Haupt" finding "Hauptstadt" is neither wrong nor wanted). Terms are compared after
analysis (stems). A predicted part term is correct if it is the term of one part or of several
adjacent parts (a sub-compound, "verteidigungsminister" in "Bundesverteidigungsminister");
recall counts the parts not marked "?".

Then index_terms is timed over the German (GermEval 2023 SpkAtt, Wikinews) and English
(PolNeAR) articles of the corpus: microseconds per kB of UTF-8 text, with the word caches warm
(as in a running ingest) and cleared before every article (the first article's cost).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from newshound_dev.corpus import shared_corpus_dir
from pipeline import analysis
from pipeline.analysis import german_compound_parts, index_terms, query_terms

# Tuning sample: 170 capitalised and 40 lower-case words (random.Random(20260)).
TUNING = {
    "Schramme": "-",
    "Methanol": "-",
    "Eingemeindung": "-",
    "Personenbeförderungsgesetz": "person(en)+beförderung(s)+gesetz",
    "Flugkörperschnellboote": "flugkörper+?schnell+boote",
    "Schliessung": "-",
    "Verkehrssparte": "verkehr(s)+sparte",
    "Verfahrens": "-",
    "Saakaschwili": "-",
    "September": "-",
    "Lanterne": "-",
    "Parktheater": "park+theater",
    "Presseverbandes": "presse+verbandes",
    "Privatbesitz": "privat+besitz",
    "Kriegseintritts": "krieg(s)+eintritts",
    "Gerüchte": "-",
    "Gendarmenmarkt": "gendarm(en)+markt",
    "Baldachin": "-",
    "Gottfried": "-",
    "Novellenband": "novelle(n)+band",
    "Ostwestfalen": "ost+westfalen",
    "Griechenland": "-",
    "Hebammen": "-",
    "Fremdsprachen": "?fremd+sprachen",
    "Abendkleid": "abend+kleid",
    "Doktorin": "-",
    "Auswertung": "-",
    "Literaturwissenschaftler": "literatur+wissenschaftler",
    "Vermögensklasseninflation": "vermögen(s)+klasse(n)+inflation",
    "Südafrikas": "?süd+afrikas",
    "Professorin": "-",
    "Anwendungskontext": "anwendung(s)+kontext",
    "Sonstiges": "-",
    "Zeitpunkt": "?zeit+?punkt",
    "Einatmungsphase": "einatmung(s)+phase",
    "Orchestern": "-",
    "Geograph": "-",
    "Dokumente": "-",
    "Breitschopf": "-",
    "Kontakte": "-",
    "Expander": "-",
    "Verkaufsstellen": "verkauf(s)+stellen",
    "Rechtsmittelmöglichkeit": "recht(s)+?mittel+möglichkeit",
    "Steinbrocken": "stein+brocken",
    "Turbinen": "-",
    "Hurrikansaison": "hurrikan+saison",
    "Sebastian": "-",
    "Stahlwerks": "stahl+werks",
    "Siedlungen": "-",
    "Gebieten": "-",
    "Lokomotiven": "-",
    "Truppenübungsplatzes": "truppe(n)+übung(s)+platzes",
    "Versionen": "-",
    "Abhandlung": "-",
    "Einwrfen": "-",
    "Ortsteil": "?ort(s)+?teil",
    "Mittelstand": "?mittel+?stand",
    "Produktionsfirma": "produktion(s)+firma",
    "Jacksons": "-",
    "Präsident": "-",
    "Mitglieder": "-",
    "Kulissenstein": "kulisse(n)+stein",
    "Ausbreitung": "-",
    "Ottomotor": "?otto+motor",
    "Königreich": "?könig+?reich",
    "Tonstudio": "?ton+studio",
    "Meisterschaft": "-",
    "Maschinenfabrik": "maschine(n)+fabrik",
    "Nachkriegsitalien": "?nach+?krieg(s)+italien",
    "Zufriedenheit": "-",
    "Frauenarbeit": "frau(en)+arbeit",
    "Moustapha": "-",
    "Schwermetallstress": "?schwer+metall+stress",
    "Zunächst": "-",
    "Himmelsschau": "himmel(s)+schau",
    "Hirnbasis": "hirn+basis",
    "Transocean": "-",
    "Ausstellungen": "-",
    "Maßnahme": "-",
    "Restbetrieb": "rest+betrieb",
    "Arbeitgeberverbänden": "arbeit+?geber+verbänden",
    "Michaelskapelle": "?michael(s)+kapelle",
    "Stoffwechselweg": "?stoff+?wechsel+?weg",
    "Kultusgemeinden": "?kultus+gemeinden",
    "Gesamtfläche": "?gesamt+fläche",
    "Waffengattungen": "waffe(n)+gattungen",
    "Eingreifen": "-",
    "Critchlows": "-",
    "Aufsichtsräte": "?aufsicht(s)+räte",
    "Spielergebnisse": "spiel+ergebnisse",
    "Landsitz": "?land+?sitz",
    "Seitental": "?seite(n)+?tal",
    "Livingston": "-",
    "Synagoge": "-",
    "Nordtuschino": "?nord+tuschino",
    "Primärenergieverbrauch": "?primär+energie+verbrauch",
    "Einzelhandels": "?einzel+handels",
    "Tiefflieger": "?tief+flieger",
    "Verfügung": "-",
    "Hauptstadt": "?haupt+stadt",
    "Erwachsene": "-",
    "Arbeitnehmer": "arbeit+?nehmer",
    "Industriekomplex": "industrie+komplex",
    "Werbespots": "?werbe+spots",
    "Forschungsreise": "forschung(s)+reise",
    "Topscorer": "?top+?scorer",
    "Übersicht": "-",
    "Filzmaier": "-",
    "Krankenschwester": "?kranke(n)+?schwester",
    "Linkspartei": "?links+partei",
    "Stiftung": "-",
    "Finanzierung": "-",
    "Lehrtätigkeit": "?lehr+tätigkeit",
    "Kennzahlen": "?kenn+zahlen",
    "Denomination": "-",
    "Anschluss": "-",
    "Börsenschluss": "börse(n)+schluss",
    "Handygeplärre": "handy+geplärre",
    "Spitzenposition": "?spitze(n)+position",
    "Berenike": "-",
    "Durchsetzung": "-",
    "Joaquins": "-",
    "Organisation": "-",
    "Farbbeutel": "farb+beutel",
    "Departements": "-",
    "Beförderungsstopp": "beförderung(s)+stopp",
    "Oberperu": "?ober+peru",
    "Dauerexposition": "?dauer+exposition",
    "Fernando": "-",
    "Arbeitnehmerinteressen": "arbeit+?nehmer+interessen",
    "Härtegrade": "?härte+grade",
    "Kenningar": "-",
    "Europameisterschaft": "europa+meisterschaft",
    "Habsburger": "-",
    "Unterstützung": "-",
    "Errichtung": "-",
    "Hauptprodukt": "?haupt+produkt",
    "Mecklenburg": "-",
    "Bindeglied": "?binde+glied",
    "Tranomaro": "-",
    "Brautwerbung": "braut+werbung",
    "Plowmania": "-",
    "Strömung": "-",
    "Broadway": "-",
    "Gemeinschaftsgutachten": "gemeinschaft(s)+gutachten",
    "Titelverteidigerin": "titel+verteidigerin",
    "Codenamen": "code+namen",
    "Liberalen": "-",
    "Wahlkämpfen": "wahl+kämpfen",
    "Interessensprofile": "interesse(ns)+profile",
    "Süddeutscher": "?süd+deutscher",
    "Betriebssystem": "betrieb(s)+system",
    "Einhaltung": "-",
    "Nedlloyd": "-",
    "Federation": "-",
    "Geschäftsfeldern": "geschäft(s)+feldern",
    "Argentinier": "-",
    "Bundesagentur": "bund(es)+agentur",
    "Futterverwertung": "futter+verwertung",
    "Pflanzer": "-",
    "Auseinandersetzung": "-",
    "Stimberg": "-",
    "Intendant": "-",
    "Erschliessung": "-",
    "Erreichen": "-",
    "Weltvertrieb": "welt+vertrieb",
    "Riedlingen": "-",
    "Knöchelbruch": "knöchel+bruch",
    "Oberkommandierender": "?ober+kommandierender",
    "Steltner": "-",
    "aufrechten": "-",
    "veröffentlichte": "-",
    "schmeichelt": "-",
    "unzähligen": "-",
    "intensiver": "-",
    "nachlesen": "-",
    "durchsprechen": "-",
    "versteuern": "-",
    "zumindest": "-",
    "gesundheitliche": "-",
    "verschiedene": "-",
    "lateinischen": "-",
    "kultureller": "-",
    "ausufernden": "-",
    "sportliche": "-",
    "diskretes": "-",
    "bestimmte": "-",
    "skandalumwitterter": "skandal+?umwitterter",
    "ungeklärt": "-",
    "inzwischen": "-",
    "verkehrende": "-",
    "weitergereicht": "-",
    "eingerichtet": "-",
    "verstärkte": "-",
    "geraubtem": "-",
    "chinesischen": "-",
    "legendäre": "-",
    "insgesamt": "-",
    "hineingeritzt": "-",
    "einzusetzen": "-",
    "umgehängt": "-",
    "geomorphologischen": "-",
    "renaturiert": "-",
    "gegessenen": "-",
    "befindlichen": "-",
    "angesiedelt": "-",
    "fünfmonatiger": "-",
    "offiziell": "-",
    "unterschiedlichem": "-",
    "eingetroffen": "-",
}
# Held-out sample: 100 more capitalised words (random.Random(77)), measured once the rules were frozen.
HELD_OUT = {
    "Kreisbahn": "kreis+bahn",
    "Ouvertüre": "-",
    "Hatfield": "-",
    "Klägerin": "-",
    "Einstellungen": "-",
    "Millionenhöhe": "million(en)+höhe",
    "Versicherungsdaten": "versicherung(s)+daten",
    "Kindheit": "-",
    "Firmenevents": "firmen+events",
    "Weiteren": "-",
    "Absatzgebiete": "absatz+gebiete",
    "Manhattan": "-",
    "Attribut": "-",
    "Wassermühle": "wasser+mühle",
    "Gerichte": "-",
    "Grünenthal": "-",
    "Wiederaufstieg": "?wieder+aufstieg",
    "Schulform": "schul+form",
    "Gleichgewicht": "?gleich+?gewicht",
    "Pensionierung": "-",
    "Operation": "-",
    "Cincinnati": "-",
    "Lagerhalle": "lager+halle",
    "Verhandlung": "-",
    "Hierdurch": "-",
    "Gutsbesitzerfamilie": "?gut(s)+besitzer+familie",
    "Bonusmaterial": "bonus+material",
    "Burgsteinfurt": "-",
    "Heidegger": "-",
    "Tarifparteien": "tarif+parteien",
    "Bröckchen": "-",
    "Docklands": "-",
    "Ikonografie": "-",
    "Parteien": "-",
    "Cleethorpes": "-",
    "Demonstration": "-",
    "Unwillen": "-",
    "Bundesrat": "bund(es)+?rat",
    "Echtheit": "-",
    "Lieblingsschülers": "?liebling(s)+schülers",
    "Titelseite": "titel+seite",
    "Energiemarktes": "energie+marktes",
    "Pädagogen": "-",
    "Berufenere": "-",
    "Sommermonaten": "sommer+monaten",
    "Kontingenten": "-",
    "Integrationsbeauftragte": "integration(s)+beauftragte",
    "Verletzten": "-",
    "Sofonisbas": "-",
    "Schlosspark": "schloss+park",
    "Anbieter": "-",
    "Ausnahme": "-",
    "Beitragsgestaltung": "beitrag(s)+gestaltung",
    "Wandertouren": "?wander+touren",
    "Autokonzerne": "auto+konzerne",
    "Reduzierung": "-",
    "Sympathie": "-",
    "Eisenbahndirektion": "?eisen+?bahn+direktion",
    "Kulturveranstaltungen": "kultur+veranstaltungen",
    "Wertigkeit": "-",
    "Vornamen": "?vor+namen",
    "Bernardo": "-",
    "Verkürzung": "-",
    "Fluggesellschaft": "flug+gesellschaft",
    "Monatsgehalt": "monat(s)+gehalt",
    "Dannenberg": "-",
    "Anteilsbesitzes": "anteil(s)+besitzes",
    "Volltreffer": "?voll+treffer",
    "Rahmenvertrag": "rahmen+vertrag",
    "Staatssekretär": "staat(s)+sekretär",
    "Abfindungen": "-",
    "Betracht": "-",
    "Veröffentlichung": "-",
    "Flatrate": "?flat+?rate",
    "Atlantiks": "-",
    "Aktionen": "-",
    "Klienten": "-",
    "Clostridiales": "-",
    "Verdienste": "-",
    "Einlagerung": "-",
    "Schwalbe": "-",
    "Versicherten": "-",
    "Drehbuch": "?dreh+buch",
    "Fachwissen": "fach+wissen",
    "Klassenkampf": "klasse(n)+kampf",
    "Landeskunstschaupreises": "land(es)+kunst+schau+preises",
    "Hornissen": "-",
    "Chinesenviertel": "chinese(n)+viertel",
    "Gastgebern": "?gast+?gebern",
    "Gedichtband": "gedicht+band",
    "Flößaustraße": "?flößau+straße",
    "Armstrong": "-",
    "Begleitung": "-",
    "Kartographierung": "-",
    "Wellpappe": "?well+pappe",
    "Saunakylä": "-",
    "Stadträtin": "stadt+rätin",
    "Vorschriften": "-",
    "Widerstand": "-",
    "Staatsführung": "staat(s)+führung",
}
# Words that look like compounds but must stay whole, and well-known compounds.
TRAPS = {
    "Beinhalten": "-",
    "Unternehmen": "-",
    "Unterhaltung": "-",
    "Hochzeit": "-",
    "Fahrzeug": "-",
    "Mitglied": "-",
    "Gottfried": "-",
    "Griechenland": "-",
    "Verbraucher": "-",
    "Wahrheit": "-",
    "Zeitung": "-",
    "Gesundheit": "-",
    "Vorstellung": "-",
    "Wirtschaft": "-",
    "Nachricht": "-",
    "Augenblick": "-",
    "Sonnabend": "-",
    "Freitag": "-",
    "Frühstück": "-",
    "Handschuh": "-",
    "Handlung": "-",
    "Untersuchung": "-",
    "Übernahme": "-",
    "Verantwortung": "-",
    "Gegenstand": "-",
    "Verbrechen": "-",
    "Beispiel": "-",
    "Hintergrund": "-",
    "Überblick": "-",
    "Anspruch": "-",
    "Kartoffel": "-",
    "Schmetterling": "-",
    "Weihnachten": "-",
    "Gewerkschaft": "-",
    "Eigentum": "-",
    "Pentagon": "-",
    "Bürgermeister": "bürger+meister",
    "Flughafen": "flug+hafen",
    "Staatsanwalt": "staat(s)+anwalt",
    "Bundesliga": "bund(es)+liga",
    "Bundesregierung": "bund(es)+regierung",
    "Verteidigungsminister": "verteidigung(s)+minister",
    "Nordkorea": "nord+korea",
    "Landwirtschaft": "land+wirtschaft",
    "Wirtschaftsminister": "wirtschaft(s)+minister",
    "Ministerpräsident": "minister+präsident",
    "Bildschirm": "bild+schirm",
    "Geldstrafe": "geld+strafe",
    "Rentenreform": "rente(n)+reform",
    "Armutsgrenze": "armut(s)+grenze",
    "Handelsabkommen": "handel(s)+abkommen",
    "Menschenrechte": "mensch(en)+rechte",
    "Gesetzentwurf": "gesetz+entwurf",
    "Waffenstillstand": "waffe(n)+stillstand",
    "Bundesverteidigungsminister": "bund(es)+verteidigung(s)+minister",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=shared_corpus_dir())
    parser.add_argument("--mistakes", action="store_true", help="list wrong and missed parts")
    args = parser.parse_args()

    started = time.perf_counter()
    german_compound_parts("Bundesregierung")  # builds the lexicon
    figures: dict[str, object] = {"lexicon_seconds": round(time.perf_counter() - started, 2)}
    for name, labels in (("tuning", TUNING), ("held_out", HELD_OUT), ("traps", TRAPS)):
        result = evaluate(labels)
        figures[name] = {key: value for key, value in result.items() if key not in ("wrong", "missed")}
        print(f"{name:9} {len(labels):4} words  precision {result['precision']:.3f}  recall {result['recall']:.3f}")
        if args.mistakes:
            for word, terms in result["wrong"]:
                print(f"    wrong   {word}: {', '.join(terms)}")
            for word, terms in result["missed"]:
                print(f"    missed  {word}: {', '.join(terms)}")

    corpus = args.corpus / "claims"
    german = [document["originalText"] for document in _documents(corpus / "germeval2023-spkatt-news-de")]
    english = [document["text"] for document in _documents(corpus / "polnear-en")]
    for language, texts in (("de", german), ("en", english)):
        timing = time_index_terms(texts, language)
        figures[f"index_terms_{language}"] = timing
        print(
            f"index_terms {language}: {len(texts)} articles, median {timing['median_kb']} kB;"
            f" {timing['warm_us_per_kb']} us/kB warm, {timing['cold_us_per_kb']} us/kB cold"
        )
    print(json.dumps(figures))


def _documents(folder: Path) -> list[dict[str, str]]:
    with open(folder / "docs.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def evaluate(labels: dict[str, str]) -> dict[str, object]:
    """Precision and recall of the part terms that german_compound_parts gives over labelled words."""
    correct = wrong_count = found = required_count = 0
    wrong: list[tuple[str, list[str]]] = []
    missed: list[tuple[str, list[str]]] = []
    for word, label in labels.items():
        required, acceptable = _gold_terms(label)
        whole = _term(word)
        predicted = {_term(part) for part in german_compound_parts(word)} - {whole}
        false_terms = predicted - acceptable
        correct += len(predicted & acceptable)
        wrong_count += len(false_terms)
        required_count += len(required)
        found += len(required & predicted)
        if false_terms:
            wrong.append((word, sorted(false_terms)))
        if required - predicted:
            missed.append((word, sorted(required - predicted)))
    return {
        "precision": round(correct / (correct + wrong_count), 3) if correct + wrong_count else 1.0,
        "recall": round(found / required_count, 3) if required_count else 1.0,
        "correct_parts": correct,
        "wrong_parts": wrong_count,
        "found_parts": found,
        "labelled_parts": required_count,
        "wrong": wrong,
        "missed": missed,
    }


def _term(word: str) -> str:
    return query_terms(word, "de")[0]


def _gold_terms(label: str) -> tuple[set[str], set[str]]:
    """The terms a label requires, and every term it accepts (any run of adjacent parts)."""
    if label == "-":
        return set(), set()
    parts = []
    for written in label.split("+"):
        match = re.fullmatch(r"(\??)([^()]+)(?:\(([^()]+)\))?", written)
        assert match is not None, label
        parts.append((match[2], match[3] or "", match[1] == "?"))
    required = {_term(part) for part, _, optional in parts if not optional}
    acceptable = set()
    for first in range(len(parts)):
        run = ""
        for part, linking, _ in parts[first:]:
            acceptable.add(_term(run + part))
            run += part + linking
    return required, acceptable


def time_index_terms(texts: list[str], language: str) -> dict[str, float]:
    """Microseconds per kB of index_terms, with warm caches and with caches cleared per article."""
    kilobytes = [len(text.encode()) / 1000 for text in texts]
    caches: list[Callable[[], None]] = [
        analysis._term.cache_clear,
        analysis._part_terms.cache_clear,
        analysis._split.cache_clear,
    ]
    for clear in caches:
        clear()
    for text in texts:  # one pass to warm the caches, as a running ingest has them
        index_terms(text, language)
    started = time.perf_counter()
    for text in texts:
        index_terms(text, language)
    warm = time.perf_counter() - started
    cold = 0.0
    for text in texts:
        for clear in caches:
            clear()
        started = time.perf_counter()
        index_terms(text, language)
        cold += time.perf_counter() - started
    return {
        "median_kb": round(statistics.median(kilobytes), 1),
        "warm_us_per_kb": round(warm * 1e6 / sum(kilobytes), 1),
        "cold_us_per_kb": round(cold * 1e6 / sum(kilobytes), 1),
    }


if __name__ == "__main__":
    main()
