from django.db import migrations

DEFAULT_STAGES = [
    # (Chinese, English, kind, default probability)
    ("线索", "Lead", "open", 10),
    ("需求确认", "Qualified", "open", 25),
    ("方案报价", "Proposal", "open", 50),
    ("商务谈判", "Negotiation", "open", 75),
    ("赢单", "Won", "won", 100),
    ("输单", "Lost", "lost", 0),
]


def create_default_stages(apps, schema_editor):
    Stage = apps.get_model("crm", "Stage")
    if Stage.objects.exists():
        return
    Stage.objects.bulk_create(
        Stage(name_zh=zh, name_en=en, kind=kind, probability=probability, order=index * 10)
        for index, (zh, en, kind, probability) in enumerate(DEFAULT_STAGES)
    )


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_interaction_project_interaction_users_and_more")]

    operations = [migrations.RunPython(create_default_stages, migrations.RunPython.noop)]
