"""The operator service: a long-running process that settles every round of a market it watches.

Layout, pure first:

* planner.py: given what the chain shows of one round (a ``SealedRound`` or ``LotteryRound``) and the round's
  exact clearing (``Solution``), the actions still missing (propose, claim W(-i), finalize, release,
  distribute forfeits, draw). Pure: no chain code, so every branch is tested without a node.
* store.py: the service's memory in SQLite (WAL): each round's clearing and every action as intent, then
  outcome, with the nonce it was sent under; counters are queries over it. Pure too (sqlite3 only).
* events.py: structured log lines (key=value or JSON), one per action.
* service.py: the chain side: reads each round in flight, asks the planner, resolves any intent left by a
  crash against the chain, sends, records; survives RPC outages with backoff.

docs/operator.md explains the state machine and why a SIGKILL at any point never causes a double submission.
"""
