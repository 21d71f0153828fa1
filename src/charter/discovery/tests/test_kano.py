import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charter.discovery.choices import KanoAnswer, KanoCategory
from charter.discovery.kano import ANSWERS, Answer, Category, classify, tally

# The table written out by hand, row = functional answer, column = dysfunctional answer.
EXPECTED = """
          like  expect neutral tolerate dislike
like      Q     A      A       A        O
expect    R     I      I       I        M
neutral   R     I      I       I        M
tolerate  R     I      I       I        M
dislike   R     R      R       R        Q
"""
LETTERS = {
    "A": "attractive",
    "O": "performance",
    "M": "must_be",
    "I": "indifferent",
    "R": "reverse",
    "Q": "questionable",
}


def _expected_cells():
    header, *rows = EXPECTED.strip().splitlines()
    columns = header.split()
    for row in rows:
        functional, *letters = row.split()
        for dysfunctional, letter in zip(columns, letters, strict=True):
            yield functional, dysfunctional, LETTERS[letter]


@pytest.mark.parametrize(("functional", "dysfunctional", "category"), list(_expected_cells()))
def test_the_whole_evaluation_table(functional, dysfunctional, category):
    assert classify(functional, dysfunctional) == category


def test_the_values_match_the_model_choices():
    assert [answer.value for answer in Answer] == KanoAnswer.values
    assert {category.value for category in Category} == set(KanoCategory.values)


def test_an_unknown_answer_is_refused():
    with pytest.raises(ValueError):
        classify("love", "dislike")


def test_a_tally_counts_and_computes_the_coefficients():
    pairs = [("like", "dislike")] * 2 + [("like", "neutral")] + [("expect", "dislike")]
    result = tally(pairs)
    assert result.counts[Category.PERFORMANCE] == 2
    assert result.counts[Category.ATTRACTIVE] == 1
    assert result.counts[Category.MUST_BE] == 1
    assert result.answers == 4
    assert result.result == Category.PERFORMANCE
    assert result.better == pytest.approx(3 / 4)
    assert result.worse == pytest.approx(-3 / 4)


@pytest.mark.parametrize(
    ("pairs", "winner"),
    [
        ([("expect", "dislike"), ("like", "dislike")], Category.MUST_BE),  # M = O → M
        ([("like", "dislike"), ("like", "neutral")], Category.PERFORMANCE),  # O = A → O
        ([("like", "neutral"), ("neutral", "neutral")], Category.ATTRACTIVE),  # A = I → A
        ([("neutral", "neutral"), ("dislike", "like")], Category.INDIFFERENT),  # I = R → I
    ],
)
def test_ties_go_m_then_o_then_a_then_i(pairs, winner):
    assert tally(pairs).result == winner


def test_no_answers_means_no_result():
    empty = tally([])
    assert (empty.answers, empty.result, empty.better, empty.worse) == (0, None, None, None)


def test_only_reverse_and_questionable_answers_leave_the_coefficients_open():
    result = tally([("dislike", "like"), ("like", "like")])
    assert result.result == Category.REVERSE
    assert (result.better, result.worse) == (None, None)


answers = st.sampled_from([answer.value for answer in ANSWERS])
pairs = st.lists(st.tuples(answers, answers), max_size=60)
SWAP = {"like": "dislike", "dislike": "like"}


def _swapped(answer):
    return SWAP.get(answer, answer)


@given(pairs)
def test_counts_sum_to_the_answers(pairs):
    result = tally(pairs)
    assert sum(result.counts.values()) == result.answers == len(pairs)


@given(pairs)
def test_coefficients_stay_in_range(pairs):
    result = tally(pairs)
    if result.better is not None:
        assert 0 <= result.better <= 1
        assert -1 <= result.worse <= 0


@given(pairs)
def test_the_result_has_the_most_answers(pairs):
    result = tally(pairs)
    if pairs:
        assert result.counts[result.result] == max(result.counts.values())


@given(answers, answers)
def test_swapping_like_and_dislike_on_both_sides_reverses_the_feature(functional, dysfunctional):
    before = classify(functional, dysfunctional)
    after = classify(_swapped(functional), _swapped(dysfunctional))
    if before in (Category.ATTRACTIVE, Category.PERFORMANCE, Category.MUST_BE):
        assert after == Category.REVERSE
    if before in (Category.INDIFFERENT, Category.QUESTIONABLE):
        assert after == before
    if before == Category.REVERSE:
        assert after in (Category.ATTRACTIVE, Category.PERFORMANCE, Category.MUST_BE)


@given(st.sampled_from(["expect", "neutral", "tolerate"]))
def test_an_attractive_answer_swapped_is_reverse(middle):
    assert classify("like", middle) == Category.ATTRACTIVE
    assert classify("dislike", middle) == Category.REVERSE


def test_the_module_imports_nothing_from_django():
    code = (
        "import sys, charter.discovery.kano; "
        "sys.exit(any(name.startswith('django') for name in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
