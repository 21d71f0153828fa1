"""Personal links become recomputable (charter.core.tokens): every link row gets a nonce, and
links issued before this migration are replaced by new ones (they were never recoverable)."""

from django.db import migrations, models

from charter.core import tokens

PURPOSES = {"invitation": "respond", "confirmationrequest": "confirm"}


def give_every_link_a_nonce(apps, schema_editor):
    for model_name, purpose in PURPOSES.items():
        model = apps.get_model("discovery", model_name)
        for row in model.objects.filter(token_nonce="").only("pk"):
            nonce = tokens.new_nonce()
            token_hash = tokens.digest(tokens.link_token(purpose, nonce))
            model.objects.filter(pk=row.pk).update(token_nonce=nonce, token_hash=token_hash)


class Migration(migrations.Migration):
    dependencies = [("discovery", "0002_questionnaires_sessions_findings_documents")]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="token_nonce",
            field=models.CharField(default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="confirmationrequest",
            name="token_nonce",
            field=models.CharField(default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(give_every_link_a_nonce, migrations.RunPython.noop),
    ]
