"""Verification: the facts about a certificate (:mod:`.facts`), where they come from (:mod:`.sources`), the rules
applied to them (:mod:`.rules`, pure), and the service that finds what a fingerprint, an id or a document refers to
and runs the rules (:mod:`.service`)."""
