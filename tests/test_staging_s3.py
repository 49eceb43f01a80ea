"""The scheduled run's steps (etl/staging.py) staging on object storage: a real S3 server (moto) on loopback.

The bucket is reached the way a worker without an Airflow connection reaches it: s3fs reading the
standard AWS variables (``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID`` ...), which the ``s3`` fixture sets.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import SEED
from etl.index import open_sink
from etl.search.query import SearchRequest
from etl.settings import Settings
from etl.staging import day_folder, discover, index_staged, plan_batches, read_staged, stage_batch
from etl.storage import StorageError, local_path
from s3_server import s3, s3_server  # noqa: F401  (fixtures)
from test_staging import document

DAY = date(2025, 3, 14)
FILES = ["documents.jsonl", "duplicates.jsonl", "rejected.jsonl"]


def test_a_batch_staged_in_a_bucket_reads_back_the_same_records_and_a_retry_replaces_it(
        s3, tmp_path, tmp_settings, nlp, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a URL taken for a path would show up here as a folder "s3:"
    empty = tmp_path / "drop" / "empty.html"
    empty.parent.mkdir()
    empty.write_text("", encoding="utf-8")
    copy = tmp_path / "drop" / "copy.txt"
    copy.write_bytes(SEED.read_bytes())
    s3.client.put_object(Bucket=s3.bucket, Key="news/2025-03-14/batch-0007/documents.jsonl", Body=b"{}\n")

    run_dir = day_folder(f"s3://{s3.bucket}/news", DAY)
    plan = plan_batches([str(SEED), str(empty), str(copy)], 3, run_dir)

    assert run_dir == f"s3://{s3.bucket}/news/2025-03-14"
    assert plan == [{"inputs": [str(SEED), str(empty), str(copy)], "out_dir": f"{run_dir}/batch-0000"}]
    assert s3.objects() == []  # the earlier run's batch is gone

    counts = stage_batch(plan[0]["inputs"], plan[0]["out_dir"], tmp_settings, nlp=nlp)

    assert (counts["read"], counts["staged"], counts["rejected"], counts["duplicates"]) == (3, 1, 1, 1)
    assert counts["documents"] == f"{run_dir}/batch-0000/documents.jsonl"
    assert s3.objects() == [f"news/2025-03-14/batch-0000/{name}" for name in FILES]  # no scratch objects
    staged = list(read_staged([counts["documents"]]))
    stored = [json.loads(line) for line in s3.text("news/2025-03-14/batch-0000/documents.jsonl").splitlines()]
    assert [doc.to_dict() for doc in staged] == stored and len(staged) == 1
    assert "Putin" in staged[0].article.body
    [rejected] = [json.loads(line) for line in s3.text("news/2025-03-14/batch-0000/rejected.jsonl").splitlines()]
    assert rejected["origin"] == str(empty)
    [duplicate] = [json.loads(line) for line in s3.text("news/2025-03-14/batch-0000/duplicates.jsonl").splitlines()]
    assert (duplicate["origin"], duplicate["duplicate_of_origin"]) == (str(copy), str(SEED))

    retried = stage_batch([str(SEED)], plan[0]["out_dir"], tmp_settings, nlp=nlp)

    assert (retried["staged"], retried["rejected"], retried["duplicates"]) == (1, 0, 0)
    assert s3.text("news/2025-03-14/batch-0000/rejected.jsonl") == ""  # replaced, not appended to
    assert s3.text("news/2025-03-14/batch-0000/duplicates.jsonl") == ""
    assert s3.objects() == [f"news/2025-03-14/batch-0000/{name}" for name in FILES]
    assert not (tmp_path / "s3:").exists()

    plan_batches([str(SEED)], 1, run_dir)  # a re-run of the day starts from an empty folder
    assert s3.objects() == []


def test_documents_staged_in_a_bucket_are_indexed_from_it(s3, tmp_settings):
    keys = {"news/run/batch-0000/documents.jsonl": [document("a1", "Ukraine talks", "Talks"),
                                                    document("a2", "Rain in Lisbon", "Weather")],
            "news/run/batch-0001/documents.jsonl": [document("a1", "Ukraine talks", "Talks")]}
    for key, docs in keys.items():
        s3.client.put_object(Bucket=s3.bucket, Key=key,
                             Body="".join(json.dumps(d.to_dict()) + "\n" for d in docs).encode())

    counts = index_staged([f"s3://{s3.bucket}/{key}" for key in keys], tmp_settings)

    assert (counts["indexed"], counts["duplicates"], counts["failed"]) == (2, 1, 0)
    with open_sink(tmp_settings) as sink:
        assert sink.count() == 2
        assert [hit.id for hit in sink.search(SearchRequest(text="Ukraine")).hits] == ["a1"]


def test_credentials_passed_as_storage_options_reach_the_bucket(s3, tmp_path, monkeypatch):
    """What the DAG passes from an Airflow connection; the environment has no AWS settings at all."""
    for name in [*s3.env]:
        monkeypatch.delenv(name)
    options = {"key": "testing", "secret": "testing", "endpoint_url": s3.endpoint,
               "client_kwargs": {"region_name": "us-east-1"}}
    url = f"s3://{s3.bucket}/opts/batch-0000/documents.jsonl"
    s3.client.put_object(Bucket=s3.bucket, Key="opts/batch-0000/documents.jsonl",
                         Body=(json.dumps(document("a1", "one", "One").to_dict()) + "\n").encode())

    plan = plan_batches(["x"], 1, f"s3://{s3.bucket}/other", options)

    assert [doc.article.id for doc in read_staged([url], options)] == ["a1"]
    assert plan[0]["out_dir"] == f"s3://{s3.bucket}/other/batch-0000"


def test_a_missing_bucket_is_one_line_naming_the_url_and_the_reason(s3):
    with pytest.raises(StorageError) as caught:
        plan_batches(["x"], 1, "s3://no-such-bucket-here/news/2025-03-14")
    message = str(caught.value)
    assert message.startswith("staging s3://no-such-bucket-here/news/2025-03-14: ")
    assert "bucket does not exist" in message and "\n" not in message


def test_an_unsupported_scheme_is_refused_before_anything_is_written(tmp_path, tmp_settings, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StorageError, match=r"^staging ftp://\*\*\*@files\.example\.com/news: unsupported storage "
                                           r"scheme 'ftp' \(use a local path or one of .*s3://"):
        day_folder("ftp://user:s3cret@files.example.com/news", DAY)
    with pytest.raises(StorageError, match="unsupported storage scheme 'ftp'") as caught:
        stage_batch([str(SEED)], "ftp://files.example.com/news/batch-0000", tmp_settings)
    assert "s3cret" not in str(caught.value)
    with pytest.raises(StorageError, match=r"^drop_dir s3://bucket/drop: drop folders on object storage are not supported"):
        discover("s3://bucket/drop", DAY, [])
    assert list(tmp_path.iterdir()) == []


def test_staging_dir_keeps_a_url_as_written_and_file_urls_are_local_folders(tmp_path):
    settings = Settings.from_env({"NEWS_ETL_STAGING_DIR": "s3://bucket/news", "NEWS_ETL_DROP_DIR": "var/drop",
                                  "NEWS_ETL_STAGING_CONN_ID": "news_staging"})
    assert (settings.staging_dir, settings.drop_dir, settings.staging_conn_id) == (
        "s3://bucket/news", Settings().drop_dir, "news_staging")
    assert Settings.from_env({}).staging_conn_id is None
    assert local_path((tmp_path / "st").as_uri()) == tmp_path / "st"

    plan = plan_batches(["a"], 1, day_folder((tmp_path / "st").as_uri(), DAY))

    assert plan == [{"inputs": ["a"], "out_dir": str(tmp_path / "st" / "2025-03-14" / "batch-0000")}]
    assert (tmp_path / "st" / "2025-03-14").is_dir()
