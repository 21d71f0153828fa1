"""The Kano model: classify a feature from paired answers to a functional question (the
feature is there) and a dysfunctional one (it is not). Pure Python, no Django.

The standard evaluation table (rows: functional answer, columns: dysfunctional answer)::

                like  expect  neutral  tolerate  dislike
    like         Q      A       A        A         O
    expect       R      I       I        I         M
    neutral      R      I       I        I         M
    tolerate     R      I       I        I         M
    dislike      R      R       R        R         Q
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Answer(StrEnum):
    """The five answers, with the values of ``discovery.choices.KanoAnswer``."""

    LIKE = "like"
    EXPECT = "expect"
    NEUTRAL = "neutral"
    TOLERATE = "tolerate"
    DISLIKE = "dislike"


class Category(StrEnum):
    """The values of ``discovery.choices.KanoCategory``."""

    MUST_BE = "must_be"
    PERFORMANCE = "performance"
    ATTRACTIVE = "attractive"
    INDIFFERENT = "indifferent"
    REVERSE = "reverse"
    QUESTIONABLE = "questionable"


A, O, M, I, R, Q = (  # noqa: E741 (the letters of the literature)
    Category.ATTRACTIVE,
    Category.PERFORMANCE,
    Category.MUST_BE,
    Category.INDIFFERENT,
    Category.REVERSE,
    Category.QUESTIONABLE,
)

ANSWERS = tuple(Answer)
_TABLE = {
    Answer.LIKE: (Q, A, A, A, O),
    Answer.EXPECT: (R, I, I, I, M),
    Answer.NEUTRAL: (R, I, I, I, M),
    Answer.TOLERATE: (R, I, I, I, M),
    Answer.DISLIKE: (R, R, R, R, Q),
}
TABLE: dict[tuple[Answer, Answer], Category] = {
    (functional, dysfunctional): _TABLE[functional][column]
    for functional in ANSWERS
    for column, dysfunctional in enumerate(ANSWERS)
}

# A tie goes to the category that hurts most when missed: M > O > A > I (then R, Q).
TIE_ORDER = (M, O, A, I, R, Q)


def classify(functional: str, dysfunctional: str) -> Category:
    """The category of one respondent's pair; ValueError for an unknown answer."""
    return TABLE[Answer(functional), Answer(dysfunctional)]


@dataclass(frozen=True)
class Tally:
    """The answers of one feature counted by category, and what they add up to."""

    counts: dict[Category, int]
    answers: int
    result: Category | None  # None without answers
    better: float | None  # (A+O)/(A+O+M+I): how much having it raises satisfaction, 0…1
    worse: float | None  # −(O+M)/(A+O+M+I): how much missing it lowers it, −1…0


def tally(pairs: Iterable[tuple[str, str]]) -> Tally:
    """Count ``(functional, dysfunctional)`` pairs; the result is the most frequent category."""
    counted = Counter(classify(functional, dysfunctional) for functional, dysfunctional in pairs)
    counts = {category: counted.get(category, 0) for category in TIE_ORDER}
    answers = sum(counts.values())
    result = (
        max(TIE_ORDER, key=lambda category: (counts[category], -TIE_ORDER.index(category)))
        if answers
        else None
    )
    relevant = counts[A] + counts[O] + counts[M] + counts[I]
    if not relevant:
        return Tally(counts, answers, result, None, None)
    better = (counts[A] + counts[O]) / relevant
    worse = -(counts[O] + counts[M]) / relevant
    return Tally(counts, answers, result, better, worse)
