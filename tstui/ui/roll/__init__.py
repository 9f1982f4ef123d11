"""The futures roll in the TUI.

- ``review``: the roll review modal (a person confirms each roll).
- ``auto``: the automated roller (off unless ``[roll] auto_roots`` lists a root).
"""
