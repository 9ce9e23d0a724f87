"""Claims of the three papers: the ledger (``ledger_*.yaml`` + :mod:`.ledger`), arithmetic
checks (:mod:`.checks`), computed verdicts (:mod:`.verdicts`) and their report
(:mod:`.report`: ``dfbook claims`` and the claims dashboard page)."""
