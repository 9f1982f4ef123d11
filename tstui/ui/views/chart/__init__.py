"""tstui.ui.views.chart."""
