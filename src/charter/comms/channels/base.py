"""What every chat-robot adapter takes and answers."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatMessage:
    """One message as every robot can show it: a title, plain text, and the same as Markdown
    (each adapter picks the form its robot renders best), with an optional link."""

    title: str
    text: str
    markdown: str
    link: str = ""


@dataclass(frozen=True)
class Delivery:
    """How a post went. ``ok``: the robot accepted it. Otherwise ``permanent`` says whether
    trying again can help (a bad key or signature: no; rate limit, timeout, 5xx: yes), and
    ``answer`` is the remote's own text (its error code and message) to show the owner."""

    ok: bool
    permanent: bool
    answer: str
    status: int | None = None  # the HTTP status, None when no answer came
