"""tstui.ui.shell."""
