"""The one exception family for failures a user can cause and fix."""


class SnowledgerError(Exception):
    """A problem with the user's input or environment, with a message saying how
    to fix it. The CLI prints the message without a traceback."""
