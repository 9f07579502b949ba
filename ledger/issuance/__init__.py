"""Issuing for API-key holders: who an API key stands for and its encrypted keystore (:mod:`.keys`), and the
service that wraps documents, signs and sends the transaction and answers once it is mined (:mod:`.service`)."""
