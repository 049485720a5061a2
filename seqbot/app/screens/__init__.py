"""Screens of the seqbot app: help and the attention heatmap."""
