"""Outbox throughput: what storing, claiming and recording each e-mail cost on top of sending it.

On a throwaway SQLite database with production settings, SIZE e-mails (plain text + HTML) go to
a local SMTP server (charter.testing.fake_smtp, aiosmtpd):

- ours: ``outbox.enqueue_email`` for each — store it, then its delivery task (run inline here,
  as a worker would pick it up) claims it under a lock with a lease, sends it through the
  configured mailer and records the answer;
- reference: Django's ``EmailMultiAlternatives.send()`` of the same messages through the same
  mailer, with no outbox.

The SMTP server must have received every message of both runs (checked, outside the timing).
Figures are medians of RUNS runs, per message.

    python bench/outbox.py [--size 200] [--runs 3]
"""

import argparse
import itertools
import logging
import statistics
import time

from _harness import report, setup_django

NAME = "outbox"
SUBJECT = "项目周报 PRJ-2026-0001 · weekly status"
TEXT = "本周完成：需求规格说明书确认。下周计划：业务蓝图设计。\n" * 10
HTML = "<p>" + TEXT.replace("\n", "<br>") + "</p>"


def ours(size: int, run: int) -> float:
    from charter.comms import outbox

    keys = [f"bench:{run}:{number}" for number in range(size)]
    started = time.perf_counter()
    for key in keys:
        outbox.enqueue_email(key=key, to=["pm@example.com"], subject=SUBJECT, text=TEXT, html=HTML)
    return (time.perf_counter() - started) / size


def reference(size: int) -> float:
    from django.core.mail import EmailMultiAlternatives

    started = time.perf_counter()
    for _ in range(size):
        message = EmailMultiAlternatives(SUBJECT, TEXT, to=["pm@example.com"])
        message.attach_alternative(HTML, "text/html")
        message.send()
    return (time.perf_counter() - started) / size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200, help="e-mails per run")
    parser.add_argument("--runs", type=int, default=3, help="timed runs")
    options = parser.parse_args()

    setup_django()
    from django.test.utils import override_settings

    from charter.comms.models import OutboxMessage
    from charter.testing.fake_smtp import FakeSmtp

    logging.getLogger("django.tasks").setLevel(logging.WARNING)  # one line per task otherwise
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with FakeSmtp() as smtp, override_settings(MAILERS=smtp.mailers(), TASKS=immediate):
        runs = itertools.count()
        ours_s = statistics.median(ours(options.size, next(runs)) for _ in range(options.runs))
        reference_s = statistics.median(reference(options.size) for _ in range(options.runs))
        expected = 2 * options.size * options.runs
        if len(smtp.messages) != expected:
            raise RuntimeError(f"the SMTP server got {len(smtp.messages)} of {expected} e-mails")
        sent = OutboxMessage.objects.filter(status="sent").count()
        if sent != options.size * options.runs:
            raise RuntimeError(f"{sent} outbox messages sent of {options.size * options.runs}")
    report(
        NAME,
        size=options.size,
        ours_s=ours_s,
        reference_s=reference_s,
        ratio=ours_s / reference_s,
        per_second=1 / ours_s,
    )


if __name__ == "__main__":
    main()
