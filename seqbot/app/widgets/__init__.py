"""Widgets of the seqbot app: conversation turns, the classification side panel, the input."""
