"""Text pieces for the development dedupe pairs (``newshound_dev.dedupe_pairs``), written for this
project: agency packaging as syndicating outlets add it, and template stories (match reports,
market closes, weather and police reports) whose frame repeats every day with other names and numbers.

Every name of a person, club, street or outlet here is made up; agencies, indices, institutions
and places are real because news names them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

# --- agency packaging ---------------------------------------------------------------------------

CITIES = {
    "de": ["Berlin", "Hamburg", "München", "Köln", "Frankfurt/Main", "Brüssel", "Wien", "Paris", "Washington", "Kiew"],
    "en": ["Washington", "New York", "London", "Chicago", "Los Angeles", "Brussels", "Paris", "Des Moines", "Atlanta"],
}
REPORTERS = {
    "de": ["Anna Berger", "Jens Kohlmann", "Miriam Frey", "Tobias Lenz", "Sabine Wendt", "Carsten Ahrens", "Ute Pohl"],
    "en": ["Dana Whitfield", "Marcus Ortega", "Julie Hartman", "Sam Pryor", "Nina Castellano", "Ray Dunmore"],
}


def dateline(lang: str, rng: random.Random, day: date | None, text: str = "") -> str:
    """The dateline an agency puts before the first sentence: "BERLIN (dpa) - ", "WASHINGTON (AP) — ";
    the place is one the text names when it names one of ``CITIES``."""
    named = [city for city in CITIES[lang] if city.split("/")[0] in text]
    city = rng.choice(named or CITIES[lang])
    if lang == "de":
        agency = rng.choice(["dpa", "dpa", "AFP", "KNA", "epd", "Reuters", "dpa/lby", "dts"])
        place = city.upper() if rng.random() < 0.5 else city
        dash = rng.choice([" - ", " – ", " – ", ". "]) if agency in ("KNA", "epd") else rng.choice([" - ", " – "])
        return f"{place} ({agency}){dash}"
    agency = rng.choice(["AP", "AP", "Reuters", "AFP"])
    if agency == "Reuters" and day is not None and rng.random() < 0.5:
        return f"{city.upper()}, {day:%b} {day.day} (Reuters) - "
    return f"{city.upper()} ({agency}){rng.choice([' — ', ' - ', ' -- '])}"


def agency_tag(lang: str, rng: random.Random) -> str:
    """An agency tag at the end of a paragraph: " (AFP)", " (dpa)", "/dpa"."""
    if lang == "de":
        return rng.choice([" (AFP)", " (dpa)", " (KNA)", " (dpa/AFP)", " (Reuters)", " /dpa", " (epd)"])
    return rng.choice([" (AP)", " (AFP)", " (Reuters)", " — AP"])


# Credit lines of agencies writing in other languages, for copies of the few other-language pages.
OTHER_CREDITS = {
    "pt": ["Fonte: Agência Brasil", "Com informações da Agência Brasil", "(Agência Brasil)"],
    "it": ["Fonte: ANSA", "(ANSA)", "Fonte: Adnkronos"],
    "ru": ["Источник: ТАСС", "(РИА Новости)"],
    "id": ["(Antara)", "Sumber: Antara"],
}


def credit_line(lang: str, rng: random.Random, day: date | None) -> str:
    """A credit line at the end: "Mit Material von dpa und AFP.", "— The Associated Press"."""
    if lang not in REPORTERS:
        return rng.choice(OTHER_CREDITS.get(lang, ["(AFP)", "— Reuters"]))
    reporter = rng.choice(REPORTERS[lang])
    if lang == "de":
        stamp = f"{day:%y%m%d}" if day else "240101"
        return rng.choice(
            [
                "Mit Material von dpa und AFP.",
                "Mit Material von dpa",
                "(Mit Material der Nachrichtenagenturen dpa und Reuters)",
                "dpa/AFP/jr",
                "Quelle: dpa",
                "kna/sg",
                f"© dpa-infocom, dpa:{stamp}-99-{rng.randrange(100000, 999999)}/{rng.randint(2, 9)}",
                f"Mitarbeit: {reporter}",
                "ots/dpa",
            ]
        )
    return rng.choice(
        [
            "— The Associated Press",
            "The Associated Press contributed to this report.",
            "— Reuters",
            f"Reporting by {reporter}; Editing by {rng.choice(REPORTERS[lang])}",
            "Copyright 2016 The Associated Press. All rights reserved. This material may not be published, "
            "broadcast, rewritten or redistributed.",
            f"Associated Press writer {reporter} in {rng.choice(CITIES[lang])} contributed to this report.",
        ]
    )


def byline(lang: str, rng: random.Random) -> str:
    """A byline above the text: "Von Anna Berger, dpa", "By LISA LERER, Associated Press"."""
    reporter, other = rng.sample(REPORTERS[lang], 2)
    if lang == "de":
        return rng.choice(
            [f"Von {reporter}", f"Von {reporter}, dpa", f"{reporter}, dpa", f"Von {reporter} und {other}"]
        )
    return rng.choice(
        [
            f"By {reporter.upper()}, Associated Press",
            f"By {reporter.upper()} and {other.upper()}, Associated Press",
            f"By {reporter}",
            f"{reporter} | Reuters",
        ]
    )


def share_line(lang: str, rng: random.Random) -> str:
    if lang == "de":
        return rng.choice(
            ["Teilen: Facebook Twitter E-Mail", "Artikel teilen", "Teilen auf WhatsApp", "Drucken", "Teilen Twittern"]
        )
    return rng.choice(["Share this: Facebook Twitter Email", "Share on Facebook", "Share via Email", "Print", "Share"])


def photo_credit(lang: str, rng: random.Random) -> str:
    photographer = rng.choice(REPORTERS[lang])
    if lang == "de":
        return rng.choice(
            [
                f"Foto: {photographer}/dpa",
                f"Bild: picture alliance / dpa | {photographer}",
                f"© Foto: {photographer}/dpa",
                f"Archivbild. Foto: {photographer}/dpa",
            ]
        )
    return rng.choice(
        [
            f"Photo: {photographer}/AP",
            f"(Photo by {photographer}/Getty Images)",
            f"{photographer}/Reuters",
            f"FILE - {photographer}/AP Photo",
        ]
    )


def read_also(lang: str, rng: random.Random, other_title: str) -> str:
    """A link line to another article: "Lesen Sie auch: <title>"."""
    if lang == "de":
        label = rng.choice(["Lesen Sie auch:", "LESEN SIE AUCH:", "Mehr zum Thema:", "Auch interessant:"])
    else:
        label = rng.choice(["Read more:", "RELATED:", "Related:", "Recommended:"])
    return f"{label} {other_title}"


# Notes outlets append to many unrelated articles (shared boilerplate).
EDITOR_NOTES = {
    "de": [
        "Hinweis: Falls Sie selbst Suizidgedanken haben oder eine Krise durchleben, finden Sie Hilfe bei der "
        "Telefonseelsorge. Sie ist rund um die Uhr und anonym unter den kostenlosen Nummern 0800 111 0 111 und "
        "0800 111 0 222 erreichbar. Auch ein Chat ist möglich unter telefonseelsorge.de.",
        "Transparenzhinweis: Dieser Artikel wurde nach Veröffentlichung aktualisiert. Unsere Redaktion prüft alle "
        "Angaben sorgfältig. Wenn Sie dennoch einen Fehler entdecken, schreiben Sie uns bitte eine E-Mail an die "
        "Leserredaktion; wir korrigieren ihn so schnell wie möglich und machen die Änderung kenntlich.",
        "In eigener Sache: Unabhängiger Journalismus kostet Geld. Wenn Ihnen unsere Berichterstattung gefällt, "
        "unterstützen Sie uns mit einem Abonnement. Schon ab 1,99 Euro im Monat lesen Sie alle Artikel auf der "
        "Website und in der App, ohne Werbung und mit dem täglichen Newsletter am Morgen.",
    ],
    "en": [
        "Editor's note: This article is part of our ongoing coverage of the 2016 election. Sign up for our "
        "politics newsletter to get the latest news and analysis delivered to your inbox every weekday morning, "
        "and follow our reporters on social media for updates throughout the day.",
        "If you or someone you know is in crisis, call or text 988 to reach the Suicide and Crisis Lifeline, "
        "which is free and confidential and available around the clock. You can also chat with a counselor "
        "online, or text HOME to 741741 to reach the Crisis Text Line.",
        "Correction: An earlier version of this story misstated a detail. We regret the error. Our newsroom "
        "follows a strict corrections policy; readers who spot a mistake are encouraged to contact the standards "
        "editor, and every correction is noted at the end of the article it concerns.",
    ],
}

# --- template stories ------------------------------------------------------------------------------

WEEKDAYS = {
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
FIRST_NAMES = {
    "de": ["Lukas", "Jonas", "Felix", "Niklas", "Marvin", "Dennis", "Kevin", "Timo", "Robin", "Sven", "Malte", "Ole"],
    "en": ["Jack", "Ryan", "Connor", "Tyler", "Jordan", "Dylan", "Evan", "Liam", "Marcus", "Owen", "Caleb", "Reece"],
}
LAST_NAMES = {
    "de": ["Brandner", "Wessel", "Kurz", "Lindqvist", "Oberhauser", "Mertens", "Pfeiffer", "Dörr", "Sander", "Ruppel"],
    "en": ["Hadley", "Brannigan", "Okafor", "Whitlock", "Pembrook", "Garrity", "Lomax", "Ferreira", "Tully", "Voss"],
}
CLUBS = {
    "de": [
        ("FC Hansa Nordstadt", "Nordstädter"),
        ("SV Eintracht Lindau", "Lindauer"),
        ("TSV Bergheim", "Bergheimer"),
        ("VfL Rheinau", "Rheinauer"),
        ("SC Borussia Weststadt", "Weststädter"),
        ("1. FC Talheim", "Talheimer"),
        ("SpVgg Oberried", "Oberrieder"),
        ("FSV Mühlental", "Mühlentaler"),
    ],
    "en": [
        ("Riverton Rovers", "Rovers"),
        ("Ashford United", "United"),
        ("Kingsbridge City", "City"),
        ("Harrowgate Athletic", "Athletic"),
        ("Millbrook Town", "Town"),
        ("Eastcliff Albion", "Albion"),
        ("Norwood Wanderers", "Wanderers"),
        ("Stanmore County", "County"),
    ],
}
LEAGUES = {"de": ["Regionalliga Nord", "3. Liga", "Oberliga Süd"], "en": ["League One", "the National League"]}
REGIONS = {
    "de": ["Schleswig-Holstein", "Niedersachsen", "Bayern", "Nordrhein-Westfalen", "Sachsen", "Baden-Württemberg"],
    "en": ["Chicago", "Boston", "Denver", "Atlanta", "Seattle", "Minneapolis"],
}
POLICE_CITIES = {
    "de": [("Göttingen", "0551 491-2115"), ("Lüneburg", "04131 8306-2215"), ("Bamberg", "0951 9129-310")],
    "en": [("Springfield", "(217) 788-8311"), ("Dayton", "(937) 333-2677"), ("Tacoma", "(253) 591-5959")],
}
DE_COMPANIES = ["Siemens", "SAP", "BASF", "Bayer", "Deutsche Bank", "Adidas", "Zalando", "Lufthansa", "Henkel"]
EN_COMPANIES = ["Apple", "Nvidia", "Boeing", "Exxon Mobil", "JPMorgan Chase", "Walmart", "Tesla", "Intel", "Pfizer"]


@dataclass(frozen=True, slots=True)
class TemplateStory:
    title: str
    paragraphs: tuple[str, ...]


def _person(lang: str, rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES[lang])} {rng.choice(LAST_NAMES[lang])}"


def _de_number(value: float, decimals: int) -> str:
    """German number format: 18.234,56."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


# Sentences that vary between reports of one frame; "{...}" are filled in by the writers below.
MATCH_PHRASES = {
    "de": {
        "first": (
            "Der {home} hat am {weekday} in der {league} gegen den {away} mit {score} {verdict}.",
            "{score} hieß es am {weekday} im Spiel des {home} gegen den {away}.",
        ),
        "play": (
            "Die {home_short} bestimmten in der ersten Halbzeit das Spiel, ließen aber Chancen liegen.",
            "Die Gäste hielten lange dagegen und hatten kurz vor der Pause die beste Gelegenheit.",
            "Nach dem Seitenwechsel wurde die Partie hektischer, der Schiedsrichter zeigte fünf Gelbe Karten.",
        ),
        "quote": ("Wir haben uns das hart erarbeitet", "Das war heute zu wenig", "Die Mannschaft hat Moral gezeigt"),
    },
    "en": {
        "first": (
            "{home} {verdict} {away} {score} in {league} on {weekday} in front of a crowd of {crowd}.",
            "It finished {score} between {home} and {away} in {league} on {weekday}, watched by {crowd}.",
        ),
        "play": (
            "{home_short} dominated possession in the first half but could not turn pressure into chances.",
            "The visitors defended deep and had the better of the chances before the break.",
            "The second half turned scrappy, with the referee showing five yellow cards.",
        ),
        "quote": ("We worked hard for that", "That was not good enough today", "The lads showed real character"),
    },
}


def match_report(lang: str, rng: random.Random, day: date, club: int) -> TemplateStory:
    """A football match report of club number ``club`` against another club."""
    clubs = CLUBS[lang]
    (home, home_short), (away, away_short) = clubs[club], rng.choice([c for c in clubs if c != clubs[club]])
    if rng.random() < 0.5:
        (home, home_short), (away, away_short) = (away, away_short), (home, home_short)
    goals_home, goals_away = rng.randint(0, 4), rng.randint(0, 3)
    scorers = [_person(lang, rng) for _ in range(goals_home + goals_away)]
    minutes = sorted(rng.sample(range(3, 90), len(scorers)))
    goals = ", ".join(f"{name} ({minute}.)" for name, minute in zip(scorers, minutes, strict=True))
    crowd, coach = rng.randrange(1800, 24000, 50), _person(lang, rng)
    phrases = MATCH_PHRASES[lang]
    won, lost = goals_home > goals_away, goals_home < goals_away
    if lang == "de":
        verdict = "gewonnen" if won else "verloren" if lost else "unentschieden gespielt"
        score, crowd_text = f"{goals_home}:{goals_away}", _de_number(crowd, 0)
    else:
        verdict = "beat" if won else "lost to" if lost else "drew with"
        score, crowd_text = f"{goals_home}-{goals_away}", f"{crowd:,}"
    values = {
        "home": home,
        "away": away,
        "home_short": home_short,
        "score": score,
        "verdict": verdict,
        "weekday": WEEKDAYS[lang][day.weekday()],
        "league": rng.choice(LEAGUES[lang]),
        "crowd": crowd_text,
    }
    first = rng.choice(phrases["first"]).format(**values)
    quote, place = rng.choice(phrases["quote"]), rng.randint(1, 18)
    if lang == "de":
        title = f"{home} {'siegt' if won else 'patzt'} gegen {away_short}: {score}"
        body = [
            f"{first} Vor {crowd_text} Zuschauern trafen {goals or 'keine Spieler'}.",
            rng.choice(phrases["play"]).format(**values),
            f"„{quote}“, sagte Trainer {coach} nach dem Spiel. In der Tabelle steht der {home} auf Platz {place}.",
        ]
        if rng.random() < 0.5:
            body.append(f"Am kommenden Wochenende empfangen die {home_short} den {rng.choice(clubs)[0]}.")
    else:
        title = f"{home} {verdict} {away_short} {score}"
        body = [
            first + (f" The goals came from {goals}." if goals else " Neither side found the net."),
            rng.choice(phrases["play"]).format(**values),
            f"“{quote},” manager {coach} said afterwards. The result leaves {home_short} in place {place}.",
        ]
    return TemplateStory(title, tuple(body))


MARKET_PHRASES = {
    "de": {
        "title": ("Anleger warten auf die EZB", "US-Daten im Blick", "Zinssorgen belasten", "Gewinnmitnahmen"),
        "driver": (
            "Im Blick der Anleger standen Konjunkturdaten aus den USA und Aussagen aus der Europäischen "
            "Zentralbank (EZB).",
            "Händler verwiesen auf die anstehende Zinsentscheidung der EZB und auf neue Inflationsdaten aus den USA.",
            "Marktbeobachter sprachen von einem ruhigen Handel; viele Anleger hielten sich vor der Sitzung der "
            "US-Notenbank Fed zurück.",
        ),
        "reason": (
            "ein Analyst sein Kursziel angehoben hatte",
            "das Unternehmen Zahlen vorgelegt hatte",
            "Medien über einen Stellenabbau berichtet hatten",
        ),
    },
    "en": {
        "title": ("investors await the Fed", "oil prices swing", "earnings season heats up", "bond yields climb"),
        "driver": (
            "Investors are watching for signals from the Federal Reserve about where interest rates are headed.",
            "Traders pointed to new inflation data and the Federal Reserve's next policy meeting.",
            "Trading was light, with many investors waiting for the Fed's decision later in the week.",
        ),
        "reason": ("the company reported results", "an analyst upgraded the stock", "reports of job cuts"),
    },
}


def market_close(lang: str, rng: random.Random, day: date, _: int) -> TemplateStory:
    """The daily stock market close."""
    weekday, phrases = WEEKDAYS[lang][day.weekday()], MARKET_PHRASES[lang]
    change, up, mover = round(rng.uniform(0.1, 2.4), 2), rng.random() < 0.5, round(rng.uniform(1.5, 7.5), 1)
    driver, reason = rng.choice(phrases["driver"]), rng.choice(phrases["reason"])
    if lang == "de":
        points, mdax, euro = rng.uniform(15000, 19500), rng.uniform(24000, 28000), rng.uniform(1.03, 1.12)
        company, gained = rng.choice(DE_COMPANIES), rng.random() < 0.5
        title = f"Dax {'legt zu' if up else 'gibt nach'} - {rng.choice(phrases['title'])}"
        body = (
            f"FRANKFURT (dpa-AFX) - Der Dax hat am {weekday} {'fester' if up else 'schwächer'} geschlossen. Der "
            f"deutsche Leitindex {'stieg' if up else 'fiel'} um {_de_number(change, 2)} Prozent auf "
            f"{_de_number(points, 2)} Punkte.",
            f"Der MDax der mittelgroßen Werte {'gewann' if rng.random() < 0.5 else 'verlor'} "
            f"{_de_number(rng.uniform(0.1, 2), 2)} Prozent auf {_de_number(mdax, 2)} Zähler. Der Eurozonen-Leitindex "
            f"EuroStoxx 50 schloss {'im Plus' if up else 'im Minus'}.",
            driver,
            f"Unter den Einzelwerten {'gewannen' if gained else 'verloren'} die Aktien von {company} "
            f"{_de_number(mover, 1)} Prozent, nachdem {reason}.",
            f"Der Euro kostete zuletzt {_de_number(euro, 4)} US-Dollar. Die EZB hatte den Referenzkurs am Nachmittag "
            f"auf {_de_number(euro - 0.0021, 4)} Dollar festgesetzt.",
        )
        return TemplateStory(title, body)
    points, nasdaq, company = rng.uniform(17000, 19500), rng.uniform(4500, 5400), rng.choice(EN_COMPANIES)
    title = f"Stocks {'rise' if up else 'fall'} on Wall Street as {rng.choice(phrases['title'])}"
    yields = sorted(round(rng.uniform(1.5, 4.8), 2) for _ in range(2))
    body = (
        f"NEW YORK (AP) — Stocks {'rose' if up else 'fell'} on Wall Street on {weekday}. The S&P 500 "
        f"{'gained' if up else 'lost'} {change} percent, and the Dow Jones Industrial Average "
        f"{'rose' if up else 'fell'} {rng.randint(40, 420)} points to {points:,.2f}.",
        f"The Nasdaq composite {'climbed' if rng.random() < 0.5 else 'slipped'} {round(rng.uniform(0.1, 2), 2)} "
        f"percent to {nasdaq:,.2f}.",
        driver,
        f"Shares of {company} {'jumped' if rng.random() < 0.5 else 'dropped'} {mover} percent after {reason}.",
        f"The yield on the 10-year Treasury {'rose' if up else 'fell'} to {yields[up]} percent from "
        f"{yields[not up]} percent late on the day before.",
    )
    return TemplateStory(title, body)


WEATHER_PHRASES = {
    "de": {
        "title": ("Regen und Wind", "Sonne satt", "Gewitter möglich", "Nebel am Morgen"),
        "mood": ("wechselhaft", "ruhig", "unbeständig", "freundlich"),
        "sky": ("von Westen Wolken auf", "einzelne Schauer durch", "kaum Wolken über das Land"),
        "wind": ("schwach", "mäßig", "frisch"),
        "direction": ("Südwest", "West", "Nordost"),
        "extra": (
            "Im Bergland sind stürmische Böen möglich, warnte der DWD.",
            "Zum Wochenende wird es nach der Prognose der Meteorologen etwas milder.",
            "Auf den Straßen kann es am Morgen glatt werden, vor allem oberhalb von {height} Metern.",
        ),
    },
    "en": {
        "title": ("rain and wind", "sunny and mild", "storms possible", "foggy start"),
        "mood": ("unsettled", "quiet", "changeable", "pleasant"),
        "sky": ("clouds moving in from the west", "scattered showers", "mostly clear skies"),
        "wind": ("light", "moderate", "gusty"),
        "direction": ("southwest", "west", "northeast"),
        "extra": (
            "Forecasters warned of strong gusts in higher areas.",
            "The weekend looks a little milder, forecasters said.",
            "Roads could be slick in the morning, especially above {height} feet.",
        ),
    },
}


def weather_report(lang: str, rng: random.Random, day: date, region: int) -> TemplateStory:
    """Tomorrow's weather for a region."""
    place = REGIONS[lang][region % len(REGIONS[lang])]
    weekday = WEEKDAYS[lang][(day.weekday() + 1) % 7]
    phrases = WEATHER_PHRASES[lang]
    mood, sky, wind, direction = (rng.choice(phrases[key]) for key in ("mood", "sky", "wind", "direction"))
    extra = rng.choice(phrases["extra"]).format(height=rng.randrange(300, 800, 100) * (1 if lang == "de" else 5))
    if lang == "de":
        low = rng.randint(-3, 12)
        high = max(rng.randint(4, 28), low + 3)
        title = f"Wetter in {place}: {rng.choice(phrases['title'])} am {weekday}"
        body = (
            f"Das Wetter in {place} bleibt {mood}. Am {weekday} ziehen nach Angaben des Deutschen Wetterdienstes "
            f"(DWD) in Offenbach {sky}.",
            f"Die Höchstwerte liegen zwischen {high - 3} und {high} Grad, nachts kühlt es auf {low} bis {low + 2} "
            f"Grad ab. Der Wind weht {wind} aus {direction}.",
            extra,
        )
        return TemplateStory(title, body)
    low = rng.randint(20, 55)
    high = max(rng.randint(40, 92), low + 6)
    title = f"{place} weather: {rng.choice(phrases['title'])} on {weekday}"
    body = (
        f"Weather in {place} stays {mood} on {weekday}, according to the National Weather Service, with {sky}.",
        f"Highs will reach {high - 4} to {high} degrees, with lows around {low}. Winds will be {wind} out of the "
        f"{direction}.",
        extra,
    )
    return TemplateStory(title, body)


POLICE_STREETS = {
    "de": (("Linden", "Bahnhof", "Schiller", "Mühlen", "Garten"), ("straße", "weg", "allee")),
    "en": (("Maple", "Oak", "Cedar", "Elm", "Washington"), (" Street", " Avenue", " Road")),
}
POLICE_INCIDENTS = {
    "de": (
        (
            "Einbruch",
            "sind unbekannte Täter in ein Wohnhaus in der {street} eingebrochen. Sie erbeuteten Schmuck und "
            "Bargeld im Wert von rund {amount} Euro.",
        ),
        (
            "Unfall",
            "ist ein {age}-jähriger Autofahrer in der {street} mit einem Radfahrer zusammengestoßen. Der "
            "Radfahrer wurde leicht verletzt, der Sachschaden beträgt etwa {amount} Euro.",
        ),
        (
            "Diebstahl",
            "haben Unbekannte in der {street} {count} Fahrräder aus einem Keller gestohlen. Der Schaden liegt "
            "bei rund {amount} Euro.",
        ),
    ),
    "en": (
        ("burglary", "a home on {street} was burglarized. Jewelry and cash worth about ${amount} were taken."),
        ("crash", "a {age}-year-old driver struck a cyclist on {street}. The cyclist suffered minor injuries."),
        ("theft", "{count} bicycles were stolen from a garage on {street}, worth about ${amount}."),
    ),
}
POLICE_AFTER = {
    "de": (
        "Die Polizei hat die Ermittlungen aufgenommen.",
        "Ein {age}-jähriger Zeuge hatte die Beamten alarmiert.",
        "Eine Fahndung im Umfeld blieb bislang ohne Erfolg.",
    ),
    "en": (
        "Officers are investigating.",
        "A {age}-year-old witness called police.",
        "A search of the area turned up no suspects so far.",
    ),
}


def police_report(lang: str, rng: random.Random, day: date, city: int) -> TemplateStory:
    """A police report of a city's police: an incident, a witness appeal and the phone number."""
    place, phone = POLICE_CITIES[lang][city % len(POLICE_CITIES[lang])]
    names, kinds = POLICE_STREETS[lang]
    amount = rng.randrange(800, 15000, 100)
    values = {
        "street": rng.choice(names) + rng.choice(kinds),
        "age": rng.randint(17, 78),
        "count": rng.randint(2, 9),
        "amount": _de_number(amount, 0) if lang == "de" else f"{amount:,}",
    }
    what, incident = rng.choice(POLICE_INCIDENTS[lang])
    after = rng.choice(POLICE_AFTER[lang]).format(**values)
    weekday, hour, minute = WEEKDAYS[lang][day.weekday()], rng.randint(0, 23), rng.randrange(0, 60, 5)
    if lang == "de":
        title = f"Polizei {place}: {what} in der {values['street']}"
        body = (
            f"{place} (ots) - Am {weekday} gegen {hour:02d}:{minute:02d} Uhr {incident.format(**values)}",
            after,
            f"Zeugen, die verdächtige Beobachtungen gemacht haben, werden gebeten, sich bei der Polizeiinspektion "
            f"{place} unter der Telefonnummer {phone} zu melden.",
        )
        return TemplateStory(title, body)
    clock = f"{(hour % 12) or 12}:{minute:02d} {'a.m.' if hour < 12 else 'p.m.'}"
    title = f"{place} police investigate {what} on {values['street']}"
    body = (
        f"{place} police said that at about {clock} on {weekday} {incident.format(**values)}",
        after,
        f"Anyone with information is asked to call the {place} Police Department at {phone}.",
    )
    return TemplateStory(title, body)


TemplateWriter = Callable[[str, random.Random, date, int], TemplateStory]
TEMPLATE_KINDS: dict[str, TemplateWriter] = {
    "template_match_report": match_report,
    "template_market_close": market_close,
    "template_weather": weather_report,
    "template_police_report": police_report,
}
