from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """?page=N&page_size=M, M capped so a single request can't ask for the whole table."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200
