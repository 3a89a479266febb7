"""The central aggregators (East and West): ingest, storage, reference data, operators' web app."""
