from django.urls import path

from search.views import ProductAutocompleteView, ProductCollectionViewSet, TagAutocompleteView

urlpatterns = [
    path(
        "products/",
        ProductCollectionViewSet.as_view({"get": "list", "post": "create"}),
        name="product-list",
    ),
    path("products/autocomplete/", ProductAutocompleteView.as_view(), name="product-autocomplete"),
    path("tags/autocomplete/", TagAutocompleteView.as_view(), name="tag-autocomplete"),
]
