"""Settings of the baseline server the search benchmark starts: the project's settings with
a URLConf that serves a plain DRF list view (bench/baseline_urls.py) and the search API as
it was before issue 10 (bench/before.py), with the middleware and DRF settings of then."""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE as PROJECT_MIDDLEWARE
from config.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.baseline_urls"

# The project's stack without what was added to it after main before issue 10 (e262384), so
# "before" is measured with the stack it had. A name missing from the project's list fails
# loudly here instead of leaving a middleware in by accident.
ADDED_SINCE_BEFORE = [
    "django_guid.middleware.guid_middleware",
    "ops.middleware.RequestObservationMiddleware",
    "api.middleware.RequestGuardMiddleware",
]
_unknown = [name for name in ADDED_SINCE_BEFORE if name not in PROJECT_MIDDLEWARE]
if _unknown:
    raise RuntimeError(f"bench/settings.py: not in the project's MIDDLEWARE any more: {_unknown}")
MIDDLEWARE = [name for name in PROJECT_MIDDLEWARE if name not in ADDED_SINCE_BEFORE]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
}
