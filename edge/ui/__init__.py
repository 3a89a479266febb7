"""The booth screen (ブース画面): what the inspector sees of the booth's checks and health.

Served by the booth agent itself on 127.0.0.1 (`[booth] ui_port`), in Japanese and English.
"""
