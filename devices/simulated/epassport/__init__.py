"""A strict simulated ePassport chip served to vsmartcard's vpcd (and so through the real pcscd)."""
