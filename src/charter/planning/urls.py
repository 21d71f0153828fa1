from charter.planning.views import conversion, projects, templates

app_name = "planning"

# Each views module lists its own routes in ``urls``.
urlpatterns = [*projects.urls, *conversion.urls, *templates.urls]
