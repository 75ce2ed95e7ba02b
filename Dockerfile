# Backfit API: migrates, seeds, then serves with uvicorn on port 8000.
# Production unless told otherwise: it refuses to start without BACKFIT_SECRET_KEY
# (docker run -e BACKFIT_SECRET_KEY=$(openssl rand -hex 32) ...).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BACKFIT_ENV=production \
    BACKFIT_HOST=0.0.0.0 \
    BACKFIT_PORT=8000

WORKDIR /srv/backfit
RUN groupadd --system --gid 10001 backfit \
    && useradd --system --uid 10001 --gid backfit --home-dir /srv/backfit --shell /usr/sbin/nologin backfit

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
# Editable, so alembic.ini, migrations/ and seed/ are found beside the package.
RUN pip install --no-cache-dir -e . \
    && mkdir -p var && chown backfit:backfit var

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["backfit", "serve"]
