from charter.comms import views, views_log, views_meetings

app_name = "comms"

urlpatterns = [*views.urls, *views_log.urls, *views_meetings.urls]
