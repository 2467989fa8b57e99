"""Search's own data in PostgreSQL: the synonym rules operators manage (the source of truth;
search reads them from here, never from Elasticsearch)."""

from django.db import models


class SynonymRule(models.Model):
    """One rule, normalised: "tv, television" (each word for the others) or
    "laptop => notebook" (one way: a search for laptop also finds notebooks)."""

    rule = models.CharField(max_length=500, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rule"]

    def __str__(self) -> str:
        return self.rule
