"""The order blotter: ``screen`` (filters, history, actions), ``blotter`` (table), ``detail``."""
