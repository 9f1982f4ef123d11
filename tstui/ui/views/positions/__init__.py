"""tstui.ui.views.positions."""
