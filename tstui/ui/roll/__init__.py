"""tstui.ui.roll."""
