"""tstui.ui.views.overview."""
