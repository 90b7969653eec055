"""Numbers inside a claim: "rund 10.000 Soldaten" -> 10000 soldier (approximate).

German writes thousands with dots or spaces and decimals with a comma ("3.000", "10 000",
"2,5 Millionen"); English the other way round ("3,000", "2.5 million"). A four-digit number
without a unit noun is taken for a year and skipped, as are dates ("am 18. Mai") and clock times.
"""

from __future__ import annotations

import math
import re

from pipeline.claims.text import words
from pipeline.models import Quantity

_APPROXIMATE = (
    r"rund|etwa|ca\.|circa|zirka|knapp|fast|beinahe|annähernd|ungefähr|gut|mehr als|über|"
    r"bis zu|weniger als|mindestens|höchstens|around|about|approximately|nearly|almost|"
    r"roughly|some|more than|over|up to|at least|fewer than|less than|an estimated|estimated"
)
_NUMBER_WORDS = {
    "ein": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "zwanzig": 20, "hundert": 100,
    "tausend": 1000, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100,
    "thousand": 1000, "a": 1,
}  # fmt: skip
_SCALES = {
    "tausend": 1e3, "thousand": 1e3, "dutzend": 12, "dozen": 12, "million": 1e6, "millionen": 1e6,
    "mio": 1e6, "mio.": 1e6, "milliarde": 1e9, "milliarden": 1e9, "mrd": 1e9, "mrd.": 1e9,
    "billion": 1e9, "billionen": 1e12, "trillion": 1e12, "hundert": 100, "hundred": 100,
}  # fmt: skip
_UNITS = {
    "soldaten": "soldier", "soldat": "soldier", "soldiers": "soldier", "soldier": "soldier",
    "truppen": "troop", "troops": "troop", "menschen": "person", "personen": "person",
    "people": "person", "persons": "person", "tote": "death", "toten": "death", "deaths": "death",
    "opfer": "victim", "victims": "victim", "verletzte": "injured", "verletzten": "injured",
    "euro": "euro", "€": "euro", "dollar": "dollar", "us-dollar": "dollar", "dollars": "dollar",
    "$": "dollar", "prozent": "percent", "%": "percent", "percent": "percent",
    "kilometer": "kilometre", "km": "kilometre", "kilometres": "kilometre", "miles": "mile",
    "meter": "metre", "metern": "metre", "jahre": "year", "jahren": "year", "years": "year",
    "tage": "day", "tagen": "day", "days": "day", "flüchtlinge": "refugee", "refugees": "refugee",
    "einwohner": "inhabitant", "häuser": "house", "stimmen": "vote", "votes": "vote",
    "panzer": "tank", "tanks": "tank", "drohnen": "drone", "drones": "drone",
    "raketen": "missile", "missiles": "missile", "kämpfer": "fighter", "fighters": "fighter",
    "zivilisten": "civilian", "civilians": "civilian", "kinder": "child", "children": "child",
    "delegierte": "delegate", "delegierten": "delegate", "delegates": "delegate",
    "mitarbeiter": "employee", "employees": "employee", "arbeitsplätze": "job", "jobs": "job",
    "teilnehmer": "participant", "autos": "car", "cars": "car", "stunden": "hour", "hours": "hour",
    "monate": "month", "monaten": "month", "months": "month", "wochen": "week", "weeks": "week",
    "tonnen": "tonne", "tons": "ton", "mann": "man", "men": "man", "frauen": "woman",
    "women": "woman", "schüsse": "shot", "shots": "shot", "festnahmen": "arrest", "arrests": "arrest",
}  # fmt: skip
_MONTHS = words(
    """
    januar februar märz april mai juni juli august september oktober november dezember
    january february march june july october december
    """
)
_SKIPPED_BETWEEN = re.compile(r"(?:[a-zäöüß]+(?:e|en|er|es|ische[nr]?)\s+){0,2}")
# A bare number after these words counts the same thing as the figure before it.
_REFERS_BACK = re.compile(
    r"\b(?:diese|die|deren)\s+(?:Zahl|Anzahl|Schätzung)\b[^.;]{0,25}$|\b(?:the|that|this)\s+(?:number|figure|"
    r"estimate|count|total)\b[^.;]{0,25}$",
    re.IGNORECASE,
)
_ANY_NUMBER = re.compile(r"\d|dutzend|dozen|million|milliard|billion|tausend|thousand|hundert|hundred", re.IGNORECASE)
_NUMBER = re.compile(
    rf"(?:(?P<approx>{_APPROXIMATE})\s+)?"
    r"(?P<prefix>[$€]\s?)?"
    r"(?P<number>\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
    r"|(?:ein|eine|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|hundert"
    r"|tausend|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred"
    r"|thousand|a)(?=\s+(?:dutzend|dozen|hundert|hundred|tausend|thousand|millionen?|million|"
    r"milliarden?|billion)\b))"
    r"(?:\s?(?P<scale>tausend|thousand|dutzend|dozen|millionen|million|mio\.?|milliarden?|mrd\.?"
    r"|billionen|billion|trillion|hundert|hundred)\b)?"
    r"(?=(?P<after>\s?%|\s+[\w$€-]+(?:\s+[\w-]+){0,2})?)",
    re.IGNORECASE,
)


def _parse_number(raw: str, language: str) -> float | None:
    lower = raw.lower()
    if lower in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[lower])
    compact = re.sub(r"[\u202f\u00a0 ]", "", raw)
    if language == "en":
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", compact):
            compact = compact.replace(",", "")
        compact = compact.replace(",", ".")
    else:
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", compact):
            compact = compact.replace(".", "")
        compact = compact.replace(",", ".")
    try:
        return float(compact)
    except ValueError:
        return None


_ENGLISH_NON_UNITS = words("of and or the a an in on at to for from by with than as per is are was were")


def _unit(after: str, prefix: str | None, language: str) -> str | None:
    """The counted noun: the first word after the number, past up to two adjectives."""
    if prefix:
        return _UNITS.get(prefix.strip())
    if after.strip().startswith("%"):
        return "percent"
    for word in (w.strip(".,;:") for w in after.split()):
        lower = word.lower()
        if lower in _UNITS:
            return _UNITS[lower]
        if not word[:1].isalpha() or lower in _MONTHS:
            return None
        if language == "en":
            if lower in _ENGLISH_NON_UNITS or lower.endswith(("ing", "ed")):
                return None
            return lower[:-1] if lower.endswith("s") and not lower.endswith("ss") else lower
        if word[:1].isupper():
            return word  # an unknown German noun, kept as written
        if not lower.endswith(("e", "en", "er", "es", "em")):
            return None
    return None


def find_quantities(text: str, start: int, end: int, language: str) -> tuple[Quantity, ...]:
    """The numbers in ``text[start:end]`` with unit and approximation."""
    found: list[Quantity] = []
    if not _ANY_NUMBER.search(text, start, end):
        return ()  # most claims have no number: skip the expensive pattern
    for match in _NUMBER.finditer(text, start, end):
        raw = match.group("number")
        number_start = match.start("number")
        if number_start > 0 and (text[number_start - 1].isalnum() or text[number_start - 1] in ".,:/-"):
            continue
        following = text[match.end("number") : match.end("number") + 12]
        month = re.match(r"\.\s*([A-ZÄÖÜ][a-zäöü]+)", following)
        if month and month.group(1).lower() in _MONTHS:
            continue  # "am 18. Mai"
        if re.match(r":\d", following) or re.match(r"\s*Uhr", following):
            continue
        value = _parse_number(raw, language)
        if value is None:
            continue
        scale = match.group("scale")
        if scale:
            value *= _SCALES.get(scale.lower().rstrip("."), 1)
        if not math.isfinite(value):
            continue  # hundreds of digits overflow to inf; JSON has no inf, so Elasticsearch would refuse the article
        after = match.group("after") or ""
        unit = _unit(after, match.group("prefix"), language)
        if unit and unit.lower() in _MONTHS:
            unit = None
        if unit is None and not scale and re.fullmatch(r"(1[89]|20)\d\d", raw):
            continue  # a year
        unit_match = re.match(r"\s?%|\s+\S+", after)
        surface_end = match.end("number") if not scale else match.end("scale")
        if unit and unit_match:
            surface_end = _unit_end(text, match, unit)
        surface_start = match.start("approx") if match.group("approx") else match.start()
        if (
            unit is None
            and found
            and found[-1].unit
            and _REFERS_BACK.search(text, max(start, surface_start - 40), surface_start)
        ):
            unit = found[-1].unit  # "3.000 Soldaten ... erhöhte diese Zahl auf 10.000": the same soldiers
        found.append(
            Quantity(
                value=value,
                unit=unit,
                surface=text[surface_start:surface_end],
                approximate=bool(match.group("approx")),
                start=surface_start,
                end=surface_end,
            )
        )
    return tuple(found)


def _unit_end(text: str, match: re.Match[str], unit: str) -> int:
    """End of the unit word within the match's trailing words."""
    position = match.start("after")
    for word in re.finditer(r"%|[\w$€-]+", text[position : match.end("after")]):
        position_end = match.start("after") + word.end()
        if _UNITS.get(word.group().lower()) == unit or word.group() == unit or word.group()[:-1] == unit:
            return position_end
    return match.end("after")
