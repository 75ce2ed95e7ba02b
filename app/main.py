"""The ASGI application: routers, middleware and error handlers, wired together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from app.accounts.router import router as accounts_router
from app.body_limit import BodySizeLimitMiddleware
from app.catalog.cache import CatalogCache
from app.catalog.fast_path import CatalogFastPath
from app.classes.router import router as classes_router
from app.config import Settings, get_settings
from app.cors import install_cors
from app.db import create_engine, create_sessionmaker
from app.docs import install_docs
from app.errors import install_error_handlers
from app.exercises.router import router as exercises_router
from app.head import HeadAsGet
from app.health.router import router as health_router
from app.memory import return_large_blocks_on_free
from app.metrics import router as metrics_router
from app.openapi import install_openapi
from app.plans.preview_path import PlanPreviewFastPath
from app.plans.router import router as plans_router
from app.request_context import RequestContextMiddleware
from app.sync.router import router as sync_router
from app.vocabularies.router import router as vocabularies_router
from app.workouts.router import router as workouts_router

DESCRIPTION = """
Backfit serves a catalog of back exercises and guided classes, generates weekly back-training
plans that respect recovery, equipment, time and pain, and logs completed workouts.

Errors are RFC 9457 problem details (`application/problem+json`). Lists are paginated with an
opaque `cursor`; catalog reads send an `ETag` and answer `If-None-Match` with 304.
"""


class BackfitApp(FastAPI):
    """FastAPI with cached catalog pages and plain plan previews answered outside every
    middleware (see app.catalog.fast_path and app.plans.preview_path)."""

    def build_middleware_stack(self) -> ASGIApp:
        return CatalogFastPath(PlanPreviewFastPath(super().build_middleware_stack()))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (the environment's by default)."""
    settings = settings or get_settings()
    engine = create_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        return_large_blocks_on_free()  # in each worker process, before it hashes anything
        async with app.state.catalog_cache.watching(app.state.sessionmaker):
            yield
        await engine.dispose()

    app = BackfitApp(
        title="Backfit API",
        version="1.0.0",
        summary="Back workouts: catalog, weekly plans and workout logging.",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Observability here is Prometheus and JSON logs. Left on, FastAPI's own OpenTelemetry
        # looks the global providers up on every request, configured or not (~10 µs).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.catalog_cache = CatalogCache()

    install_openapi(app)
    if settings.docs_enabled:
        install_docs(app, title=app.title, openapi_url="/openapi.json")
    install_error_handlers(app)
    # Middleware added last runs first: request context, HEAD as GET, body limit, CORS.
    install_cors(app, settings)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RequestContextMiddleware)

    for router in (
        health_router,
        metrics_router,
        exercises_router,
        classes_router,
        vocabularies_router,
        accounts_router,
        workouts_router,
        plans_router,
        sync_router,
    ):
        app.include_router(router)
    return app


app = create_app()
