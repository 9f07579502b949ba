"""A small client of the Originals HTTP API, for the CLI (and scripts). Problem answers become :class:`ApiError`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from ledger.errors import LedgerError
from ledger.i18n import gettext as _
from ledger.i18n import language


class ApiError(LedgerError, RuntimeError):
    """The API refused a request (its problem+json ``detail``) or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ApiClient:
    def __init__(
        self, base_url: str, api_key: str | None = None, timeout: float = 120.0, lang: str | None = None
    ) -> None:
        # The API answers its problems and reasons in the run's language (``lang="en"`` for output that must have
        # none, such as ``--json``).
        headers = {"Accept-Language": lang or language()}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)
        self.base_url = base_url

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise ApiError(_("cannot reach the API at {url}: {error}", url=self.base_url, error=exc)) from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text[:200]
            raise ApiError(f"{detail} (HTTP {response.status_code})", response.status_code)
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        return self._request("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, body: Any) -> Any:
        return self._request("POST", path, json=body)

    def verify_file(self, path: Path) -> Any:
        with path.open("rb") as handle:
            return self._request("POST", "/verify/file", files={"file": (path.name, handle)})
