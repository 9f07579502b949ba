"""Development tools: the local devnet (anvil), the demo consortium, ``originals up`` / ``make run``, and (to come)
the compiler wiring. They run from a checkout of the repository and are not part of the runtime package (the wheel
holds ``ledger``, ``api`` and ``cli``)."""
