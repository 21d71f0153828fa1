from charter.resources import views, views_leveling, views_timesheets, views_utilisation

app_name = "resources"

urlpatterns = views.urls + views_timesheets.urls + views_utilisation.urls + views_leveling.urls
