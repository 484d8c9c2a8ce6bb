# The API and the mining worker in one image (`artifact-miner serve` / `artifact-miner worker`):
# see compose.yaml and README.md, "Deploying".
#
#   docker build -t artifact-miner .
#   docker run --rm -p 127.0.0.1:8000:8000 -v am-data:/data artifact-miner

# GraphiQL's scripts come from the npm registry at build time, so the IDE works offline.
FROM python:3.12-slim AS assets
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/fetch_graphiql.py scripts/graphiql_assets.txt scripts/
RUN python scripts/fetch_graphiql.py scripts/graphiql_assets.txt graphiql

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000 \
    LOG_FORMAT=json
# git is what mining runs; tini reaps what git leaves and passes SIGTERM on (graceful stop).
RUN apt-get update \
    && apt-get install -y --no-install-recommends git tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 miner \
    && useradd --system --uid 10001 --gid miner --home-dir /home/miner --create-home miner \
    && mkdir /data && chown miner:miner /data
WORKDIR /app
# The code belongs to root and is read-only to the server; migrations are read from /app.
COPY pyproject.toml README.md alembic.ini ./
COPY alembic alembic
COPY graphql_api graphql_api
COPY mining mining
COPY --from=assets /src/graphiql graphql_api/static/graphiql
RUN python -m venv /opt/venv \
    && pip install --upgrade pip \
    && pip install -e '.[s3]'
USER miner
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["tini", "--"]
# Listening on 0.0.0.0 needs REQUIRE_AUTH=1 (tokens: `artifact-miner token create OWNER`).
CMD ["artifact-miner", "serve"]
