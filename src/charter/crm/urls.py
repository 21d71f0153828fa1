from charter.crm.views import clients, contacts, imports, interactions, pipeline

app_name = "crm"

# Each views module lists its own routes in ``urls``.
urlpatterns = [*clients.urls, *contacts.urls, *pipeline.urls, *interactions.urls, *imports.urls]
