"""tstui.domain.portfolio."""
