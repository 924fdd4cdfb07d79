app_name = "emergencyplan"
urlpatterns: list = []
