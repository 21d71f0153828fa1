from charter.comms.views import (
    log,
    meetings,
    occurrences,
    plan,
    robots,
    templates,
    unsubscribe,
)

app_name = "comms"

# Each views module lists its own routes in ``urls``.
urlpatterns = [
    *robots.urls,
    *log.urls,
    *meetings.urls,
    *plan.urls,
    *occurrences.urls,
    *templates.urls,
    *unsubscribe.urls,
]
