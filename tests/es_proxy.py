"""The header-rewriting proxy in front of osmem-server; it lives in ``bench.es_standin``, shared with the benchmark."""

from bench.es_standin import COMPAT_MEDIA, EsProxy, ProxyRequest, ProxyResponse, plain_media_type  # noqa: F401
