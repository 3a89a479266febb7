"""Simulated devices: same interfaces as the real drivers, for the demo and tests without hardware."""
