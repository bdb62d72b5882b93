"""ember_text: part of the Ember workspace, versioned with the core."""

__version__ = "0.1.0"
