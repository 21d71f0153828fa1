from charter.resources import views

app_name = "resources"

urlpatterns = views.urls
