"""Readers for the lecture's corpora in their original public formats, and text preparation."""
