"""Swagger UI and ReDoc served entirely from this service: no CDN, so docs work offline.

The JavaScript and CSS ship in the fastapi-offline package; ReDoc's bundle is served with
its one hard-coded CDN image (a "Redocly" logo) pointed at a local file instead.
"""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs-assets"
REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


def install_docs(app: FastAPI, *, title: str, openapi_url: str) -> None:
    """Add /docs (Swagger UI) and /redoc, with their assets under /docs-assets."""
    redoc_bundle = (
        (ASSETS / "redoc.standalone.js")
        .read_bytes()
        .replace(REDOC_CDN_LOGO, f"{ASSETS_URL}/favicon.png".encode())
    )

    @app.get(f"{ASSETS_URL}/redoc.js", include_in_schema=False)
    async def redoc_script() -> Response:
        return Response(redoc_bundle, media_type="text/javascript")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )

    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
