"""tstui.ui.views."""
