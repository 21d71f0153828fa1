from charter.planning.views import (
    baselines,
    calendars,
    client_plan,
    conversion,
    exchange,
    goals,
    plan,
    projects,
    raid,
    tasks,
    templates,
)

app_name = "planning"

# Each views module lists its own routes in ``urls``.
urlpatterns = [
    *projects.urls,
    *conversion.urls,
    *templates.urls,
    *plan.urls,
    *tasks.urls,
    *baselines.urls,
    *client_plan.urls,
    *exchange.urls,
    *calendars.urls,
    *raid.urls,
    *goals.urls,
]
