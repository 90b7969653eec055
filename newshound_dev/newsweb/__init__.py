"""A local news web for tests, demos and benchmarks: feeds and pages built from the shared corpus."""

from newshound_dev.newsweb.server import Fault, NewsWebServer
from newshound_dev.newsweb.site import NewsSite, Outlet, SiteArticle

__all__ = ["Fault", "NewsSite", "NewsWebServer", "Outlet", "SiteArticle"]
