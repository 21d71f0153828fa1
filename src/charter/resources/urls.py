from charter.resources.views import budget, leveling, needs, pool, timesheets, utilisation

app_name = "resources"

# Each views module lists its own routes in ``urls``.
urlpatterns = [
    *pool.urls,
    *timesheets.urls,
    *utilisation.urls,
    *leveling.urls,
    *budget.urls,
    *needs.urls,
]
