from hypothesis import given
from hypothesis import strategies as st

from charter.core import tokens

NONCES = st.text(min_size=1, max_size=40)


@given(NONCES)
def test_a_link_token_is_recomputed_from_its_nonce(nonce):
    token = tokens.link_token("respond", nonce)
    assert token == tokens.link_token("respond", nonce)
    assert tokens.digest(token) != token and len(tokens.digest(token)) == 64


@given(NONCES, NONCES)
def test_purposes_and_nonces_give_different_tokens(nonce, other):
    assert tokens.link_token("respond", nonce) != tokens.link_token("confirm", nonce)
    if nonce != other:
        assert tokens.link_token("respond", nonce) != tokens.link_token("respond", other)


def test_the_token_depends_on_the_secret_key(settings):
    before = tokens.link_token("respond", "n")
    settings.SECRET_KEY = "another secret key that is long enough for the check"
    assert tokens.link_token("respond", "n") != before


def test_fresh_nonces_differ():
    assert len({tokens.new_nonce() for _ in range(100)}) == 100
