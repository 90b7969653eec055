# The Airflow image with Newshound installed, and the official spaCy pipelines for German and English.
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11
ARG AIRFLOW_VERSION
ARG SPACY_MODELS_VERSION=3.8.0

USER airflow
WORKDIR /opt/newshound
COPY --chown=airflow:root pyproject.toml README.md ./
COPY --chown=airflow:root pipeline ./pipeline
COPY --chown=airflow:root config ./config
# Pin Airflow so installing Newshound never changes the image's Airflow.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" . \
 && pip install --no-cache-dir \
    "https://github.com/explosion/spacy-models/releases/download/de_core_news_md-${SPACY_MODELS_VERSION}/de_core_news_md-${SPACY_MODELS_VERSION}-py3-none-any.whl" \
    "https://github.com/explosion/spacy-models/releases/download/en_core_web_md-${SPACY_MODELS_VERSION}/en_core_web_md-${SPACY_MODELS_VERSION}-py3-none-any.whl"
COPY --chown=airflow:root dags /opt/airflow/dags
WORKDIR /opt/airflow
