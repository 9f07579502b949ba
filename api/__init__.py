"""The Originals HTTP API (FastAPI). Thin routes over :mod:`ledger`; see ``api.main.create_app``."""
