"""A local news web for tests, demos and benchmarks: feeds and pages built from the shared corpus."""

from pipeline.newsweb.server import Fault, NewsWebServer
from pipeline.newsweb.site import NewsSite, Outlet, SiteArticle

__all__ = ["Fault", "NewsSite", "NewsWebServer", "Outlet", "SiteArticle"]
