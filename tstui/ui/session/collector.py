"""Keeping the garbage collector's full passes off a loaded order book.

Python's oldest-generation pass walks every tracked object; an order is three of them (the
order, its leg, the legs tuple), so with 20k-100k orders loaded a full pass took 100-450 ms
and ran every few seconds while a burst was ingested: a key pressed then waited for it.
The orders of a snapshot live as long as the book, and none of them is in a reference cycle
(a replaced order is freed by its reference count), so once a big snapshot is in, the objects
alive are moved out of the collector's scans (``gc.freeze``). Later passes walk only what
was made since. Young garbage is collected first; a cycle that was alive at that moment and
dies later is never collected, so this runs once per doubling of the book, not per frame.
(The full passes themselves wait for a pause in the keys: tstui.ui.shell.idle_gc.)
"""

from __future__ import annotations

import gc

__all__ = ["LoadSettler"]

MIN_ORDERS = 2_000  # below this a full pass is cheap: nothing to gain


class LoadSettler:
    """``loaded(n)`` after a snapshot of ``n`` orders ended: freezes when the book is big
    and has at least doubled since the last freeze. Returns whether it froze."""

    def __init__(self, min_orders: int = MIN_ORDERS) -> None:
        self.min_orders = min_orders
        self.frozen_at = 0  # the book's size at the last freeze

    def loaded(self, orders: int) -> bool:
        if orders < self.min_orders or orders < 2 * self.frozen_at:
            return False
        gc.collect(1)  # young garbage goes first (cheap: the young generations only)
        gc.freeze()
        self.frozen_at = orders
        return True

    def reset(self) -> None:
        """A new book (environment switch): its snapshot is settled afresh."""
        self.frozen_at = 0
