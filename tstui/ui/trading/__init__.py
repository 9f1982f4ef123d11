"""tstui.ui.trading."""
