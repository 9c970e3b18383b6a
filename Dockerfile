# syntax=docker/dockerfile:1
# Nexus production image: gunicorn serves the web process; the same image runs the
# Celery worker, celery beat and migrations with a different command (compose.yaml,
# deploy/k8s/). Configuration comes from environment variables (.env.example).

# --- builder: a virtualenv with exactly the locked dependencies -----------------------
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
COPY requirements/base.lock requirements/base.lock
# The lock is complete (uv pip compile --generate-hashes): no resolver, every file hashed.
RUN pip install --require-hashes --no-deps -r requirements/base.lock

# --- runtime --------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NEXUS_ENV=production \
    DJANGO_SETTINGS_MODULE=nexus.settings.base \
    WEB_CONCURRENCY=2

RUN groupadd --system --gid 10001 nexus \
    && useradd --system --uid 10001 --gid nexus --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin nexus

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
# Source stays owned by root (read-only for the app); only var/ is the app's to write.
COPY . .
# Bytecode compiled now: at run time the root filesystem may be read-only.
RUN python -m compileall -q nexus \
    && mkdir -p /app/var && chown nexus:nexus /app/var

USER 10001:10001

# Static files are collected into var/static at build time and served by whitenoise.
# Production settings refuse to import without SECRET_KEY and ALLOWED_HOSTS; these
# throwaway values exist only for this one command and are not kept in the image.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput --verbosity 1

EXPOSE 8000

# Liveness of the web process. Django answers only for ALLOWED_HOSTS, so the probe sends
# the first of them as Host. (Worker and beat containers override or disable this.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = '127.0.0.1' if h in ('', '*') else h; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]

# No gunicorn access log: the app writes one JSON line per request (logger nexus.request).
# --no-control-socket: gunicorn would otherwise create a socket under $HOME.
CMD ["sh", "-c", "exec gunicorn nexus.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-2} --worker-tmp-dir /dev/shm --no-control-socket"]
