"""Static pages of the centre's web app."""
