"""The app shell: everything every view stands on.

- ``app``: ``TstuiApp`` (modes, environment switching, login, palette, quit guard).
- ``base``: ``BaseScreen``, the frame of every main view (header, body, API log, status bar).
- ``header``, ``status``, ``apilog``: the shared chrome; ``messages``: what the shell posts.
- ``commands`` (palette provider), ``keymap`` (binding ids, ``[keymap]`` checks),
  ``themes`` (theme files registered as Textual themes).
- ``login``, ``confirm``, ``help``, ``env_switch``: the shell's own screens and modals.
- ``guard`` (toasts as literal text, worker errors reported), ``crash`` (crash reports),
  ``plain`` (server text made safe and literal for widgets): the untrusted-text boundary.

Import the modules themselves: this package loads nothing, so startup pays only for what the
first screen needs.
"""
