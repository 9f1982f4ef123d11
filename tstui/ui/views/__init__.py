"""The main views (app modes), each a package with its screen and its own widgets.

``overview``, ``positions``, ``orders`` (the blotter) and ``chart``. Each screen is loaded when
first shown (see ``tstui.ui.shell.app``).
"""
