"""Where verification facts come from: :mod:`~ledger.verification.sources.index` (the SQL index, fast) and
:mod:`~ledger.verification.sources.chain` (the contracts over JSON-RPC, trustless)."""
