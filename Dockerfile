# The Hakam service image: the package and its shipped model, served by gunicorn.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY model ./model
COPY training ./training
RUN pip install . && useradd --system --home /var/lib/hakam --create-home hakam
USER hakam
ENV HAKAM_DATA_DIR=/var/lib/hakam
EXPOSE 8000
CMD ["hakam", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
