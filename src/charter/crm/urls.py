from charter.crm.views import clients

app_name = "crm"

# Each views module lists its own routes in ``urls``.
urlpatterns = [*clients.urls]
