"""Claims of the three papers: the ledger (``ledger_*.yaml`` + :mod:`.ledger`), the readings
(:mod:`.readings`), metric identities (:mod:`.identities`), the checks (framework
:mod:`.checks`, one module per paper ``checks_a``/``checks_b``/``checks_c``, run by
:mod:`.suite`), findings by model-based diagnosis (:mod:`.findings`), computed verdicts
(:mod:`.verdicts`) and their report (:mod:`.report`: ``dfbook claims``; :mod:`.report_html`:
the claims dashboard page)."""
