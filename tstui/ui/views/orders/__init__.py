"""tstui.ui.views.orders."""
