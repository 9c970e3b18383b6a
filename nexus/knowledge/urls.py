app_name = "knowledge"

# The pages are being built; their routes land with them.
urlpatterns: list = []
