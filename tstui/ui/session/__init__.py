"""tstui.ui.session."""
