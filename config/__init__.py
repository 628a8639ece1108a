"""newsignal's default configuration, shipped as package data (``newsignal_config``).

Nothing to import here: the files beside this one are data. Point
``NEWSIGNAL_CONFIG_DIR`` at a copy of this folder to use your own.
"""
