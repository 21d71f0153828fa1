"""A project's phases become summary tasks of its WBS; durations move to working minutes."""

from django.db import migrations

MINUTES_PER_DAY = 480


def phases_to_summary_tasks(apps, schema_editor):
    Phase = apps.get_model("planning", "Phase")
    Task = apps.get_model("planning", "Task")
    Task.objects.update(duration=0)
    for task in Task.objects.filter(is_milestone=False).only("pk", "duration_days"):
        Task.objects.filter(pk=task.pk).update(duration=task.duration_days * MINUTES_PER_DAY)
    project_ids = Task.objects.values_list("project_id", flat=True).distinct()
    for project_id in sorted(
        set(project_ids) | set(Phase.objects.values_list("project_id", flat=True))
    ):
        _renumber(Task, Phase, project_id)


def _renumber(Task, Phase, project_id):
    position = 0
    loose = Task.objects.filter(project_id=project_id, phase__isnull=True).order_by("order", "pk")
    phases = Phase.objects.filter(project_id=project_id).order_by("order", "pk")
    top = 0
    for phase in phases:
        top += 1
        summary = Task.objects.create(
            project_id=project_id,
            name=phase.name,
            order=top,
            wbs=str(top),
            outline_level=1,
            position=position,
            is_summary=True,
            duration=0,
        )
        position += 1
        children = Task.objects.filter(phase=phase).order_by("order", "pk")
        for number, task in enumerate(children, start=1):
            Task.objects.filter(pk=task.pk).update(
                parent=summary,
                order=number,
                wbs=f"{top}.{number}",
                outline_level=2,
                position=position,
            )
            position += 1
    for task in loose:
        top += 1
        Task.objects.filter(pk=task.pk).update(order=top, wbs=str(top), position=position)
        position += 1


class Migration(migrations.Migration):
    dependencies = [("planning", "0003_plan_wbs_calendars_raid")]

    operations = [migrations.RunPython(phases_to_summary_tasks, migrations.RunPython.noop)]
