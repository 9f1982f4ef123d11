"""tstui screens: the main views (app modes) and the modals."""
