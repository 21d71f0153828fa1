from charter.discovery import views

app_name = "discovery"

urlpatterns = views.urls
