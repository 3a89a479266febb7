"""Tests for face capture and verification (edge/face, devices/camera)."""
