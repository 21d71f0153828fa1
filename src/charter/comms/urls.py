from charter.comms import (
    views,
    views_log,
    views_meetings,
    views_plan,
    views_templates,
    views_unsubscribe,
)

app_name = "comms"

urlpatterns = [
    *views.urls,
    *views_log.urls,
    *views_meetings.urls,
    *views_plan.urls,
    *views_templates.urls,
    *views_unsubscribe.urls,
]
