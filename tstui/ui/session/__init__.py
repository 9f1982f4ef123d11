"""The live session behind every view: one client Session per environment.

- ``live``: ``LiveData`` (connect, stream workers, order and position books, reconciliation).
- ``health``: each stream's health as the status bar shows it.
- ``unresolved``: sends an earlier run left without an outcome, looked up on connect.
"""
