"""The error codes catalog's services answer with (the `code` of the one error body)."""

from enum import StrEnum


class CatalogErrorCode(StrEnum):
    TOO_MANY_TAGS = "too_many_tags"  # 409: the product carries MAX_TAGS_PER_PRODUCT tags
    TAG_CONFLICT = "tag_conflict"  # 409: a tag of that name is being created concurrently
