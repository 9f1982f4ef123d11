"""tstui.domain.market."""
