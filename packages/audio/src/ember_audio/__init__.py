"""ember_audio: part of the Ember workspace, versioned with the core."""

__version__ = "0.1.0"
