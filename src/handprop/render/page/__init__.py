"""The interactive HTML player."""
