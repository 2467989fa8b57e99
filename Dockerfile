FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never
WORKDIR /app
RUN pip install --no-cache-dir uv==0.9.5
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
ENV PATH=/opt/venv/bin:$PATH STATIC_ROOT=/app/staticfiles
RUN SECRET_KEY=build python manage.py collectstatic --noinput
# Production: refuses to start without a SECRET_KEY of its own, secure cookies (config/settings.py).
ENV STORE_ENV=production
RUN useradd --system --no-create-home app
USER app
EXPOSE 8000
# config/gunicorn.py holds the rest: workers, threads, logging (one JSON line per request
# from the app itself, so no access log), metrics.
ENV WEB_BIND=0.0.0.0:8000
CMD ["gunicorn", "-c", "python:config.gunicorn", "config.wsgi"]
