"""What customers write about: the words and two-word phrases their free-text answers share.

Pure Python over plain text, so reports, exports and tests count alike, without any
outside service. A text is lower-cased, links and e-mail addresses are dropped, and it is
cut into words of letters; numbers, words shorter than `MIN_LENGTH` and the language's
stop words are left out (they also break phrases: "delivery was late" has no phrase,
"late delivery" has one). Words of one theme are told apart by a *key*: the word with
its inflection taken off by a short, per-language suffix list (`SUFFIXES`), longest
suffix first and never below `MIN_STEM` letters, so Polish "dostawa", "dostawy",
"dostawie" and "dostawę" are one theme, keyed "dostaw". This is a light stemmer, not a
dictionary: it misses stem changes ("paczka"/"paczce") and may join a few unrelated
words, which is fine for spotting what many customers mention. A theme is shown by the
spelling customers use most, and counted once per response however often it repeats.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from survey_forms.definition import FormDefinition, Question

TEXT_TYPES = ("short_text", "long_text")
# Short answers that name the customer rather than say what they think.
PERSONAL_QUESTIONS = frozenset({"name", "first_name", "last_name", "full_name", "phone"})
MIN_LENGTH = 3  # shorter words say little on their own ("ok", "im", "да")
MIN_STEM = 3  # a suffix is taken off only if this many letters stay


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _endings(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words that carry no theme, per language: articles, pronouns, auxiliaries, conjunctions,
# prepositions, and the fillers of feedback ("very", "bardzo"). Words shorter than
# MIN_LENGTH are dropped anyway, so they are not listed.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        """
        about above after again against all also and any are aren't because been before
        being below between both but can can't cannot could couldn't did didn't does doesn't
        doing don't down during each even ever every few for from further get got had hadn't
        has hasn't have haven't having her here hers herself him himself his how i'd i'll
        i'm i've into isn't it's its itself just let's more most much mustn't myself not
        now off once one only other our ours ourselves out over own really same she she'd
        should shouldn't some still such than that that's the their theirs them themselves
        then there there's these they they'd they'll they're they've this those through
        too under until very was wasn't way we'd we'll we're we've were weren't what what's
        when where which while who whom why will with won't would wouldn't yes you you'd
        you'll you're you've your yours yourself yourselves thanks thank please also quite
        bit lot lots like thing things something anything everything
        """
    ),
    "pl": _words(
        """
        ale ani aby bardzo bez bo być był była było były będzie będą by byli czy czyli dla
        do dlaczego gdy gdzie go ich ile im jak jaki jakie jako jest jestem jeszcze jednak
        jej jego już ją każdy kiedy kto która które który których lub ma mam mają mi mnie
        mnie mogę może można mój moja moje mu na nad nam nas nawet nic nie niż nich nim
        no od oraz po pod przez przy się sobie są ta tak także tam te tego tej tem ten
        teraz też to tu tutaj tych tym tylko wam was we więc wszystko wszystkie za ze że
        żeby już zawsze trochę dziękuję dzięki proszę coś czego czym ponieważ jakby jakoś
        było mogła mogłaby mogłoby mógłby powinna powinno bym była raz razy
        """
    ),
    "ru": _words(
        """
        без более бы был была были было быть вам вас весь во вот все всё всего всех вы
        где да даже для до его ее её если есть ещё еще же за здесь из или им их как
        какой когда кто ли либо мне мной может мы на над нам нас не него нее неё нет ни
        них но ну об однако он она они оно от очень по под при про раз с сам свой себя
        так также там тем то того тоже той только том тот ту тут у уже хотя чем что
        чтобы эта эти это этот мой моя моё мои меня было будет спасибо пожалуйста всё
        могла могли мог могло бы немного чуть просто
        """
    ),
    "sl": _words(
        """
        ali bil bila bile bili bilo biti bo bodo brez da dva gre grem hvala iz jaz je
        jih kaj kako kar kdo ker kjer kot lahko le med mene mi mislim moj moja moje na
        nad naj nam nas ne nekaj nič niso ni nisem od ona oni ono pa po pod pri prav
        res sem smo so sta ste še tako tam tega tem ter to toda tudi tukaj vam vas več
        vse za zato že zelo čeprav sicer bolj malo mogla mogel mogli prosim bila bilo
        """
    ),
}

# Inflectional endings, taken off longest first. Modest lists of the commonest noun and
# adjective endings per language; endings that also close common stems are left out
# ("-em", "-emu": Polish "problem"/"problemu", Russian "проблем"), so a few forms stay
# apart.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": ("ing", "ed", "es", "s", "e", "y"),
    "pl": _endings("ami ach ego ymi imi ych ich owi om ów ie ej ym im ę ą a y i u e o"),
    "ru": _endings(
        """иями ами ями ого его ому ему ыми ими ией ием ах ях ия ию ии ом ов ей ой ий ый ая
        яя ое ее ые ие ых их ым им ую юю ам ям ть а я о е и ы у ю ь"""
    ),
    "sl": _endings("ami ega ih im ah am om ov a e i o u"),
}

# The same endings as sets per length, longest first: a lookup per length, not per suffix.
_ENDINGS_BY_LENGTH = {
    language: [
        (length, frozenset(e for e in endings if len(e) == length))
        for length in sorted({len(e) for e in endings}, reverse=True)
    ]
    for language, endings in SUFFIXES.items()
}
_LINK = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+", re.IGNORECASE)
# A word of letters (an apostrophe may join two: "didn't"), or anything else that is
# not a space: a number or punctuation, which ends a phrase.
_PIECE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\S")


def text_questions(definition: FormDefinition) -> list[Question]:
    """The questions whose answers customers write themselves (not their name)."""
    return [
        q
        for q in definition.questions
        if q.type in TEXT_TYPES and not (q.type == "short_text" and q.id in PERSONAL_QUESTIONS)
    ]


def mention_pattern(words: str) -> str:
    """A LIKE pattern for text holding these lower-case words (or stems) in this order."""
    return "%" + "%".join(words.split()) + "%"


def language_of(locale: str | None) -> str:
    """The two-letter language of a response's locale ("pl-PL" -> "pl")."""
    return (locale or "").strip().lower()[:2]


def stem(word: str, language: str) -> str:
    """The key of a lower-case word: without its inflectional ending (see the module)."""
    if language == "en":
        if word.endswith("'s"):
            word = word[:-2]
        if word.endswith(("ies", "ied")) and len(word) > 4:
            word = word[:-3] + "y"
    for length, endings in _ENDINGS_BY_LENGTH.get(language, ()):
        if len(word) - length >= MIN_STEM and word[-length:] in endings:
            word = word[:-length]
            break
    # "shipped"/"shipping" -> "shipp" -> "ship"; "call"/"called" keep their "ll".
    if language == "en" and len(word) > MIN_STEM and word[-1] == word[-2] not in "aeiouyls":
        word = word[:-1]
    return word


# Customers use the same few thousand words over and over: each is stemmed once.
_stem_of = lru_cache(maxsize=2**16)(stem)


def themes_of(text: str, language: str) -> dict[str, str]:
    """Each theme `text` mentions once: key -> the spelling it was written in.

    Words, and two words written next to each other with no stop word, number or
    punctuation between them ("late delivery": key "lat deliver").
    """
    stops = STOP_WORDS.get(language, STOP_WORDS["en"])
    found: dict[str, str] = {}
    previous: tuple[str, str] | None = None  # the last kept word, if the phrase goes on
    text = text.lower().replace("’", "'").replace("ʼ", "'").replace("ё", "е")
    if "@" in text or "http" in text or "www." in text:
        text = _LINK.sub(" . ", text)
    for piece in _PIECE.findall(text):
        if len(piece) < MIN_LENGTH or not piece[0].isalpha() or piece in stops:
            previous = None
            continue
        key = _stem_of(piece, language)
        found.setdefault(key, piece)
        if previous is not None:
            found.setdefault(f"{previous[0]} {key}", f"{previous[1]} {piece}")
        previous = (key, piece)
    return found


@dataclass(frozen=True)
class Theme:
    key: str  # the stems, space-separated for a phrase
    text: str  # the spelling customers use most
    responses: int  # how many responses mention it

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.key.split())


class ThemeCounter:
    """Counts the themes of many responses, each response's once; memory grows with the
    number of distinct themes, not with the responses."""

    def __init__(self) -> None:
        self.responses = 0  # responses with any text that was read
        self._counts: Counter[str] = Counter()
        # A key's one spelling, or a Counter once customers spell it two ways: most keys
        # are met once, and a plain string costs a fraction of a Counter.
        self._spellings: dict[str, str | Counter[str]] = {}

    def add(self, texts: Iterable[str], language: str) -> Iterable[str]:
        """Count one response's texts; the keys of the themes it mentions."""
        found: dict[str, str] = {}
        for text in texts:
            if found:
                for key, spelling in themes_of(text, language).items():
                    found.setdefault(key, spelling)
            else:
                found = themes_of(text, language)
        if not found:
            return set()
        self.responses += 1
        self._counts.update(found.keys())
        spellings = self._spellings
        for key, spelling in found.items():
            known = spellings.setdefault(key, spelling)
            if known == spelling:
                continue
            if isinstance(known, Counter):
                known[spelling] += 1
            else:  # the first other spelling: all before were `known`
                counted = Counter({known: self._counts[key] - 1})
                counted[spelling] += 1
                spellings[key] = counted
        return found.keys()

    def count(self, key: str) -> int:
        return self._counts.get(key, 0)

    def top(self, how_many: int) -> list[Theme]:
        """The most mentioned themes, most first (then alphabetically).

        A word is left out when a phrase holding it is mentioned by as many responses:
        "late delivery" says more than "late" alone.
        """
        ranked = sorted(self._counts.items(), key=lambda item: (-item[1], item[0]))
        phrases: dict[str, int] = {}
        for key, n in ranked:
            if " " in key:
                for word in key.split():
                    phrases[word] = max(phrases.get(word, 0), n)
        themes: list[Theme] = []
        for key, n in ranked:
            if n < 2:
                break  # what one response says is not a recurring theme
            if " " not in key and phrases.get(key, 0) >= n:
                continue
            spellings = self._spellings[key]
            if isinstance(spellings, Counter):
                # Ties go to the shortest, then the first in the alphabet.
                spelling = min(spellings.items(), key=lambda s: (-s[1], len(s[0]), s[0]))[0]
            else:
                spelling = spellings
            themes.append(Theme(key, spelling, n))
            if len(themes) == how_many:
                break
        return themes
