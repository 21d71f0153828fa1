"""Settings from the environment, checked through the real ``charter`` command."""

import secrets

from charter.testing.processes import charter_env, run_charter

PRINT_KEY = "from django.conf import settings; print('KEY=' + settings.SECRET_KEY)"


def printed_key(result):
    assert result.returncode == 0, result.stderr
    return next(line[4:] for line in result.stdout.splitlines() if line.startswith("KEY="))


def test_production_without_a_secret_key_is_a_clear_error(tmp_path):
    env = charter_env(tmp_path, CHARTER_SECRET_KEY=None, CHARTER_DEBUG=None)
    result = run_charter("check", env=env)
    assert result.returncode != 0
    assert "CHARTER_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_setting_is_a_clear_error(tmp_path):
    result = run_charter("check", env=charter_env(tmp_path, CHARTER_DEBUG="maybe"))
    assert result.returncode != 0
    assert "CHARTER_DEBUG must be true or false" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_generates_a_key_once_and_reuses_it(tmp_path):
    env = charter_env(tmp_path / "var", CHARTER_SECRET_KEY=None, CHARTER_DEBUG="true")
    first = printed_key(run_charter("shell", "-c", PRINT_KEY, env=env))
    stored = (tmp_path / "var" / "secret_key").read_text().strip()
    assert first == stored and len(first) >= 50
    assert printed_key(run_charter("shell", "-c", PRINT_KEY, env=env)) == first


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = charter_env(
        tmp_path / "fresh-install",  # ./var/ does not exist yet
        CHARTER_SECRET_KEY=secrets.token_urlsafe(50),
        CHARTER_ALLOWED_HOSTS="charter.example.com",
        CHARTER_HTTPS=None,
    )
    result = run_charter("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_other_words_go_to_django(tmp_path):
    env = charter_env(tmp_path)
    result = run_charter("showmigrations", "crm", env=env)
    assert result.returncode == 0, result.stderr
    assert "0001_initial" in result.stdout
    assert run_charter("no-such-command", env=env).returncode != 0
