from charter.comms import views

app_name = "comms"

urlpatterns = views.urls
